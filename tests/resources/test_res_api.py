"""The API as a client sees it: permissions per unit, filters by subtree, capability, distance and polygon."""

from __future__ import annotations

import json
import math
import random

import pytest
from django.test import Client

from yingji.core.models import AuditEntry
from yingji.resources import services
from yingji.resources.models import Team, Warehouse
from yingji.resources.models.base import prepare

API = "/api/v1/resources"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def wh(code, unit, lng, lat):
    return {"owner_unit_id": unit.pk, "code": code, "name": f"仓库{code}", "lng": lng, "lat": lat}


def test_town_staff_adds_own_warehouse_but_not_another_towns(world):
    c = client(world.staff_a)
    r = c.post(f"{API}/warehouses", wh("A1", world.town_a, 113.2, 23.1), content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["owner_unit"] == world.town_a.pk
    r = c.post(f"{API}/warehouses", wh("B1", world.town_b, 113.4, 23.1), content_type="application/json")
    assert r.status_code == 403
    assert list(Warehouse.objects.values_list("code", flat=True)) == ["A1"]


def test_staff_changes_own_but_not_other_towns_warehouse(world):
    a = services.create(None, Warehouse, wh("A1", world.town_a, 113.2, 23.1) | {"owner_unit": world.town_a})
    b = services.create(None, Warehouse, wh("B1", world.town_b, 113.4, 23.1) | {"owner_unit": world.town_b})
    c = client(world.staff_a)
    assert c.patch(f"{API}/warehouses/{a.pk}", {"keeper": "王五"}, content_type="application/json").status_code == 200
    assert c.patch(f"{API}/warehouses/{b.pk}", {"keeper": "王五"}, content_type="application/json").status_code == 403
    # moving your warehouse to another town is a write there too
    r = c.patch(f"{API}/warehouses/{a.pk}", {"owner_unit_id": world.town_b.pk}, content_type="application/json")
    assert r.status_code == 403
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.keeper, b.keeper, a.owner_unit_id) == ("王五", "", world.town_a.pk)
    assert AuditEntry.objects.filter(object_type="resources.warehouse", object_id=str(a.pk), action="update").exists()


def test_duty_officer_sees_every_units_resources_but_cannot_write(world):
    services.create(None, Warehouse, wh("A1", world.town_a, 113.2, 23.1) | {"owner_unit": world.town_a})
    services.create(None, Warehouse, wh("B1", world.town_b, 113.4, 23.1) | {"owner_unit": world.town_b})
    for user in (world.duty, world.viewer, world.staff_b):
        r = client(user).get(f"{API}/warehouses")
        assert r.status_code == 200 and r.json()["count"] == 2
    for user in (world.duty, world.viewer):
        r = client(user).post(f"{API}/warehouses", wh("X", world.town_a, 113.2, 23.1), content_type="application/json")
        assert r.status_code == 403
    assert Client().get(f"{API}/warehouses").status_code == 401


def test_within_filters_by_unit_subtree(world):
    services.create(None, Warehouse, wh("A1", world.town_a, 113.2, 23.1) | {"owner_unit": world.town_a})
    services.create(None, Warehouse, wh("B1", world.town_b, 113.4, 23.1) | {"owner_unit": world.town_b})
    c = client(world.duty)
    codes = lambda url: sorted(i["code"] for i in c.get(url).json()["items"])  # noqa: E731
    assert codes(f"{API}/warehouses?within={world.town_a.pk}") == ["A1"]
    assert codes(f"{API}/warehouses?within={world.district.pk}") == ["A1", "B1"]


@pytest.mark.parametrize(("lat", "lng", "needle"), [
    (113.2, 23.1, "填反"),  # swapped
    (95.0, 113.2, "范围"),  # out of range
    (48.85, 2.35, "中国境内"),  # Paris
])
def test_bad_coordinates_are_refused_in_chinese(world, lat, lng, needle):
    r = client(world.staff_a).post(f"{API}/warehouses", wh("A1", world.town_a, lng, lat) | {"lat": lat, "lng": lng},
                                   content_type="application/json")
    assert r.status_code == 422
    assert needle in json.dumps(r.json(), ensure_ascii=False)
    assert not Warehouse.objects.exists()


def test_duplicate_code_is_a_clear_error(world):
    c = client(world.staff_a)
    assert c.post(f"{API}/warehouses", wh("A1", world.town_a, 113.2, 23.1), content_type="application/json").status_code == 201
    r = c.post(f"{API}/warehouses", wh("A1", world.town_a, 113.2, 23.1), content_type="application/json")
    assert r.status_code == 422 and "code" in r.json()["error"]["details"]
    assert Warehouse.objects.count() == 1


def test_stock_via_api_never_negative(world, warehouse_a, item):
    c = client(world.staff_a)
    r = c.post(f"{API}/stock", {"warehouse_id": warehouse_a.pk, "item_code": item.code, "quantity": "10",
                                "min_quantity": "5"}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(f"{API}/stock/{pk}/issue", {"quantity": "4", "incident_ref": "SJ-1"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["balance"] == "6.000"
    r = c.post(f"{API}/stock/{pk}/issue", {"quantity": "7"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["code"] == "insufficient_stock"
    r = c.post(f"{API}/stock/{pk}/issue", {"quantity": "-3"}, content_type="application/json")
    assert r.status_code == 422
    assert client(world.duty).get(f"{API}/stock?below_min=true").json()["count"] == 0
    c.post(f"{API}/stock/{pk}/issue", {"quantity": "2"}, content_type="application/json")
    assert client(world.duty).get(f"{API}/stock?below_min=true").json()["count"] == 1
    assert client(world.staff_b).post(f"{API}/stock/{pk}/issue", {"quantity": "1"},
                                      content_type="application/json").status_code == 403


def test_team_leader_manages_teams_but_not_warehouses(world):
    c = client(world.leader)
    r = c.post(f"{API}/teams", {"owner_unit_id": world.rescue.pk, "code": "T1", "name": "蓝天救援一队",
                                "kind": "social", "specialty": "water", "capabilities": {"water_rescue": 20}},
               content_type="application/json")
    assert r.status_code == 201, r.content
    r = c.post(f"{API}/members", {"team_id": r.json()["id"], "name": "陈一", "role": "队长"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    r = c.post(f"{API}/warehouses", wh("R1", world.rescue, 113.3, 23.1), content_type="application/json")
    assert r.status_code == 403


def _random_teams(world, n=120, seed=7):
    rng = random.Random(seed)
    objs = []
    for i in range(n):
        caps = {"pumping": None} if i % 3 == 0 else {"medical": None}
        t = Team(owner_unit=world.town_a if i % 2 else world.town_b, code=f"T{i:04d}", name=f"队{i}",
                 kind="professional", specialty="flood", capabilities=caps,
                 lng=rng.uniform(113.10, 113.50), lat=rng.uniform(22.96, 23.24))
        prepare(t)
        objs.append(t)
    from yingji.core import crud

    return crud.bulk_create(None, objs)


def _haversine_km(lng1, lat1, lng2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def test_distance_filter_matches_brute_force(world):
    _random_teams(world)
    c = client(world.duty)
    for lng, lat, radius in [(113.3, 23.1, 5), (113.15, 23.0, 12.5), (113.45, 23.2, 1)]:
        r = c.get(f"{API}/teams?near={lng},{lat}&radius_km={radius}&capability=pumping&limit=500&ordering=distance")
        assert r.status_code == 200
        got = [i["code"] for i in r.json()["items"]]
        expected = sorted((t for t in Team.objects.all() if "pumping" in t.capabilities
                           and _haversine_km(lng, lat, t.lng, t.lat) <= radius),
                          key=lambda t: _haversine_km(lng, lat, t.lng, t.lat))
        assert got == [t.code for t in expected]
        for i, t in zip(r.json()["items"], expected, strict=True):
            assert abs(i["distance_m"] / 1000 - _haversine_km(lng, lat, t.lng, t.lat)) < 0.01


def test_polygon_and_bbox_filters_match_brute_force(world):
    from shapely.geometry import Point, shape

    _random_teams(world)
    poly = {"type": "Polygon", "coordinates": [[[113.2, 23.0], [113.4, 23.05], [113.35, 23.2], [113.15, 23.15],
                                                [113.2, 23.0]]]}
    c = client(world.duty)
    r = c.post(f"{API}/teams/search?limit=500", {"polygon": poly}, content_type="application/json")
    assert r.status_code == 200
    geom = shape(poly)
    expected = {t.code for t in Team.objects.all() if geom.covers(Point(t.lng, t.lat))}
    assert {i["code"] for i in r.json()["items"]} == expected and expected
    r = c.get(f"{API}/teams", {"polygon": json.dumps(poly), "limit": 500, "capability": "medical"})
    assert {i["code"] for i in r.json()["items"]} == {t.code for t in Team.objects.all()
                                                      if t.code in expected and "medical" in t.capabilities}
    r = c.get(f"{API}/teams?bbox=113.2,23.0,113.3,23.1&limit=500")
    assert {i["code"] for i in r.json()["items"]} == {
        t.code for t in Team.objects.all() if 113.2 <= t.lng <= 113.3 and 23.0 <= t.lat <= 23.1}
    assert c.get(f"{API}/teams?polygon=notjson").status_code == 400
    assert c.get(f"{API}/teams?near=113.3,23.1").status_code == 400


def test_exact_filters_and_geojson(world):
    _random_teams(world, n=10)
    Team.objects.filter(code="T0001").update(readiness="not_ready")
    c = client(world.viewer)
    r = c.get(f"{API}/teams?readiness=not_ready")
    assert [i["code"] for i in r.json()["items"]] == ["T0001"]
    fc = c.get(f"{API}/teams/geojson").json()
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 10
    assert fc["features"][0]["properties"]["url"].startswith("/resources/teams/")


def test_capability_supply_sums_what_is_available_nearby(world):
    from yingji.resources.models import Equipment

    def team(code, lng, qty, readiness="ready"):
        return services.create(None, Team, {"owner_unit": world.town_a, "code": code, "name": f"队{code}",
                                            "kind": "professional", "specialty": "flood", "lng": lng, "lat": 23.1,
                                            "capabilities": {"pumping": qty}, "readiness": readiness})

    team("T1", 113.20, 2000)
    team("T2", 113.21, 1500, readiness="not_ready")  # offered but not available: listed, not counted
    team("T3", 113.45, 9000)  # too far
    services.create(None, Equipment, {"owner_unit": world.town_b, "code": "E1", "name": "移动泵车",
                                      "equipment_type": "排水机械", "lng": 113.205, "lat": 23.1,
                                      "capabilities": {"pumping": "1000"}})
    r = client(world.duty).get(f"{API}/capabilities/pumping/supply?near=113.2,23.1&radius_km=5")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["quantity_unit"] == "m³/h" and float(data["available_total"]) == 3000
    assert [(p["type"], p["name"], p["available"]) for p in data["providers"]] == [
        ("teams", "队T1", True), ("equipment", "移动泵车", True), ("teams", "队T2", False)]
    assert client(world.duty).get(f"{API}/capabilities/teleport/supply").status_code == 404


def test_stock_lines_carry_item_and_warehouse_names(world, warehouse_a, item):
    services.receive(None, warehouse_a, item, 3)
    r = client(world.viewer).get(f"{API}/stock")
    line = r.json()["items"][0]
    assert (line["item_name"], line["warehouse_name"], line["owner_unit_name"]) == (
        "瓶装饮用水", warehouse_a.name, world.town_a.name)
    r = client(world.viewer).get(f"{API}/readiness?within={world.town_a.pk}")
    assert r.status_code == 200 and r.json()["counts"]["warehouses"] == 1


def test_openapi_describes_every_resource_endpoint(world):
    r = client(world.viewer).get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for key in ("warehouses", "stock", "teams", "members", "equipment", "experts", "shelters", "facilities"):
        assert f"/api/v1/resources/{key}" in paths
    assert "/api/v1/resources/stock/{pk}/issue" in paths
