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
