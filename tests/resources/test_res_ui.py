"""The pages: a town edits its own warehouses only; everybody with a role sees every unit's; the dashboard shows gaps."""

from __future__ import annotations

import datetime as dt
import io

from django.test import Client
from django.utils import timezone

from yingji.resources import services
from yingji.resources.models import Equipment, Team, Warehouse


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _two_warehouses(world):
    a = services.create(None, Warehouse, {"owner_unit": world.town_a, "code": "A1", "name": "长安库",
                                          "lat": 23.1, "lng": 113.2})
    b = services.create(None, Warehouse, {"owner_unit": world.town_b, "code": "B1", "name": "青山库",
                                          "lat": 23.1, "lng": 113.4})
    return a, b


def test_duty_officer_sees_every_units_warehouses_in_one_list(world):
    _two_warehouses(world)
    r = client(world.duty).get("/resources/warehouses/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "长安库" in html and "青山库" in html
    assert "批量导入" not in html and "新增" not in html  # read-only for the duty officer


def test_town_staff_edits_own_warehouse_through_the_form(world):
    a, b = _two_warehouses(world)
    c = client(world.staff_a)
    r = c.get(f"/resources/warehouses/{a.pk}/edit/")
    assert r.status_code == 200
    data = {"owner_unit": world.town_a.pk, "code": "A1", "name": "长安镇中心库", "level": "town", "lat": "23.1",
            "lng": "113.2", "address": "", "capacity_m3": "", "area_m2": "", "keeper": "", "phone": "",
            "is_active": "on"}
    r = c.post(f"/resources/warehouses/{a.pk}/edit/", data)
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.name == "长安镇中心库"
    assert c.get(f"/resources/warehouses/{b.pk}/edit/").status_code == 403
    r = c.post(f"/resources/warehouses/{b.pk}/edit/", data | {"owner_unit": world.town_b.pk, "code": "B1"})
    assert r.status_code == 403
    b.refresh_from_db()
    assert b.name == "青山库"
    assert "长安镇中心库" in c.get(f"/resources/warehouses/{a.pk}/").content.decode()


def test_swapped_coordinates_in_the_form_are_explained(world):
    c = client(world.staff_a)
    data = {"owner_unit": world.town_a.pk, "code": "A9", "name": "填反库", "level": "town", "lat": "113.2",
            "lng": "23.1", "is_active": "on"}
    r = c.post("/resources/warehouses/new/", data)
    assert r.status_code == 422 and "填反" in r.content.decode()  # refused forms answer 422, like imports
    assert not Warehouse.objects.exists()


def test_viewer_cannot_open_forms_or_import(world):
    a, _b = _two_warehouses(world)
    c = client(world.viewer)
    assert c.get(f"/resources/warehouses/{a.pk}/edit/").status_code == 403
    f = io.BytesIO("所属单位,编号,名称\n990101001,X,Y\n".encode())
    f.name = "w.csv"
    r = c.post("/resources/warehouses/import/", {"file": f})
    assert r.status_code == 403  # the pages are gated like their buttons (issue #10)
    assert c.get("/resources/warehouses/import/").status_code == 403
    assert c.get("/resources/warehouses/new/").status_code == 403
    assert Warehouse.objects.count() == 2


def test_import_page_shows_the_row_report(world):
    f = io.BytesIO("所属单位,编号,名称,经度,纬度\n990101001,X1,库一,113.2,23.1\n990101001,X2,库二,23.1,113.2\n"
                   .encode())
    f.name = "w.csv"
    r = client(world.staff_a).post("/resources/warehouses/import/", {"file": f})
    html = r.content.decode()
    assert r.status_code == 422 and "未写入任何数据" in html and "纬度" in html
    assert not Warehouse.objects.exists()


def test_dashboard_shows_real_gaps(world, warehouse_a, item):
    today = timezone.localdate()
    services.receive(None, warehouse_a, item, 5, batch_no="LOW", min_quantity=50)
    services.receive(None, warehouse_a, item, 8, batch_no="EXP", expiry_date=today + dt.timedelta(days=10))
    team = services.create(None, Team, {"owner_unit": world.town_b, "code": "T1", "name": "青山抢险队",
                                        "kind": "professional", "specialty": "flood", "readiness": "not_ready"})
    eq = services.create(None, Equipment, {"owner_unit": world.town_b, "code": "E1", "name": "冲锋舟",
                                           "equipment_type": "舟艇", "inspection_interval_days": 30,
                                           "last_inspected_on": today - dt.timedelta(days=45)})
    r = client(world.duty).get("/resources/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-testid="below-min">1<' in html and 'data-testid="expiring-30">1<' in html
    assert 'data-testid="overdue">1<' in html and 'data-testid="not-ready">1<' in html
    assert team.name in html and eq.name in html and "长安镇" in html and "青山街道" in html
    # inspecting the equipment clears the overdue flag
    services.record_inspection(world.staff_b, eq, today, inspector="王工")
    eq.refresh_from_db()
    assert not eq.inspection_overdue and eq.next_inspection_due == today + dt.timedelta(days=30)
    assert 'data-testid="overdue">0<' in client(world.duty).get("/resources/").content.decode()


def test_lists_details_and_map_render_for_every_type(world, warehouse_a, item):
    services.receive(None, warehouse_a, item, 5)
    c = client(world.viewer)
    for key in ("warehouses", "stock", "teams", "members", "equipment", "experts", "shelters", "facilities",
                "materials", "capabilities", "movements"):
        assert c.get(f"/resources/{key}/").status_code == 200, key
    assert c.get(f"/resources/warehouses/{warehouse_a.pk}/").status_code == 200
    assert c.get("/resources/map/").status_code == 200
    assert c.get("/resources/warehouses/?near=113.2,23.1&radius_km=3").status_code == 200
    assert 'data-nav="resources"' in c.get("/resources/").content.decode()


def test_stock_operations_from_the_pages(world, warehouse_a, item):
    c = client(world.staff_a)
    r = c.post(f"/resources/warehouses/{warehouse_a.pk}/action/", {"item_code": item.code, "quantity": "40",
                                                                   "batch_no": "P1", "min_quantity": "10"})
    assert r.status_code == 302
    from yingji.resources.models import StockBatch

    batch = StockBatch.objects.get(batch_no="P1")
    assert batch.quantity == 40
    page = c.get(f"/resources/stock/{batch.pk}/").content.decode()
    assert 'data-testid="action-form"' in page
    c.post(f"/resources/stock/{batch.pk}/action/", {"op": "issue", "quantity": "15", "incident_ref": "SJ-9"})
    r = c.post(f"/resources/stock/{batch.pk}/action/", {"op": "issue", "quantity": "100"}, follow=True)
    assert "库存不足" in r.content.decode()
    batch.refresh_from_db()
    assert batch.quantity == 25
    # the other town's staff and the viewer get no form and cannot post
    assert 'data-testid="action-form"' not in client(world.staff_b).get(f"/resources/stock/{batch.pk}/").content.decode()
    assert client(world.viewer).post(f"/resources/stock/{batch.pk}/action/",
                                     {"op": "issue", "quantity": "1"}).status_code == 403
    batch.refresh_from_db()
    assert batch.quantity == 25


def test_detail_pages_show_what_belongs_to_them(world, warehouse_a, item):
    team = services.create(None, Team, {"owner_unit": world.town_a, "code": "T1", "name": "长安镇抢险队",
                                        "kind": "professional", "specialty": "flood"})
    services.add_member(None, team, name="赵队长", role="队长")
    services.create(None, Equipment, {"owner_unit": world.town_a, "code": "E1", "name": "移动泵车",
                                      "equipment_type": "排水机械", "team": team})
    services.receive(None, warehouse_a, item, 12, batch_no="X1")
    c = client(world.viewer)
    html = c.get(f"/resources/teams/{team.pk}/").content.decode()
    assert "赵队长" in html and "移动泵车" in html
    html = c.get(f"/resources/materials/{item.pk}/").content.decode()  # where this item is stocked, city-wide
    assert warehouse_a.name in html and "X1" in html


def test_new_form_offers_only_units_the_user_may_write_for(world):
    html = client(world.staff_a).get("/resources/warehouses/new/").content.decode()
    assert "长安镇" in html and "青山街道" not in html
