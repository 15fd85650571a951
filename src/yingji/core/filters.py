"""Exact-match filters from query text (`?warehouse=12`, `?status=available,deployed`), checked before the query.

Text that cannot be a value of the field (`?warehouse=abc`, an integer beyond what the database stores, a
choice that does not exist) is a 400 naming the field, never a database error.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

from yingji.core.errors import BadRequest

__all__ = ["exact_q", "exact_filter_parameters", "MAX_VALUES"]

MAX_VALUES = 100  # comma-separated alternatives in one filter


def _value(field: models.Field, text):
    """`text` as a value of `field` (a relation: of its target's key), validated as the model would."""
    target = field.target_field if field.is_relation else field
    value = target.to_python(text.strip() if isinstance(text, str) else text)
    if isinstance(target, models.IntegerField) or field.choices:
        target.run_validators(value)  # the integer range every database stores
    if field.choices and value not in {k for k, _label in field.flatchoices}:
        raise ValidationError("choice")
    return value


def exact_q(model: type[models.Model], name: str, value) -> Q:
    """`name IN (values)` for a comma-separated `value`; BadRequest (code bad_filter) when a value cannot be one."""
    field = model._meta.get_field(name)
    texts = value.split(",") if isinstance(value, str) else [value]
    if len(texts) > MAX_VALUES:
        raise BadRequest(_("筛选条件“%(n)s”的取值过多（最多 %(max)s 个）") % {"n": name, "max": MAX_VALUES},
                         details={name: [str(MAX_VALUES)]}, code="bad_filter")
    try:
        values = [_value(field, t) for t in texts]
    except ValidationError:
        message = _("筛选条件“%(n)s”的值“%(v)s”无效") % {"n": name, "v": str(value)[:50]}
        if field.choices:
            details = {name: [str(k) for k, _label in field.flatchoices]}
        else:
            details = {name: [message]}
        raise BadRequest(message, details=details, code="bad_filter") from None
    return Q(**{f"{name}__in": values})


def exact_filter_parameters(model: type[models.Model], names) -> list[dict]:
    """OpenAPI query parameters for exact filters read from the query string (so clients and the fuzzer see
    them): text, comma-separated alternatives, each a value of the field."""
    params = []
    for name in names:
        field = model._meta.get_field(name)
        hint = ", ".join(str(k) for k, _label in field.flatchoices) if field.choices else None
        params.append({"name": name, "in": "query", "required": False,
                       "schema": {"type": "string", "maxLength": 2000},
                       "description": f"exact match on {name}; comma-separated alternatives"
                                      + (f" ({hint})" if hint else "")})
    return params
