"""Generic writes of registered types: create, update and delete through the audited crud, with the type's
rules (a child follows its parent's unit; a parent handed to another unit takes its children along)."""

from __future__ import annotations

from django.db import models, transaction

from yingji.core import audit, crud
from yingji.core.errors import ValidationFailed
from yingji.core.kinds.registry import Kind, kinds_of

__all__ = ["resolve_fks", "create", "update", "delete"]


def resolve_fks(actor, kind: Kind, data: dict) -> dict:
    """Turn `<fk>_id` input into objects the actor can see (NotFound otherwise)."""
    out = {}
    for key, value in data.items():
        name = key[:-3] if key.endswith("_id") else key
        field = kind.model._meta.get_field(name)
        if field.is_relation and value is not None:
            out[name] = crud.get_for(actor, field.related_model, value)
        else:
            out[name] = value
    return out


def _owner_from_parent(kind: Kind, fields: dict) -> dict:
    parent = kind.owning_parent
    if parent and fields.get(parent) is not None:
        fields["owner_unit"] = fields[parent].owner_unit
    return fields


def _check(actor, kind: Kind, obj: models.Model, changed: set | None = None) -> None:
    if kind.check is not None:
        errors = kind.check(actor, obj, changed)
        if errors:
            raise ValidationFailed(details=errors)


def create(actor, kind: Kind, fields: dict) -> models.Model:
    fields = _owner_from_parent(kind, dict(fields))
    obj = kind.model(**fields)
    _check(actor, kind, obj)
    with transaction.atomic():
        obj = crud.create(actor, obj)
        _after(actor, kind, obj, "create")
    return obj


def _after(actor, kind: Kind, obj: models.Model, op: str) -> None:
    if kind.after_write is not None:
        kind.after_write(actor, obj, op)


def _children_of(kind: Kind) -> list[tuple[type[models.Model], str]]:
    """Types that name `kind` as their owning parent, with the path from the child to it."""
    out = []
    for other in kinds_of(kind.app).values():
        if other.owning_parent and other.model._meta.get_field(other.owning_parent).related_model is kind.model:
            out.append((other, other.owning_parent))
            for grandchild in kinds_of(kind.app).values():
                gp = grandchild.owning_parent
                if gp and grandchild.model._meta.get_field(gp).related_model is other.model:
                    out.append((grandchild, f"{gp}__{other.owning_parent}"))
    return out


def update(actor, kind: Kind, obj: models.Model, changes: dict) -> models.Model:
    changes = _owner_from_parent(kind, dict(changes))
    if kind.check is not None:
        probe = type(obj)._default_manager.get(pk=obj.pk)
        for name, value in changes.items():
            setattr(probe, name, value)
        _check(actor, kind, probe, set(changes))
    with transaction.atomic():
        old_owner = getattr(obj, "owner_unit_id", None)
        obj = crud.update(actor, obj, changes)
        if getattr(obj, "owner_unit_id", None) != old_owner:
            _move_children(actor, kind, obj)
        _after(actor, kind, obj, "update")
    return obj


def _move_children(actor, kind: Kind, parent: models.Model) -> None:
    """A parent handed to another unit takes its children along (one UPDATE each, every row audited)."""
    for child, path in _children_of(kind):
        rows = list(child.model.objects.filter(**{path: parent}).exclude(owner_unit=parent.owner_unit_id))
        if not rows:
            continue
        child.model.objects.filter(pk__in=[r.pk for r in rows]).update(owner_unit=parent.owner_unit_id)
        changes = []
        for r in rows:
            before = audit.snapshot(r)
            r.owner_unit_id = parent.owner_unit_id
            r.owner_unit = parent.owner_unit
            changes.append(audit.Change.of("move", r, before, audit.snapshot(r)))
        audit.record_many(changes, actor)


def delete(actor, kind: Kind, obj: models.Model) -> None:
    """Delete through crud; rows the database removes (cascade) or detaches (set null) are audited too."""
    with transaction.atomic():
        changes = []
        for rel in obj._meta.related_objects:
            if not rel.one_to_many or rel.related_model._meta.app_label == "core":
                continue
            on_delete = rel.on_delete
            rows = list(rel.related_model._default_manager.filter(**{rel.field.name: obj}))
            if on_delete is models.CASCADE:
                changes += [audit.Change.of("delete", r, audit.snapshot(r), None) for r in rows]
            elif on_delete is models.SET_NULL:
                for r in rows:
                    before = audit.snapshot(r)
                    setattr(r, rel.field.attname, None)
                    changes.append(audit.Change.of("update", r, before, audit.snapshot(r)))
        crud.delete(actor, obj)
        if changes:
            audit.record_many(changes, actor)
        _after(actor, kind, obj, "delete")
