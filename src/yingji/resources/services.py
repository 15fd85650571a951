"""Writes of the resource registry: every change validated, in one transaction, in the audit log.

Generic create/update/delete go through yingji.core.crud. Stock changes only through movements: the batch row
is locked (SELECT … FOR UPDATE; SQLite queues writers with BEGIN IMMEDIATE) and the database refuses a negative
quantity (CheckConstraint), so concurrent issues can never overdraw a batch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import models, transaction
from django.utils.translation import gettext as _

from yingji.core import audit, crud, permissions
from yingji.core.errors import ValidationFailed
from yingji.core.roles import Action
from yingji.resources.models import (
    Equipment,
    Inspection,
    MaterialItem,
    MovementKind,
    StockBatch,
    StockMovement,
    Team,
    TeamMember,
    Warehouse,
)

__all__ = [
    "create", "update", "delete", "to_quantity", "receive", "issue", "transfer", "adjust", "write_off_expired",
    "add_member", "record_inspection",
]


# Children that belong to their parent's unit: (model, parent field) and, per parent model, its children.
_OWNING_PARENT = {StockBatch: "warehouse", TeamMember: "team", Inspection: "equipment"}
_CHILDREN_OF = {Warehouse: [(StockBatch, "warehouse"), (StockMovement, "batch__warehouse")],
                Team: [(TeamMember, "team")], Equipment: [(Inspection, "equipment")]}


def _owner_from_parent(model, fields: dict) -> dict:
    """Batches, members and inspections belong to their parent's owner unit, whatever the input says."""
    parent_field = _OWNING_PARENT.get(model)
    if parent_field and fields.get(parent_field) is not None:
        fields["owner_unit"] = fields[parent_field].owner_unit
    return fields


def create(actor, model: type[models.Model], fields: dict) -> models.Model:
    fields = _owner_from_parent(model, dict(fields))
    return crud.create(actor, model(**fields))


def update(actor, obj: models.Model, changes: dict) -> models.Model:
    if isinstance(obj, StockBatch) and "quantity" in changes:
        raise ValidationFailed(_("库存数量只能通过出入库记录变更"), details={"quantity": [_("请使用入库、出库或盘点调整")]})
    changes = _owner_from_parent(type(obj), dict(changes))
    with transaction.atomic():
        old_owner = obj.owner_unit_id
        obj = crud.update(actor, obj, changes)
        if obj.owner_unit_id != old_owner:
            _move_children(actor, obj)
    return obj


def _move_children(actor, parent: models.Model) -> None:
    """A parent handed to another unit takes its children along (one UPDATE each, every row audited)."""
    for child_model, path in _CHILDREN_OF.get(type(parent), []):
        rows = list(child_model.objects.filter(**{path: parent}).exclude(owner_unit=parent.owner_unit_id))
        if not rows:
            continue
        child_model.objects.filter(pk__in=[r.pk for r in rows]).update(owner_unit=parent.owner_unit_id)
        changes = []
        for r in rows:
            before = audit.snapshot(r)
            r.owner_unit_id = parent.owner_unit_id
            r.owner_unit = parent.owner_unit
            changes.append(audit.Change.of("move", r, before, audit.snapshot(r)))
        audit.record_many(changes, actor)


def delete(actor, obj: models.Model) -> None:
    """Delete through crud; rows the database removes or detaches along with it are audited too."""
    with transaction.atomic():
        changes = []
        if isinstance(obj, Team):
            changes += [audit.Change.of("delete", m, audit.snapshot(m), None) for m in obj.members.all()]
            for e in Equipment.objects.filter(team=obj):
                before = audit.snapshot(e)
                e.team_id = None
                changes.append(audit.Change.of("update", e, before, audit.snapshot(e)))
        if isinstance(obj, Equipment):
            changes += [audit.Change.of("delete", i, audit.snapshot(i), None) for i in obj.inspections.all()]
        crud.delete(actor, obj)
        if changes:
            audit.record_many(changes, actor)


def to_quantity(value, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    try:
        qty = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(details={field: [_("数量不是有效的数字")]}) from None
    if not qty.is_finite():
        raise ValidationFailed(details={field: [_("数量不是有效的数字")]})
    if qty < 0 or (qty == 0 and not allow_zero):
        raise ValidationFailed(details={field: [_("数量必须大于零") if not allow_zero else _("数量不能为负")]})
    return qty


def _move(actor, batch: StockBatch, kind: str, delta: Decimal, *, incident_ref: str = "", note: str = "",
          counterpart: StockBatch | None = None) -> StockMovement:
    """Apply `delta` to a batch already locked by the caller, and append the movement (both audited)."""
    new_qty = batch.quantity + delta
    if new_qty < 0:
        raise ValidationFailed(
            _("库存不足：%(name)s 现有 %(have)s，需 %(want)s")
            % {"name": batch, "have": batch.quantity.normalize(), "want": (-delta).normalize()},
            details={"quantity": [_("库存不足")]}, code="insufficient_stock",
        )
    before = audit.snapshot(batch)
    batch.quantity = new_qty
    batch.save(update_fields=["quantity", "updated_at"])
    audit.record("update", batch, before, audit.snapshot(batch), actor)
    movement = StockMovement(owner_unit_id=batch.owner_unit_id, batch=batch, kind=kind, delta=delta, balance=new_qty,
                             incident_ref=incident_ref, note=note, counterpart=counterpart,
                             actor_name=str(actor) if actor is not None else "system")
    return crud.create(actor, movement, unit=batch.owner_unit)


def _locked(actor, batch: StockBatch | int) -> StockBatch:
    pk = batch.pk if isinstance(batch, StockBatch) else batch
    return crud.get_for(actor, StockBatch, pk, Action.CHANGE, lock=True)


def receive(actor, warehouse: Warehouse, item: MaterialItem, quantity, *, batch_no: str = "",
            production_date: dt.date | None = None, expiry_date: dt.date | None = None,
            min_quantity=None, note: str = "") -> StockBatch:
    """Put stock in: into the existing (warehouse, item, batch_no) batch, or a new one."""
    qty = to_quantity(quantity)
    with transaction.atomic():
        batch = (StockBatch.objects.select_for_update()
                 .filter(warehouse=warehouse, item=item, batch_no=batch_no).first())
        if batch is None:
            batch = create(actor, StockBatch, {
                "warehouse": warehouse, "item": item, "batch_no": batch_no, "production_date": production_date,
                "expiry_date": expiry_date,
                "min_quantity": to_quantity(min_quantity, "min_quantity", True) if min_quantity else Decimal(0)})
        batch = _locked(actor, batch)
        _move(actor, batch, MovementKind.IN, qty, note=note)
    return batch


def issue(actor, batch: StockBatch | int, quantity, *, incident_ref: str = "", note: str = "",
          kind: str = MovementKind.ISSUE) -> StockMovement:
    """Take stock out (to an incident, or a plain out-movement); refuses to overdraw."""
    if kind not in (MovementKind.ISSUE, MovementKind.OUT):
        raise ValidationFailed(details={"kind": [_("出库类型无效")]})
    qty = to_quantity(quantity)
    with transaction.atomic():
        locked = _locked(actor, batch)
        return _move(actor, locked, kind, -qty, incident_ref=incident_ref, note=note)


def transfer(actor, batch: StockBatch | int, to_warehouse: Warehouse, quantity, *, note: str = "") -> StockBatch:
    """Move stock to another warehouse (same item and batch number); needs change rights on both sides.

    Both batch rows are locked in primary-key order, so two opposite transfers queue instead of deadlocking."""
    qty = to_quantity(quantity)
    with transaction.atomic():
        source = crud.get_for(actor, StockBatch, batch.pk if isinstance(batch, StockBatch) else batch, Action.CHANGE)
        if to_warehouse.pk == source.warehouse_id:
            raise ValidationFailed(details={"to_warehouse": [_("调入库不能与调出库相同")]})
        target = StockBatch.objects.filter(warehouse=to_warehouse, item=source.item, batch_no=source.batch_no).first()
        if target is None:
            target = create(actor, StockBatch, {
                "warehouse": to_warehouse, "item": source.item, "batch_no": source.batch_no,
                "production_date": source.production_date, "expiry_date": source.expiry_date})
        locked = {pk: _locked(actor, pk) for pk in sorted((source.pk, target.pk))}
        source, target = locked[source.pk], locked[target.pk]
        _move(actor, source, MovementKind.TRANSFER_OUT, -qty, note=note, counterpart=target)
        _move(actor, target, MovementKind.TRANSFER_IN, qty, note=note, counterpart=source)
    return target


def adjust(actor, batch: StockBatch | int, counted, *, note: str = "") -> StockMovement | None:
    """A stock-take: set the batch to the counted quantity (a signed adjustment movement)."""
    counted_qty = to_quantity(counted, "counted", allow_zero=True)
    with transaction.atomic():
        locked = _locked(actor, batch)
        delta = counted_qty - locked.quantity
        if delta == 0:
            return None
        return _move(actor, locked, MovementKind.ADJUST, delta, note=note or _("盘点调整"))


def write_off_expired(actor, batch: StockBatch | int, *, today: dt.date | None = None) -> StockMovement:
    with transaction.atomic():
        locked = _locked(actor, batch)
        from django.utils import timezone

        today = today or timezone.localdate()
        if locked.expiry_date is None or locked.expiry_date >= today:
            raise ValidationFailed(details={"expiry_date": [_("该批次尚未过期，不能报废")]})
        if locked.quantity == 0:
            raise ValidationFailed(details={"quantity": [_("该批次已无库存")]})
        return _move(actor, locked, MovementKind.EXPIRE, -locked.quantity, note=_("过期报废"))


def add_member(actor, team: Team, **fields) -> TeamMember:
    return create(actor, TeamMember, {"team": team, **fields})


def record_inspection(actor, equipment: Equipment, inspected_on: dt.date, *, passed: bool = True,
                      inspector: str = "", note: str = "") -> Inspection:
    """Record an inspection and move the equipment's next due date (both audited)."""
    with transaction.atomic():
        permissions.require(actor, Action.CHANGE, equipment)
        record = create(actor, Inspection, {"equipment": equipment, "inspected_on": inspected_on,
                                            "passed": passed, "inspector": inspector, "note": note})
        changes = {}
        if equipment.last_inspected_on is None or inspected_on > equipment.last_inspected_on:
            changes["last_inspected_on"] = inspected_on
        if not passed and equipment.status == "available":
            changes["status"] = "maintenance"
        if changes:
            crud.update(actor, equipment, changes)
    return record
