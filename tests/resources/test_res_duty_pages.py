"""The registry as a duty officer works with it (issue #10): filters that say what is wrong in words, lists that
show what matters (readiness, duty phone, due dates, times, quantities with units), pickers instead of JSON
boxes, stock forms that keep the input and name the field, a dashboard whose numbers are links, and an English
UI without Chinese joiners."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client

from yingji.core.models import AuditEntry
from yingji.resources import selectors, services
from yingji.resources.models import Equipment, StockBatch, Team, Warehouse

pytestmark = pytest.mark.django_db


def client(user, language: str = "zh-hans") -> Client:
    c = Client()
    c.force_login(user)
    if language != "zh-hans":
        c.post("/i18n/setlang/", {"language": language, "next": "/"})
    return c


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def table_of(html: str, testid: str = "resource-table") -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start:html.index("</table>", start)]


def _team(world, code="T1", **extra) -> Team:
    fields = {"owner_unit": world.town_a, "code": code, "name": f"长安镇抢险队{code}", "kind": "professional",
              "specialty": "flood", "lat": 23.1, "lng": 113.2, "duty_phone": "0999-6000001", **extra}
    return services.create(None, Team, fields)


# --- filters ----------------------------------------------------------------------------------------------


def test_location_filter_takes_what_people_type_and_explains_what_it_cannot(world, warehouse_a):
    c = client(world.duty)
    for near in ("113.2，23.1", "113.2, 23.1", "113.2、23.1", "113.2 23.1"):  # full-width comma of an IME too
        html = c.get("/resources/warehouses/", {"near": near, "radius_km": "3"}).content.decode()
        assert 'data-testid="filter-error"' not in html, near
        assert warehouse_a.name in table_of(html), near

    html = c.get("/resources/warehouses/", {"near": "23.1, 113.2", "radius_km": "3"}).content.decode()
    error = text_of(html[html.index('data-testid="filter-error"'):])[:200]
    assert "纬度, 经度" in error and "113.2, 23.1" in error  # says the numbers look swapped, and the fix
    assert warehouse_a.name not in table_of(html)

    for params in ({"near": "长安镇", "radius_km": "3"}, {"near": "113.2,23.1", "radius_km": "abc"},
                   {"near": "113.2,23.1"}, {"near": "113.2,23.1,5", "radius_km": "3"}):
        html = c.get("/resources/warehouses/", params).content.decode()
        error = text_of(html[html.index('data-testid="filter-error"'):html.index("</div>", html.index("filter-error"))])
        for leak in ("float", "near", "radius_km", "convert", "Traceback"):
            assert leak not in error, (params, error)
        assert "经度, 纬度" in error or "半径" in error, (params, error)


def test_filters_with_bad_values_answer_in_words_not_a_crash(world, warehouse_a):
    c = client(world.duty)
    for url, words in (("/resources/stock/?warehouse=abc", "储备库"), ("/resources/warehouses/?is_active=maybe", "启用"),
                       ("/resources/teams/?headcount=x", None)):
        r = c.get(url)
        assert r.status_code == 200, url
        if words:
            html = r.content.decode()
            assert words in text_of(html[html.index('data-testid="filter-error"'):])[:120], url


def test_unit_page_shows_location_in_the_order_filters_take(world):
    html = client(world.duty).get(f"/units/{world.town_a.pk}/").content.decode()
    assert "113.20000, 23.10000" in html and "23.10000, 113.20000" not in html


# --- lists ----------------------------------------------------------------------------------------------------


def test_team_list_shows_readiness_and_a_callable_duty_phone(world):
    _team(world, readiness="not_ready")
    table = table_of(client(world.duty).get("/resources/teams/").content.decode())
    assert "不可用" in table and 'href="tel:09996000001">0999-6000001</a>' in table


def test_overdue_list_shows_the_due_date_not_a_coordinate(world):
    old = dt.date.today() - dt.timedelta(days=200)
    services.create(None, Equipment, {"owner_unit": world.town_a, "code": "E1", "name": "移动泵车", "equipment_type": "泵",
                                      "lat": 23.1, "lng": 113.2, "inspection_interval_days": 30,
                                      "last_inspected_on": old})
    due = (old + dt.timedelta(days=30)).isoformat()
    table = table_of(client(world.duty).get("/resources/equipment/?overdue=1").content.decode())
    assert "移动泵车" in table and due in table and "113.2" not in table
    assert "下次检查到期" in table


def test_stock_list_names_the_batch_it_opens_with_quantities_in_units(world, warehouse_a, item):
    batch = services.receive(None, warehouse_a, item, Decimal("120.000"), batch_no="P1", min_quantity=Decimal("246"))
    html = client(world.duty).get("/resources/stock/").content.decode()
    table = table_of(html)
    first_cell = re.search(r"<td><a href=\"([^\"]+)\">([^<]+)</a>", table)
    assert first_cell.group(1) == f"/resources/stock/{batch.pk}/"
    assert item.name in first_cell.group(2) and "P1" in first_cell.group(2)
    unit = item.unit_of_measure
    assert f"120 {unit}" in table and f"246 {unit}" in table
    assert "E+" not in table and "246.000" not in table


def test_ledger_shows_the_time_of_each_movement(world, warehouse_a, item):
    services.receive(None, warehouse_a, item, 10, batch_no="P1")
    table = table_of(client(world.duty).get("/resources/movements/").content.decode())
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", table)
    assert f"+10 {item.unit_of_measure}" in table


def test_english_lists_have_no_chinese_joiners_or_yes_no_and_plural_headings(world, warehouse_a):
    _team(world, capabilities={"pumping": "500", "water_rescue": None}, hazard_types=["flood", "typhoon"])
    c = client(world.duty, "en")
    html = c.get("/resources/teams/").content.decode()
    assert "<h1>Rescue teams</h1>" in html
    team = Team.objects.get()
    html = c.get(f"/resources/teams/{team.pk}/").content.decode()
    facts = text_of(html[html.index('data-testid="facts"'):html.index("</dl>")])
    assert "是" not in facts and "否" not in facts and "Yes" in facts  # full-time: Yes
    assert "、" not in facts and "500" in facts and "Flood, Typhoon" in facts
    html = c.get("/resources/warehouses/").content.decode()
    assert "<h1>Warehouses</h1>" in html and "是" not in table_of(html) and "Yes" in table_of(html)


# --- the generic form: pickers, not JSON ----------------------------------------------------------------------


def test_capabilities_and_hazards_are_edited_as_words_and_ticks(world):
    team = _team(world)
    c = client(world.staff_a)
    form = c.get(f"/resources/teams/{team.pk}/edit/").content.decode()
    assert 'data-caps-picker' in form and 'data-testid="hazard-tree"' in form and "{}" not in form
    data = {"owner_unit": world.town_a.pk, "code": "T1", "name": team.name, "kind": "professional",
            "specialty": "flood", "level": "county", "full_time": "on", "headcount": "30", "lng": "113.2",
            "lat": "23.1", "readiness": "ready", "assemble_minutes": "30", "duty_phone": team.duty_phone,
            "capabilities": "排涝:500、水上救援", "hazard_types": ["flood", "typhoon"]}
    r = c.post(f"/resources/teams/{team.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    team.refresh_from_db()
    assert team.capabilities == {"pumping": "500", "water_rescue": None}
    assert team.hazard_types == ["flood", "typhoon"]
    form = c.get(f"/resources/teams/{team.pk}/edit/").content.decode()
    assert 'value="排涝:500、水上救援"' in form and 'value="flood" id="id_hazard_types_flood" checked' in form

    before = AuditEntry.objects.count()
    r = c.post(f"/resources/teams/{team.pk}/edit/", {**data, "capabilities": "飞天:3、排涝:很多"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "未知的能力：飞天" in html and 'value="飞天:3、排涝:很多"' in html  # the input is kept
    team.refresh_from_db()
    assert team.capabilities == {"pumping": "500", "water_rescue": None} and AuditEntry.objects.count() == before


# --- stock operations -------------------------------------------------------------------------------------------


def test_receiving_finds_the_item_by_name_and_a_refused_form_keeps_input_and_names_fields(world, warehouse_a, item):
    c = client(world.staff_a)
    page = c.get(f"/resources/warehouses/{warehouse_a.pk}/").content.decode()
    assert f'<option value="{item.code} {item.name}">' in page  # the picker's suggestions
    r = c.post(f"/resources/warehouses/{warehouse_a.pk}/action/", {"item_code": item.name, "quantity": "40"})
    assert r.status_code == 302
    assert StockBatch.objects.get(warehouse=warehouse_a, item=item).quantity == 40

    r = c.post(f"/resources/warehouses/{warehouse_a.pk}/action/", {"item_code": "帐篷帐篷", "quantity": "",
                                                                   "batch_no": "B-7"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'value="B-7"' in html and 'value="帐篷帐篷"' in html
    assert re.search(r'id="id_quantity_error">[^<]*必填', html)
    assert re.search(r'id="id_item_code_error">[^<]*帐篷帐篷', html)


def test_stock_operation_form_is_labelled_per_operation_and_errors_name_the_field(world, warehouse_a, item):
    batch = services.receive(None, warehouse_a, item, 40, batch_no="P1")
    c = client(world.staff_a)
    page = c.get(f"/resources/stock/{batch.pk}/").content.decode()
    assert ">操作</label>" in page and 'data-ops="issue"' in page and 'data-ops="transfer"' in page
    assert 'data-confirm-ops="issue out transfer write_off"' in page
    assert f"数量（{item.unit_of_measure}）" in page

    r = c.post(f"/resources/stock/{batch.pk}/action/", {"op": "issue", "quantity": "", "incident_ref": "SJ-9"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'value="SJ-9"' in html and re.search(r'id="id_quantity_error">请填写数量', html)
    r = c.post(f"/resources/stock/{batch.pk}/action/", {"op": "transfer", "quantity": "5", "to_warehouse": "CK-X"})
    assert re.search(r'id="id_to_warehouse_error">找不到储备库“CK-X”', r.content.decode())
    r = c.post(f"/resources/stock/{batch.pk}/action/", {"op": "issue", "quantity": "100", "incident_ref": "SJ-9"})
    assert r.status_code == 422 and "库存不足" in r.content.decode() and 'value="100"' in r.content.decode()
    batch.refresh_from_db()
    assert batch.quantity == 40

    other = services.create(None, Warehouse, {"owner_unit": world.town_a, "code": "CK-A-02", "name": "长安镇二号库",
                                              "lat": 23.1, "lng": 113.2})
    r = c.post(f"/resources/stock/{batch.pk}/action/", {"op": "transfer", "quantity": "5",
                                                       "to_warehouse": "CK-A-02 长安镇二号库"})
    assert r.status_code == 302
    assert StockBatch.objects.get(warehouse=other).quantity == 5


# --- the readiness dashboard -------------------------------------------------------------------------------------


def test_dashboard_numbers_are_links_and_cut_tables_say_so(world, monkeypatch):
    monkeypatch.setattr(selectors, "LIMIT", 2)
    for i in range(3):
        _team(world, code=f"T{i}", readiness="not_ready")
    html = client(world.duty).get("/resources/").content.decode()
    counts = html[html.index('data-testid="readiness-counts"'):html.index("</ul>", html.index("readiness-counts"))]
    assert counts.count("<a ") == 9
    assert re.search(r'href="/resources/teams/\?readiness=not_ready&amp;within="><b data-testid="not-ready">3<',
                     counts)
    assert 'href="/resources/stock/?expired=1' in counts
    more = html[html.index('data-testid="more-not_ready"'):]
    assert "只显示前 2 条" in more[:300] and "查看全部 3 条" in more[:300]
