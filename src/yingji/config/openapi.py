"""A faster OpenAPI document: django-ninja wraps each operation's response in a model of its own and asks
pydantic for that model's whole JSON schema, so the same inner types (the error shape, a page of units …) were
generated again for every operation — about ten seconds for 180 operations. Here the schema of a response is
generated once per inner type, and the finished document once per language and process (the API cannot
change while the process runs)."""

from __future__ import annotations

import copy
import threading

from django.utils import translation
from ninja.openapi.schema import OpenAPISchema

__all__ = ["MemoisedOpenAPISchema", "cached_schema"]


def _key(model, by_alias: bool, remove_level: bool, mode: str):
    fields = getattr(model, "model_fields", None)
    if not remove_level or not fields or len(fields) != 1 or hasattr(model, "__ninja_flatten_map__"):
        return None
    (name, info), = fields.items()
    key = (name, info.annotation, info.alias, info.description, repr(info.default), by_alias, mode)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class MemoisedOpenAPISchema(OpenAPISchema):
    def __init__(self, api, path_prefix: str) -> None:
        self._memo: dict = {}
        super().__init__(api, path_prefix)

    def _create_schema_from_model(self, model, by_alias=True, remove_level=True, mode="validation"):
        key = _key(model, by_alias, remove_level, mode)
        if key is None:
            return super()._create_schema_from_model(model, by_alias=by_alias, remove_level=remove_level, mode=mode)
        if key not in self._memo:  # the first call also moves the type's $defs into components
            self._memo[key] = super()._create_schema_from_model(model, by_alias=by_alias, remove_level=remove_level,
                                                                mode=mode)
        schema, required = self._memo[key]
        return copy.deepcopy(schema), required


_cache: dict[tuple, dict] = {}
_lock = threading.Lock()


def cached_schema(key_extra: tuple, build) -> dict:
    key = (translation.get_language(), *key_extra)
    with _lock:
        if key not in _cache:
            _cache[key] = build()
        return _cache[key]
