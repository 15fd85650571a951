"""Participant units of a subject: who, besides the owner's subtree, may see (and where a model says so, act
on) it. Modules add participants through these services; `restrict()` reads them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from yingji.core import audit
from yingji.core.models import OrgUnit, Participant

__all__ = ["add", "remove", "of"]


def add(actor, subject: models.Model, unit: OrgUnit, role: str) -> Participant:
    """Record `unit` as a participant of `subject` (idempotent). The calling service checks its own rights."""
    ct = ContentType.objects.get_for_model(subject)
    existing = Participant.objects.filter(subject_type=ct, subject_id=subject.pk, unit=unit, role=role).first()
    if existing:
        return existing
    row = Participant(subject_type=ct, subject_id=subject.pk, unit=unit, role=role)
    try:
        with transaction.atomic():
            row.save()
            audit.record("create", row, None, audit.snapshot(row), actor)
    except IntegrityError:
        return Participant.objects.get(subject_type=ct, subject_id=subject.pk, unit=unit, role=role)
    return row


def remove(actor, subject: models.Model, unit: OrgUnit, role: str) -> None:
    ct = ContentType.objects.get_for_model(subject)
    with transaction.atomic():
        for row in Participant.objects.filter(subject_type=ct, subject_id=subject.pk, unit=unit, role=role):
            before = audit.snapshot(row)
            row.delete()
            row.pk = before["id"]
            audit.record("delete", row, before, None, actor)


def of(subject: models.Model):
    ct = ContentType.objects.get_for_model(subject)
    return Participant.objects.filter(subject_type=ct, subject_id=subject.pk).select_related("unit")
