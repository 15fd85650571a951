"""Audited create / update / delete: the building blocks every app's services use.

Each call checks the actor's permission, validates the whole object, writes in one transaction and
appends the change to the audit log. `actor=None` is the system itself (CLI, demo seed, jobs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from yingji.core import audit, permissions
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.roles import Action

__all__ = ["validation_details", "full_clean", "create", "update", "delete", "bulk_create", "get_for"]

M = TypeVar("M", bound=models.Model)


def validation_details(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "message_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def full_clean(instance: models.Model, exclude: Iterable[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=list(exclude or []))
    except ValidationError as exc:
        raise ValidationFailed(details=validation_details(exc)) from exc


def _save(instance: models.Model, **kwargs) -> None:
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError as exc:
        raise Conflict(details={"db": str(exc).splitlines()[0][:300]}) from exc


def get_for(actor, model: type[M], pk, action: str = Action.VIEW, lock: bool = False) -> M:
    """Fetch one object the actor may act on; NotFound when missing *or* invisible (no existence leak)."""
    qs = model._default_manager.all()
    if actor is not None:
        qs = permissions.restrict(qs, actor, Action.VIEW)
    if lock:
        # of=("self",): lock the object's row only, not the owner unit rows joined in by restrict().
        qs = qs.select_for_update(of=("self",))
    try:
        obj = qs.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound() from None
    permissions.require(actor, action, obj)
    return obj


def create(actor, instance: M, *, unit=None) -> M:
    """Validate and save a new object, recording it; `unit` is its owner for the permission check."""
    unit = unit if unit is not None else getattr(instance, "owner_unit", None)
    permissions.require(actor, Action.ADD, type(instance), unit=unit)
    with transaction.atomic():
        full_clean(instance)
        _save(instance)
        audit.record("create", instance, None, audit.snapshot(instance), actor)
    return instance


def update(actor, instance: M, changes: Mapping[str, object]) -> M:
    """Apply `changes` to a locked fresh copy of `instance`; a move to another unit needs rights there too."""
    model = type(instance)
    with transaction.atomic():
        obj = get_for(actor, model, instance.pk, Action.CHANGE, lock=True)
        return _apply(actor, obj, changes, check_unit=True)


def workflow_update(actor, instance: M, changes: Mapping[str, object]) -> M:
    """A change a workflow makes as the consequence of a step whose rights it has already checked (a task's
    derived state, an approver publishing a warning they may only view): a locked fresh copy, validated, audited
    under the acting user's name, with no permission check of its own."""
    with transaction.atomic():
        obj = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        return _apply(actor, obj, changes, check_unit=False)


def _apply(actor, obj: M, changes: Mapping[str, object], *, check_unit: bool) -> M:
    """Set `changes` on a locked row, validate, save and audit the difference (inside the caller's transaction);
    `check_unit`: a move to another unit needs the actor's rights there too."""
    before = audit.snapshot(obj)
    for name, value in changes.items():
        setattr(obj, name, value)
    if check_unit and ("owner_unit" in changes or "owner_unit_id" in changes):
        permissions.require(actor, Action.CHANGE, type(obj), unit=getattr(obj, "owner_unit", None))
    full_clean(obj)
    _save(obj)
    after = audit.snapshot(obj)
    if after != before:
        audit.record("update", obj, before, after, actor)
    return obj


def delete(actor, instance: models.Model) -> None:
    model = type(instance)
    with transaction.atomic():
        obj = get_for(actor, model, instance.pk, Action.DELETE, lock=True)
        before = audit.snapshot(obj)
        pk = obj.pk
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as exc:
            raise Conflict(
                _in_use_message(), details={"in_use_by": sorted({str(o) for o in list(exc.args[1])[:10]})}
            ) from exc
        obj.pk = pk
        audit.record("delete", obj, before, None, actor)


def _in_use_message() -> str:
    from django.utils.translation import gettext

    return gettext("该对象仍被其他数据引用，无法删除")


def bulk_create(actor, instances: list[M], *, unit=None, batch_size: int = 500) -> list[M]:
    """Create many objects at once (imports, seeding), each validated and each in the audit log."""
    if not instances:
        return []
    model = type(instances[0])
    for inst in instances:
        permissions.require(actor, Action.ADD, model, unit=unit if unit is not None else inst.owner_unit)
    with transaction.atomic():
        created = model._default_manager.bulk_create(instances, batch_size=batch_size)
        audit.record_many(
            [audit.Change.of("create", obj, None, audit.snapshot(obj)) for obj in created], actor
        )
    return created
