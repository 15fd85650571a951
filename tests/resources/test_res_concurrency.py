"""Parallel issues against one batch: never negative, and what was handed out is exactly what left the batch."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections

from yingji.core.errors import ValidationFailed
from yingji.resources import services
from yingji.resources.models import StockBatch, StockMovement


@pytest.mark.django_db(transaction=True)
def test_parallel_issues_never_overdraw(world, warehouse_a, item):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database; in-memory SQLite cannot be shared between writers")
    batch = services.receive(world.staff_a, warehouse_a, item, 50)
    workers, per_worker, size = 8, 5, Decimal(3)  # 120 asked for, 50 available
    ok, refused, errors = [], [], []
    barrier = threading.Barrier(workers)

    def work():
        try:
            barrier.wait()
            for _ in range(per_worker):
                try:
                    services.issue(world.staff_a, batch.pk, size, incident_ref="SJ-PAR")
                    ok.append(size)
                except ValidationFailed:
                    refused.append(size)
        except Exception as exc:  # noqa: BLE001 — report anything unexpected from the thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    batch.refresh_from_db()
    assert batch.quantity >= 0
    assert sum(ok) == Decimal(50) - batch.quantity
    assert len(ok) == 16 and batch.quantity == 2  # 16 × 3 = 48 fits, the rest is refused
    issued = StockMovement.objects.filter(batch=batch, kind="issue")
    assert issued.count() == len(ok) and sorted(m.balance for m in issued) == sorted(
        Decimal(50) - size * k for k in range(1, len(ok) + 1))


@pytest.mark.django_db(transaction=True)
def test_database_refuses_negative_quantity(world, warehouse_a, item):
    batch = services.receive(world.staff_a, warehouse_a, item, 5)
    with pytest.raises(IntegrityError):
        StockBatch.objects.filter(pk=batch.pk).update(quantity=Decimal("-1"))


@pytest.mark.django_db(transaction=True)
def test_opposite_transfers_neither_deadlock_nor_lose_stock(world, warehouse_a, item):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database")
    from yingji.resources.models import Warehouse

    other = services.create(None, Warehouse, {"owner_unit": world.town_a, "code": "CK-A-02", "name": "二号库",
                                              "lat": 23.102, "lng": 113.202})
    a = services.receive(world.staff_a, warehouse_a, item, 100, batch_no="T")
    b = services.receive(world.staff_a, other, item, 100, batch_no="T")
    errors = []
    done = []
    barrier = threading.Barrier(6)

    def work(src, dst):
        try:
            barrier.wait()
            for _ in range(5):
                try:
                    services.transfer(world.staff_a, src.pk, dst, 7)
                    done.append(1)
                except ValidationFailed:
                    pass  # one side can run dry when most transfers happen to go the same way
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(a, other) if i % 2 else (b, warehouse_a)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.quantity + b.quantity == 200 and a.quantity >= 0 and b.quantity >= 0
    moved_out = StockMovement.objects.filter(kind="transfer_out").count()
    assert moved_out == StockMovement.objects.filter(kind="transfer_in").count() == len(done) > 0


@pytest.mark.django_db(transaction=True)
def test_transfers_to_new_warehouses_and_issues_at_16_workers(world, warehouse_a, item):
    """The hammer of issue #10: 40 transfers into new warehouses (several racing to create the same target
    batch) and 60 issues from the same source, 16 threads: no error at all, and the ledger equals the stock."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database")
    from yingji.resources.models import Warehouse

    targets = [services.create(None, Warehouse, {"owner_unit": world.town_a, "code": f"CK-N-{i}", "name": f"新库{i}",
                                                 "lat": 23.1, "lng": 113.2}) for i in range(10)]
    source = services.receive(world.staff_a, warehouse_a, item, 10_000, batch_no="H")
    jobs = [("transfer", targets[i % 10]) for i in range(40)] + [("issue", None) for _ in range(60)]
    lock = threading.Lock()
    errors: list[BaseException] = []
    barrier = threading.Barrier(16)

    def work():
        try:
            barrier.wait(timeout=60)
            while True:
                with lock:
                    if not jobs:
                        return
                    op, target = jobs.pop()
                if op == "transfer":
                    services.transfer(world.staff_a, source.pk, target, 5)
                else:
                    services.issue(world.staff_a, source.pk, 3, incident_ref="SJ-H")
        except BaseException as exc:  # noqa: BLE001 — every error counts against the run
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [], errors[:3]
    source.refresh_from_db()
    assert source.quantity == 10_000 - 40 * 5 - 60 * 3
    for batch in StockBatch.objects.all():
        ledger = sum(StockMovement.objects.filter(batch=batch).values_list("delta", flat=True))
        assert ledger == batch.quantity, batch
    assert StockBatch.objects.filter(batch_no="H").count() == 11  # one new batch per target, never two
    from yingji.core import audit

    assert audit.verify().ok
