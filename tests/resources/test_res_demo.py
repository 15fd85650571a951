"""The demo city's resources: plausible places, real gaps on the dashboard, and a second run creates nothing."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.core.demo import EAST, NORTH, SOUTH, WEST, seed_demo
from yingji.core.models import AuditEntry, User
from yingji.resources import selectors
from yingji.resources.models import (
    Equipment,
    Expert,
    Shelter,
    StockBatch,
    StockMovement,
    Team,
    TeamMember,
    Warehouse,
)

MODELS = (Warehouse, StockBatch, StockMovement, Team, TeamMember, Equipment, Expert, Shelter)


@pytest.mark.django_db
def test_demo_resources_are_plausible_idempotent_and_show_gaps():
    seed_demo()
    counts = {m: m.objects.count() for m in MODELS}
    assert counts[Warehouse] >= 40 and counts[StockBatch] >= 2000 and counts[Equipment] >= 1500
    assert counts[Team] >= 150 and counts[TeamMember] >= 150 * 5 and counts[Expert] >= 200
    assert counts[Shelter] >= 120
    for model in (Warehouse, Team, Equipment, Expert, Shelter):
        for lng, lat in model.objects.values_list("lng", "lat"):
            assert WEST <= lng <= EAST and SOUTH <= lat <= NORTH
    owners = set(Warehouse.objects.values_list("owner_unit__kind", flat=True)) | set(
        Team.objects.values_list("owner_unit__kind", flat=True))
    assert {"district", "town", "department", "enterprise", "rescue_org"} <= owners
    # the ledger explains every quantity
    for b in StockBatch.objects.filter(quantity__gt=0)[:50]:
        assert b.movements.get().balance == b.quantity

    duty = User.objects.get(username="duty")
    gaps = selectors.readiness(duty)["counts"]
    assert gaps["below_min"] > 0 and gaps["expiring_30"] > 0 and gaps["overdue"] > 0 and gaps["not_ready"] > 0

    audit_before = AuditEntry.objects.count()
    seed_demo()
    assert {m: m.objects.count() for m in MODELS} == counts
    assert AuditEntry.objects.count() == audit_before

    c = Client()
    c.force_login(duty)
    html = c.get("/resources/").content.decode()
    assert f'data-testid="not-ready">{gaps["not_ready"]}<' in html
    staff = User.objects.get(username="staff")
    c.force_login(staff)
    fc = c.get(f"/api/v1/resources/warehouses/geojson?within={staff.unit_id}").json()
    assert len(fc["features"]) >= 1  # the demo town sees its own warehouse on the map
