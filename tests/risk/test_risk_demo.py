"""The demo on a small city: a grid for every community with officers, hazard sources graded exactly as the
library grades their holdings (every grade among the showcases), hazard areas, hidden dangers in every state;
a second run adds nothing."""

from __future__ import annotations

import random

import pytest

from yingji.core.demo import DemoContext
from yingji.domain.standards import gb18218
from yingji.risk import demo
from yingji.risk.models import GridCell, GridOfficer, HazardArea, HazardSource, HiddenDanger

pytestmark = pytest.mark.django_db


def test_demo_small_city(world):
    ctx = DemoContext(city=world.city, districts=[world.district], towns=[world.town],
                      communities=[world.c1, world.c2], departments=[], enterprises=[world.e1, world.e2] * 1,
                      rescue_orgs=[], rng=random.Random(1), progress=lambda m: None)
    demo.seed(ctx, workflow=40, ledger=16)
    assert GridCell.objects.count() == 4
    assert set(GridOfficer.objects.values_list("cell__owner_unit", flat=True)) == {world.c1.pk, world.c2.pk}
    for s in HazardSource.objects.all():
        holdings = [gb18218.Holding(**h.as_input()) for h in s.holdings.all()]
        lib = gb18218.assess(holdings, s.offsite_population)
        assert (s.s_value, s.is_major, s.grade) == (format(lib.s, "f"), lib.is_major, lib.grade)
    assert HazardSource.objects.filter(grade=1).exists() and HazardSource.objects.filter(grade=2).exists()
    assert HazardArea.objects.count() == 80
    assert set(HiddenDanger.objects.values_list("state", flat=True)) == {
        "reported", "rectifying", "verifying", "closed", "cancelled"}
    assert not HiddenDanger.objects.filter(state="rectifying", task__isnull=True).exists()
    n = HiddenDanger.objects.count()
    demo.seed(ctx)
    assert HiddenDanger.objects.count() == n


def test_demo_enterprise_account_sees_only_its_enterprise(world, client_for):
    from yingji.core.models import User

    ctx = DemoContext(city=world.city, districts=[world.district], towns=[world.town],
                      communities=[world.c1, world.c2], departments=[], enterprises=[world.e1, world.e2],
                      rescue_orgs=[], rng=random.Random(1), progress=lambda m: None)
    demo.seed(ctx, workflow=6, ledger=4)
    qiye = User.objects.get(username="qiye")
    c = client_for(qiye)
    owners = {row["owner_unit"] for row in c.get("/api/v1/risk/sources?limit=500").json()["items"]}
    assert owners == {world.e1.pk}
    assert HazardSource.objects.exclude(owner_unit=world.e1).exists()
