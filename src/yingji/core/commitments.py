"""Commit dispatchable resources (teams, equipment, experts, vehicles) to work, one active commitment each.

The database enforces the rule (a partial unique index on active real commitments), so it holds across
processes and servers: of N concurrent `commit()` calls for one resource exactly one wins and the others get
`Conflict` (409) naming the work the resource is already committed to.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, crud, permissions
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.models import Commitment, CommitmentState, Dispatchable
from yingji.core.roles import Action

__all__ = ["commit", "release", "cancel", "active_for", "for_work"]


def _committed_elsewhere(resource, is_exercise: bool) -> Commitment | None:
    ct = ContentType.objects.get_for_model(resource)
    return (Commitment.objects.filter(resource_type=ct, resource_id=resource.pk, state=CommitmentState.COMMITTED,
                                      is_exercise=is_exercise).first())


def commit(actor, resource: models.Model, *, work: models.Model | None = None, purpose: str = "",
           capability: str = "", quantity: Decimal | None = None) -> Commitment:
    """Commit `resource` to `work` (or a stated purpose). The work's `is_exercise` carries over: exercise
    commitments never count against real availability."""
    if not isinstance(resource, Dispatchable):
        raise ValidationFailed(details={"resource": [_("该类资源不能调派")]})
    if work is None and not purpose:
        raise ValidationFailed(details={"purpose": [_("请说明调派任务")]})
    is_exercise = bool(getattr(work, "is_exercise", False))
    if work is None:  # a standalone commitment; with work, the calling module's service checks its rights
        permissions.require(actor, Action.CHANGE, resource)
    if not is_exercise and not type(resource)._default_manager.filter(
            type(resource).ready_q(), pk=resource.pk).exists():
        raise Conflict(_("%(name)s 当前不可用（未在战备状态）") % {"name": resource}, code="not_ready")
    row = Commitment(
        resource_type=ContentType.objects.get_for_model(resource), resource_id=resource.pk,
        resource_name=str(resource)[:200], owner_unit=resource.owner_unit,
        work_type=ContentType.objects.get_for_model(work) if work is not None else None,
        work_id=work.pk if work is not None else None, purpose=purpose or str(work)[:200],
        capability=capability, quantity=quantity, state=CommitmentState.COMMITTED,
        committed_at=timezone.now(), is_exercise=is_exercise,
        actor_name=getattr(actor, "username", "system") if actor is not None else "system")
    try:
        with transaction.atomic():
            # The one-active rule is the database's to enforce (a race between two checks would pass both).
            try:
                row.full_clean(validate_constraints=False)
            except ValidationError as exc:
                raise ValidationFailed(details=crud.validation_details(exc)) from exc
            row.save()
            audit.record("commit", row, None, audit.snapshot(row), actor)
    except IntegrityError:
        other = _committed_elsewhere(resource, is_exercise)
        raise Conflict(_("%(name)s 已调派给“%(work)s”，请先归建") % {
            "name": resource, "work": other.purpose if other else "?"},
            details={"committed_to": other.purpose if other else None}, code="already_committed") from None
    return row


def _close(actor, commitment: Commitment, state: str, field: str) -> Commitment:
    with transaction.atomic():
        row = crud.get_for(actor, Commitment, commitment.pk, Action.VIEW, lock=True)
        if row.state not in (CommitmentState.PROPOSED, CommitmentState.COMMITTED):
            raise Conflict(_("该调派已结束"), code="not_active")
        before = audit.snapshot(row)
        row.state = state
        setattr(row, field, timezone.now())
        row.save(update_fields=["state", field])
        audit.record(state, row, before, audit.snapshot(row), actor)
    return row


def release(actor, commitment: Commitment) -> Commitment:
    """The resource returns (归建): available again."""
    return _close(actor, commitment, CommitmentState.RELEASED, "released_at")


def cancel(actor, commitment: Commitment) -> Commitment:
    return _close(actor, commitment, CommitmentState.CANCELLED, "released_at")


def active_for(resource: models.Model, is_exercise: bool = False) -> Commitment | None:
    return _committed_elsewhere(resource, is_exercise)


def for_work(work: models.Model):
    ct = ContentType.objects.get_for_model(work)
    return Commitment.objects.filter(work_type=ct, work_id=work.pk)
