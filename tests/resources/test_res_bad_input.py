"""Bad input never gives a 500 in the resource registry, on SQLite and on PostgreSQL alike (issue #10's catalogue).

Black-box: requests through Django's test client (API, pages, import) against the real database; each checks
the status, the error shape or the page's message, and that nothing was written.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from yingji.core.models import AuditEntry
from yingji.resources import services
from yingji.resources.models import Equipment, StockBatch, StockMovement, Team

API = "/api/v1/resources"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    return body["error"]


def _post(c, path, body):
    return c.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def equipment(world):
    return services.create(world.staff_a, Equipment, {
        "owner_unit": world.town_a, "code": "ZB-1", "name": "排涝泵", "equipment_type": "泵",
        "inspection_interval_days": 30, "lat": 23.1, "lng": 113.2})


@pytest.fixture
def batch(world, warehouse_a, item):
    return services.receive(world.staff_a, warehouse_a, item, 10)


# --- exact filters that are not values of their field ---

@pytest.mark.parametrize("path", [
    "stock?warehouse=abc", "stock?item=abc", "stock?warehouse=1,abc", "members?team=abc", "equipment?team=x",
    "movements?batch=abc", "inspections?equipment=abc", "materials?level=abc", "materials?parent=abc",
    "stock?warehouse=99999999999999999999", "teams?full_time=maybe", "equipment?status=flying",
    "stock?warehouse=" + ",".join(["1"] * 101),
])
def test_non_value_exact_filter_is_400(world, path):
    c = client(world.duty)
    err = _error(c.get(f"{API}/{path}"), 400, "bad_filter")
    assert path.split("?")[1].split("=")[0] in json.dumps(err, ensure_ascii=False)
    kind, query = path.split("?")
    name, value = query.split("=", 1)
    _error(_post(c, f"{API}/{kind}/search", {"filters": {name: value}}), 400, "bad_filter")
    _error(c.get(f"{API}/{kind}/export?format=csv&{query}"), 400, "bad_filter")


def test_valid_exact_filters_still_filter(world, batch, warehouse_a):
    c = client(world.duty)
    assert c.get(f"{API}/stock?warehouse={warehouse_a.pk}").json()["count"] == 1
    assert c.get(f"{API}/stock?warehouse={warehouse_a.pk + 1000},{warehouse_a.pk}").json()["count"] == 1
    assert c.get(f"{API}/stock?warehouse=2147483647").json()["count"] == 0


@pytest.mark.parametrize("query", ["below_min=true", "expiring_days=5", "overdue=true"])
def test_stock_or_equipment_only_filters_on_other_types_are_400(world, query):
    _error(client(world.duty).get(f"{API}/warehouses/export?{query}"), 400, "bad_filter")


# --- dates past the calendar's end ---

def test_inspection_on_9999_12_31_is_422_and_records_nothing(world, equipment):
    c = client(world.staff_a)
    err = _error(_post(c, f"{API}/equipment/{equipment.pk}/inspections", {"inspected_on": "9999-12-31"}), 422,
                 "validation_failed")
    assert "inspection_interval_days" in err["details"]
    assert not equipment.inspections.exists()
    equipment.refresh_from_db()
    assert equipment.last_inspected_on is None


@pytest.mark.parametrize("fields", [
    {"last_inspected_on": "9999-12-31"},
    {"inspection_interval_days": 1_000_000_000, "last_inspected_on": "2026-01-01"},
    {"inspection_interval_days": 2_147_483_647, "last_inspected_on": "2026-01-01"},
])
def test_equipment_due_date_overflow_is_422(world, equipment, fields):
    c = client(world.staff_a)
    r = c.patch(f"{API}/equipment/{equipment.pk}", json.dumps(fields), content_type="application/json")
    _error(r, 422, "validation_failed")
    equipment.refresh_from_db()
    assert (equipment.last_inspected_on, equipment.inspection_interval_days) == (None, 30)
    r = _post(c, f"{API}/equipment", {"owner_unit_id": world.town_a.pk, "code": "ZB-2", "name": "泵",
                                      "equipment_type": "泵", "inspection_interval_days": 30} | fields)
    _error(r, 422, "validation_failed")
    assert not Equipment.objects.filter(code="ZB-2").exists()


def test_equipment_form_with_overflowing_due_date_shows_the_error(world, equipment):
    c = client(world.staff_a)
    r = c.post(f"/resources/equipment/{equipment.pk}/edit/", {
        "owner_unit": world.town_a.pk, "code": "ZB-1", "name": "排涝泵", "equipment_type": "泵",
        "status": "available", "capabilities": "{}", "inspection_interval_days": "30",
        "last_inspected_on": "9999-12-31"})
    assert r.status_code == 422  # a refused form answers 422, like a refused import
    assert "日历" in r.content.decode()
    equipment.refresh_from_db()
    assert equipment.last_inspected_on is None


def _csv(header, rows) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode("utf-8-sig")


def _upload(user, key, content, name="f.csv"):
    c = client(user)
    return c.post(f"{API}/{key}/import", {"file": SimpleUploadedFile(name, content)})


def test_import_with_overflowing_dates_reports_the_row(world):
    content = _csv(["所属单位", "编号", "名称", "装备类型", "检查周期(天)", "上次检查"],
                   [["990101001", "ZB-8", "泵", "泵", "30", "9999-12-31"],
                    ["990101001", "ZB-9", "泵", "泵", "1000000000", "2026-01-01"]])
    r = _upload(world.staff_a, "equipment", content)
    assert r.status_code == 422, r.content
    assert {e["row"] for e in r.json()["errors"]} == {2, 3}
    assert not Equipment.objects.exists()


# --- coordinates and distances ---

@pytest.mark.parametrize("query", [
    "bbox=1e307,1e307,1e307,1e307", "bbox=-1e307,-90,1e307,90", "bbox=nan,0,1,1", "bbox=0,0,inf,1",
    "near=1e307,23", "near=nan,nan&radius_km=5",
    "polygon=" + json.dumps({"type": "Polygon", "coordinates": [[[1e307, 0], [1e307, 1], [0, 1], [1e307, 0]]]}),
    "polygon=" + json.dumps({"type": "Polygon", "coordinates": "x"}),
])
def test_coordinates_out_of_range_are_400(world, query):
    c = client(world.duty)
    r = c.get(f"{API}/warehouses?{query}")
    assert r.status_code == 400, r.content
    _error(c.get(f"{API}/warehouses/geojson?{query}"), 400)


@pytest.mark.parametrize("polygon", [
    {"type": "Polygon", "coordinates": [[[1e307, 0], [1e307, 1], [0, 1], [1e307, 0]]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    {"type": "Polygon", "coordinates": [[["a", 0], [1, 1], [1, 0], ["a", 0]]]},
    {"foo": "bar"},
])
def test_bad_search_polygon_is_400(world, polygon):
    _error(_post(client(world.duty), f"{API}/teams/search", {"polygon": polygon}), 400, "bad_polygon")


@pytest.mark.parametrize("query", ["radius_km=inf", "radius_km=1e308", "radius_km=nan", "radius_km=abc",
                                   "expiring_days=9999999999", "q=" + "a" * 100_000])
def test_pages_refuse_bad_numbers_with_a_message(world, query):
    c = client(world.duty)
    r = c.get(f"/resources/stock/?near=113.2,23.1&{query}")
    assert r.status_code == 200
    assert "查询参数有误" in r.content.decode()


def test_api_refuses_long_text_search(world):
    err = _error(client(world.duty).get(f"{API}/teams?q=" + "a" * 100_000), 422, "validation_failed")
    assert any("q" in d["loc"] for d in err["details"])


# --- capability quantities ---

@pytest.mark.parametrize("qty", ["NaN", "Infinity", "-Infinity", "1e999", "sNaN"])
def test_capability_quantity_must_be_a_finite_number(world, qty):
    c = client(world.staff_a)
    r = _post(c, f"{API}/teams", {"owner_unit_id": world.town_a.pk, "code": "DW-1", "name": "排涝队",
                                  "kind": "professional", "specialty": "flood", "capabilities": {"pumping": qty}})
    err = _error(r, 422, "validation_failed")
    assert "capabilities" in err["details"]
    assert not Team.objects.filter(code="DW-1").exists()
    assert c.get(f"{API}/capabilities/pumping/supply").json()["available_total"] in (0, "0")


# --- quantities the ledger (numeric(14,3)) cannot hold ---

@pytest.mark.parametrize("body", [
    {"quantity": "1e20"}, {"quantity": "100000000000"}, {"quantity": "1.0001"}, {"quantity": "NaN"},
    {"quantity": "Infinity"}, {"min_quantity": "1e20", "quantity": 1},
])
def test_receive_overflowing_quantity_is_422_and_changes_nothing(world, warehouse_a, item, body):
    before = (StockBatch.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count())
    r = _post(client(world.staff_a), f"{API}/stock", {"warehouse_id": warehouse_a.pk, "item_id": item.pk} | body)
    _error(r, 422, "validation_failed")
    assert (StockBatch.objects.count(), StockMovement.objects.count(), AuditEntry.objects.count()) == before


def test_receive_that_would_overflow_the_balance_is_422(world, warehouse_a, item):
    c = client(world.staff_a)
    body = {"warehouse_id": warehouse_a.pk, "item_id": item.pk, "quantity": "60000000000"}
    assert _post(c, f"{API}/stock", body).status_code == 201
    _error(_post(c, f"{API}/stock", body), 422, "validation_failed")
    assert StockBatch.objects.get().quantity == 60_000_000_000


@pytest.mark.parametrize("counted", ["1e20", "-1", "NaN", "0.0001"])
def test_adjust_to_an_impossible_count_is_422(world, batch, counted):
    _error(_post(client(world.staff_a), f"{API}/stock/{batch.pk}/adjust", {"counted": counted}), 422)
    batch.refresh_from_db()
    assert batch.quantity == 10


def test_imported_overflowing_quantity_is_reported_not_stored(world, warehouse_a, item):
    content = _csv(["储备库编号", "物资编码", "数量"], [[warehouse_a.code, item.code, "1e20"]])
    r = _upload(world.staff_a, "stock", content)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["row"] == 2
    assert not StockBatch.objects.exists()


# --- integers: both databases refuse what PostgreSQL's integer cannot hold ---

@pytest.mark.parametrize("value", [2_147_483_648, 99_999_999_999, -1])
def test_integer_beyond_the_column_is_422_on_every_database(world, value):
    r = _post(client(world.staff_a), f"{API}/teams", {
        "owner_unit_id": world.town_a.pk, "code": "DW-2", "name": "队", "kind": "professional",
        "specialty": "flood", "headcount": value})
    err = _error(r, 422, "validation_failed")
    assert "headcount" in json.dumps(err["details"])
    assert not Team.objects.filter(code="DW-2").exists()


def test_imported_integer_beyond_the_column_is_reported(world):
    content = _csv(["所属单位", "编号", "名称", "性质", "专业", "人数"],
                   [["990101001", "DW-3", "队", "专业队伍", "防汛抢险", "3000000000"]])
    r = _upload(world.staff_a, "teams", content)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["column"] == "人数"


# --- files ---

def test_csv_cell_over_the_field_limit_is_a_400(world):
    content = _csv(["所属单位", "编号", "名称"], [["990101001", "CK-9", "x" * 140_000]])
    _error(_upload(world.staff_a, "warehouses", content), 400, "bad_file")


def test_nul_in_an_imported_cell_is_reported_on_its_row(world):
    content = _csv(["所属单位", "编号", "名称"], [["990101001", "CK-9", "仓\x00库"]])
    r = _upload(world.staff_a, "warehouses", content)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["column"] == "名称"


@pytest.mark.parametrize("path", ["stock?q=%00", "capabilities/%00/supply", "teams?capability=a%00"])
def test_nul_in_resource_queries_is_400(world, path):
    _error(client(world.duty).get(f"{API}/{path}"), 400, "bad_characters")


def test_nul_in_a_resource_body_is_400_and_writes_nothing(world):
    r = _post(client(world.staff_a), f"{API}/warehouses", {"owner_unit_id": world.town_a.pk, "code": "CK-N",
                                                           "name": "仓\u0000库"})
    _error(r, 400, "bad_characters")
    r = _post(client(world.staff_a), f"{API}/teams/search", {"filters": {"kind": "\u0000"}})
    _error(r, 400, "bad_characters")
