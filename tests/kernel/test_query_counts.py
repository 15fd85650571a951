"""No N+1: every registry list page, API list and export runs the same number of queries for 3 rows as for
15 (vocabularies, owners and related rows are loaded once, availability is annotated in SQL)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yingji.resources import services
from yingji.resources.models import Equipment, MaterialItem, Team, Warehouse

pytestmark = pytest.mark.django_db


def _add(world, n: int, start: int) -> None:
    item = MaterialItem.objects.get(code="1020201")
    for i in range(start, start + n):
        wh = services.create(None, Warehouse, {"owner_unit": world.town_a, "code": f"W{i}", "name": f"库{i}",
                                               "lat": 23.1, "lng": 113.2})
        services.receive(None, wh, item, Decimal(10))
        team = services.create(None, Team, {"owner_unit": world.town_a, "code": f"T{i}", "name": f"队{i}",
                                            "kind": "social", "specialty": "flood", "lat": 23.1, "lng": 113.2,
                                            "capabilities": {"pumping": "100", "water_rescue": None},
                                            "hazard_types": ["flood", "typhoon"]})
        services.add_member(None, team, name=f"队员{i}")
        services.create(None, Equipment, {"owner_unit": world.town_a, "code": f"E{i}", "name": f"泵{i}",
                                          "equipment_type": "泵", "team": team, "capabilities": {"pumping": "50"}})


URLS = [f"/resources/{k}/" for k in ("warehouses", "stock", "teams", "members", "equipment", "movements")] + \
       [f"/api/v1/resources/{k}" for k in ("warehouses", "stock", "teams", "members", "equipment", "movements")] + \
       [f"/api/v1/resources/{k}/export?format={f}" for k in ("teams", "equipment", "stock") for f in ("csv", "xlsx")]


def _counts(client) -> dict[str, int]:
    out = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        out[url] = len(ctx.captured_queries)
    return out


def test_query_count_does_not_grow_with_rows(world, monkeypatch):
    from yingji.core import vocabulary

    # Vocabularies are re-checked at most once a second; freeze that so both runs count the same way.
    monkeypatch.setattr(vocabulary, "_RECHECK_S", 3600.0)
    c = Client()
    c.force_login(world.duty)
    _add(world, 3, 0)
    _counts(c)  # warm the vocabulary caches the way a running server has them
    small = _counts(c)
    _add(world, 12, 100)
    large = _counts(c)
    grew = {u: (small[u], large[u]) for u in URLS if large[u] != small[u]}
    assert not grew, grew
