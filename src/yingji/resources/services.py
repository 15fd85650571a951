"""Writes of the resource registry: every change validated, in one transaction, in the audit log.

Generic create/update/delete go through yingji.core.crud. Stock changes only through movements: the batch row
is locked (SELECT … FOR UPDATE; SQLite queues writers with BEGIN IMMEDIATE) and the database refuses a negative
quantity (CheckConstraint), so concurrent issues can never overdraw a batch.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from yingji.core import audit, crud, permissions
from yingji.core.errors import Conflict, ValidationFailed, YingjiError
from yingji.core.kinds import importer
from yingji.core.kinds import services as kind_services
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
    "add_member", "record_inspection", "import_stock_rows", "link_errors",
]


def _kind(model):
    from yingji.resources.registry import kind_of_model

    return kind_of_model(model)


def link_errors(obj: models.Model) -> dict[str, list[str]]:
    """Links across units the registry refuses: equipment is attached only to a team of its own unit."""
    team = obj.team if isinstance(obj, Equipment) and obj.team_id else None
    if team is not None and team.owner_unit_id != obj.owner_unit_id:
        return {"team": [_("只能配属给本单位的队伍（“%(team)s”属于其他单位）") % {"team": team.name}]}
    return {}


def create(actor, model: type[models.Model], fields: dict) -> models.Model:
    """Create a registry object (the kernel's generic write, with the registry's own rules as Kind hooks)."""
    return kind_services.create(actor, _kind(model), fields)


def update(actor, obj: models.Model, changes: dict) -> models.Model:
    if isinstance(obj, StockBatch) and "quantity" in changes:
        raise ValidationFailed(_("库存数量只能通过出入库记录变更"), details={"quantity": [_("请使用入库、出库或盘点调整")]})
    return kind_services.update(actor, _kind(type(obj)), obj, changes)


def delete(actor, obj: models.Model) -> None:
    kind_services.delete(actor, _kind(type(obj)), obj)


def to_quantity(value, field: str = "quantity", allow_zero: bool = False) -> Decimal:
    try:
        qty = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(details={field: [_("数量不是有效的数字")]}) from None
    if not qty.is_finite():
        raise ValidationFailed(details={field: [_("数量不是有效的数字")]})
    if qty < 0 or (qty == 0 and not allow_zero):
        raise ValidationFailed(details={field: [_("数量必须大于零") if not allow_zero else _("数量不能为负")]})
    return _fits_ledger(qty, field)


# The ledger's columns are numeric(14,3): PostgreSQL refuses more, SQLite would keep it; both refuse it here.
LEDGER_MAX = Decimal("99999999999.999")
LEDGER_STEP = Decimal("0.001")


def _fits_ledger(qty: Decimal, field: str = "quantity") -> Decimal:
    if abs(qty) > LEDGER_MAX:
        raise ValidationFailed(details={field: [_("数量过大（最多 %(max)s）") % {"max": "99,999,999,999.999"}]})
    if qty != qty.quantize(LEDGER_STEP):
        raise ValidationFailed(details={field: [_("数量最多保留 3 位小数")]})
    return qty


def _move(actor, batch: StockBatch, kind: str, delta: Decimal, *, incident_ref: str = "", note: str = "",
          counterpart: StockBatch | None = None) -> StockMovement:
    """Apply `delta` to a batch already locked by the caller, and append the movement (both audited)."""
    new_qty = batch.quantity + delta
    _fits_ledger(new_qty)
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


def _batch_in(actor, warehouse: Warehouse, source: StockBatch) -> StockBatch:
    """The target batch for a transfer: existing, or created — also when another transfer creates it at the
    same moment (the unique (warehouse, item, batch_no) row is then fetched instead of failing)."""
    key = {"warehouse": warehouse, "item": source.item, "batch_no": source.batch_no}
    target = StockBatch.objects.filter(**key).first()
    if target is not None:
        return target
    try:
        with transaction.atomic():
            return create(actor, StockBatch, {**key, "production_date": source.production_date,
                                              "expiry_date": source.expiry_date})
    except Conflict:
        target = StockBatch.objects.filter(**key).first()
        if target is None:
            raise
        return target


def transfer(actor, batch: StockBatch | int, to_warehouse: Warehouse, quantity, *, note: str = "") -> StockBatch:
    """Move stock to another warehouse (same item and batch number); needs change rights on both sides.

    The target batch is found or created first; then both batch rows are locked in primary-key order, and only
    then is anything appended: two opposite transfers queue instead of deadlocking, and a transfer never waits
    on a lock while holding another writer's chain."""
    qty = to_quantity(quantity)
    with transaction.atomic():
        source = crud.get_for(actor, StockBatch, batch.pk if isinstance(batch, StockBatch) else batch, Action.CHANGE)
        if to_warehouse.pk == source.warehouse_id:
            raise ValidationFailed(details={"to_warehouse": [_("调入库不能与调出库相同")]})
        target = _batch_in(actor, to_warehouse, source)
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


def import_stock_rows(actor, kind, pending, report, progress) -> None:
    """Stock rows are receipts: each goes through the ledger; any refused row rolls everything back."""
    headers = dict(kind.columns)
    with transaction.atomic():
        for k, (n, values) in enumerate(pending, start=1):
            try:
                with transaction.atomic():
                    probe = StockBatch(owner_unit=values["warehouse"].owner_unit, **{
                        k2: v for k2, v in values.items() if k2 != "quantity"})
                    probe.clean()
                    receive(actor, values["warehouse"], values["item"], values["quantity"],
                                     batch_no=values.get("batch_no") or "",
                                     production_date=values.get("production_date"),
                                     expiry_date=values.get("expiry_date"), min_quantity=values.get("min_quantity"))
                report.created += 1
            except ValidationError as exc:
                for name, messages in crud.validation_details(exc).items():
                    for message in messages:
                        report.errors.append(importer.RowError(n, headers.get(name, name), message))
            except YingjiError as exc:
                details = exc.details if isinstance(exc.details, dict) else {}
                if not details:
                    report.errors.append(importer.RowError(n, "", exc.message))
                for name, messages in details.items():
                    for message in messages if isinstance(messages, list) else [messages]:
                        report.errors.append(importer.RowError(n, headers.get(name, name), str(message)))
            if progress and k % importer.CHUNK == 0:
                progress(len(pending) + k, len(pending) * 2)
        if report.errors:
            transaction.set_rollback(True)


