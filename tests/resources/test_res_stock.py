"""Stock moves only through the ledger, never below zero, with every change audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yingji.core.errors import PermissionDenied, ValidationFailed
from yingji.core.models import AuditEntry
from yingji.resources import services
from yingji.resources.models import MovementKind, StockBatch, StockMovement, Warehouse


def test_receive_issue_and_ledger(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, "100", batch_no="B1",
                             production_date=dt.date(2026, 1, 1), expiry_date=dt.date(2027, 1, 1), min_quantity=20)
    services.issue(world.staff_a, batch, Decimal("30.5"), incident_ref="SJ-2026-001")
    batch.refresh_from_db()
    assert batch.quantity == Decimal("69.5")
    kinds = list(StockMovement.objects.filter(batch=batch).order_by("pk").values_list("kind", "delta", "balance"))
    assert kinds == [(MovementKind.IN, Decimal("100"), Decimal("100")),
                     (MovementKind.ISSUE, Decimal("-30.5"), Decimal("69.5"))]
    assert StockMovement.objects.get(kind=MovementKind.ISSUE).incident_ref == "SJ-2026-001"


def test_issue_more_than_stock_is_refused_and_changes_nothing(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, 10)
    movements = StockMovement.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.issue(world.staff_a, batch, 11)
    assert "库存不足" in exc.value.message
    batch.refresh_from_db()
    assert batch.quantity == 10 and StockMovement.objects.count() == movements


@pytest.mark.parametrize("bad", ["-5", "0", "abc", "NaN"])
def test_bad_quantities_are_refused(world, warehouse_a, item, bad):
    with pytest.raises(ValidationFailed):
        services.receive(world.staff_a, warehouse_a, item, bad)
    assert not StockBatch.objects.exists()


def test_expiry_before_production_is_refused(world, warehouse_a, item):
    with pytest.raises(ValidationFailed) as exc:
        services.receive(world.staff_a, warehouse_a, item, 5, production_date=dt.date(2026, 5, 1),
                         expiry_date=dt.date(2026, 4, 1))
    assert "expiry_date" in exc.value.details
    assert not StockBatch.objects.exists()


def test_quantity_cannot_be_edited_directly(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, 10)
    with pytest.raises(ValidationFailed):
        services.update(world.staff_a, batch, {"quantity": Decimal(1000)})


def test_transfer_adjust_and_write_off(world, warehouse_a, item):
    wh_city = services.create(None, Warehouse, {"owner_unit": world.district, "code": "CK-D", "name": "区库",
                                                "lat": 23.12, "lng": 113.3})
    batch = services.receive(world.staff_a, warehouse_a, item, 50, batch_no="X", expiry_date=dt.date(2026, 1, 1))
    # staff of town A cannot put stock into the district's warehouse
    with pytest.raises(PermissionDenied):
        services.transfer(world.staff_a, batch, wh_city, 5)
    target = services.transfer(None, batch, wh_city, 20)
    batch.refresh_from_db()
    assert (batch.quantity, target.quantity) == (30, 20)
    services.adjust(world.staff_a, batch, 28)
    batch.refresh_from_db()
    assert batch.quantity == 28
    services.write_off_expired(world.staff_a, batch, today=dt.date(2026, 6, 1))
    batch.refresh_from_db()
    assert batch.quantity == 0
    kinds = [m.kind for m in StockMovement.objects.filter(batch=batch).order_by("pk")]
    assert kinds == ["in", "transfer_out", "adjust", "expire"]


def test_other_town_cannot_issue(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, 10)
    for user in (world.staff_b, world.viewer, world.duty):
        with pytest.raises(PermissionDenied):
            services.issue(user, batch, 1)
    batch.refresh_from_db()
    assert batch.quantity == 10


def test_every_stock_change_is_audited(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, 10)
    services.issue(world.staff_a, batch, 4)
    entries = AuditEntry.objects.filter(object_type="resources.stockbatch", object_id=str(batch.pk))
    assert entries.filter(action="create").count() == 1
    assert entries.filter(action="update").count() == 2
    assert AuditEntry.objects.filter(object_type="resources.stockmovement").count() == 2
    assert AuditEntry.objects.filter(object_type="resources.warehouse", action="create").count() == 1
    assert entries.first().actor_name == "staff_a"


def test_movements_are_append_only(world, warehouse_a, item):
    services.receive(world.staff_a, warehouse_a, item, 10)
    m = StockMovement.objects.get()
    m.note = "tamper"
    with pytest.raises(RuntimeError):
        m.save()
