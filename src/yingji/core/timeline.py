"""Timelines: append-only, hash-chained entries on any subject (a task, an incident, a warning, a drill …).

One chain per subject, each with its own head row (yingji.core.chains). Reading follows the subject's current
visibility: whoever may see the subject now sees its whole timeline, and nobody else.
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from yingji.core import chains, crud, permissions
from yingji.core.context import current_request_id
from yingji.core.models import TimelineEntry
from yingji.core.roles import Action

__all__ = ["chain_of", "add", "entries", "restrict_entries", "data_of"]


def chain_of(subject: models.Model) -> str:
    return f"t:{permissions.object_type(subject)}:{subject.pk}"


def add(actor, subject: models.Model, kind: str, text: str = "", data: dict | None = None) -> TimelineEntry:
    """Append one entry to `subject`'s timeline. The caller's service has already checked its own rights and
    locked its rows; this only appends (never locks anything but the subject's chain head)."""
    if subject.pk is None:
        raise ValueError("the subject must be saved first")
    unit = getattr(subject, "owner_unit", None)
    entry = TimelineEntry(
        chain=chain_of(subject), at=timezone.now(), actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "system") if actor is not None else "system",
        request_id=current_request_id(), subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk, kind=kind, text=text or "",
        data=json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) if data else "",
        is_exercise=bool(getattr(subject, "is_exercise", False)))
    return chains.append(TimelineEntry, [entry], {entry.chain: getattr(unit, "pk", None)})[0]


def entries(user, subject: models.Model):
    """The subject's timeline, oldest first; NotFound when the user may not see the subject now."""
    crud.get_for(user, type(subject), subject.pk, Action.VIEW)
    ct = ContentType.objects.get_for_model(subject)
    return TimelineEntry.objects.filter(subject_type=ct, subject_id=subject.pk).order_by("seq")


def restrict_entries(qs, user):
    """Timeline entries of any subjects, narrowed to the subjects the user may see now."""
    cond = Q()
    for ct_id in qs.order_by().values_list("subject_type", flat=True).distinct():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        visible = permissions.restrict(model._default_manager.all(), user, Action.VIEW).values("pk")
        cond |= Q(subject_type_id=ct_id, subject_id__in=visible)
    return qs.filter(cond) if cond else qs.none()


def data_of(entry: TimelineEntry) -> dict | None:
    return json.loads(entry.data) if entry.data else None
