"""The duty officer's most frequent question on the map, in Chromium: "which pumps can get to this point first?"
Open the map, switch on 最近资源, choose 排涝 and click the point once: the available teams and equipment that
offer it are listed by road travel time (the road graph under the var dir), with headcount and a duty phone to
call, each highlighted on the map. Plus the map itself: symbols and legend, search, click-for-coordinates. At
1280 px and 390 px (a bottom sheet), in both languages, axe at zero violations."""

from __future__ import annotations

import re

import numpy as np
import pytest
from a11y import assert_accessible

from yingji.core import commitments, travel
from yingji.core import services as core
from yingji.core.models import OrgUnitKind
from yingji.core.roles import RoleCode
from yingji.domain.routing import RoadGraph

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery-9"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
POINT = (113.30, 23.10)  # lng, lat: where the water is


def _square(lng: float, lat: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d],
                                                [lng - d, lat + d], [lng - d, lat - d]]]}


@pytest.fixture
def city(transactional_db, tmp_path, monkeypatch):
    """Two towns; a fast road west→east along lat 23.10 and a slow lane from the east: the team nearest by
    straight line (east, 3 km) arrives long after the one 10 km west on the fast road."""
    from yingji.resources import catalogue, services
    from yingji.resources.models import Equipment, Team

    lon, lat = np.array([113.20, 113.30, 113.33]), np.array([23.10, 23.10, 23.10])
    graph = RoadGraph.from_arcs([0, 1, 2, 1], [1, 0, 1, 2], [600, 600, 2160, 2160],
                                [10_000, 10_000, 3_000, 3_000], lon, lat)
    graph.save(tmp_path / "roads.npz")
    monkeypatch.setattr(travel, "graph_path", lambda: tmp_path / "roads.npz")

    top = core.create_unit(None, parent=None, code="990100", name="示范市", kind=OrgUnitKind.CITY)
    district = core.create_unit(None, parent=top, code="990101", name="江北区", kind=OrgUnitKind.DISTRICT,
                                boundary=_square(113.30, 23.10, 0.15))
    west = core.create_unit(None, parent=district, code="990101001", name="长安镇", kind=OrgUnitKind.TOWN,
                            lat=23.10, lng=113.22, boundary=_square(113.22, 23.10, 0.07))
    east = core.create_unit(None, parent=district, code="990101002", name="青山街道", kind=OrgUnitKind.TOWN,
                            lat=23.10, lng=113.36, boundary=_square(113.36, 23.10, 0.07))
    catalogue.seed_catalogue(top)
    duty = core.create_user(None, username="duty", password=PASSWORD, unit=top, display_name="李值班")
    core.assign_role(None, duty, RoleCode.DUTY_OFFICER, top)

    def team(code, name, unit, lng, caps, **extra):
        return services.create(None, Team, {"owner_unit": unit, "code": code, "name": name, "kind": "professional",
                                            "specialty": "flood", "lng": lng, "lat": 23.10, "capabilities": caps,
                                            **extra})

    team("DW-1", "长安排涝队", west, 113.20, {"pumping": "2000"}, headcount=30, duty_phone="0999-110")
    team("DW-2", "青山抢险队", east, 113.33, {"pumping": "500"}, headcount=12, duty_phone="0999-120")
    busy = team("DW-3", "外援排涝队", west, 113.205, {"pumping": "800"}, headcount=20, duty_phone="0999-130")
    commitments.commit(None, busy, purpose="外区支援")
    team("DW-4", "青山消防中队", east, 113.31, {"firefighting": "40"}, headcount=40)  # no pumping
    services.create(None, Equipment, {"owner_unit": west, "code": "ZB-1", "name": "移动泵车", "equipment_type": "排水机械",
                                      "lng": 113.20, "lat": 23.10, "capabilities": {"pumping": "1000"}})
    return {"duty": duty}


def _session(browser, live_server, viewport, language):
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/login/")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
    page.fill("input[name=username]", "duty")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#map[data-loaded=ok]", timeout=20000)
    return context, page, errors


def _click_lnglat(page, lng: float, lat: float):
    """Click the map where (lng, lat) is drawn (the tiles are WGS-84 here)."""
    xy = page.evaluate(f"(() => {{ const p = window.yingjiMap.latLngToContainerPoint([{lat}, {lng}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])


def _shots(tmp_path):
    import os
    from pathlib import Path

    out = Path(os.environ.get("YINGJI_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


WORDS = {"zh-hans": {"nearest": "最近资源", "min": "分钟", "people": "30 人", "legend": "图层与图例",
                     "available": "可调用", "committed": "执行任务中", "team": "救援队伍"},
         "en": {"nearest": "Nearest", "min": "min", "people": "30 people", "legend": "Layers and legend",
                "available": "Available", "committed": "On mission", "team": "Rescue teams"}}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_nearest_pumps_to_a_point_take_one_click_on_the_map(browser, live_server, city, language, tmp_path):
    words = WORDS[language]
    for viewport in (DESKTOP, PHONE):
        context, page, errors = _session(browser, live_server, viewport, language)
        try:
            name = f"{language}-{viewport['width']}"
            page.click("[data-testid=nearest-toggle]")
            panel = page.locator("[data-testid=nearest-panel]")
            assert panel.is_visible() and words["nearest"] in panel.inner_text()
            page.wait_for_function("document.querySelectorAll('#nearest-capability option').length > 1")
            page.select_option("[data-testid=nearest-capability]", "pumping")
            _click_lnglat(page, *POINT)  # the one click
            page.wait_for_selector("[data-testid=nearest-item]")
            rows = page.locator("[data-testid=nearest-item]")
            names = [rows.nth(i).locator("a").first.inner_text() for i in range(rows.count())]
            # available first, by road time: 10 km on the fast road beats 3 km on the slow lane; the committed
            # team comes last; the fire team without pumping is not offered
            assert names == ["长安排涝队", "移动泵车 ZB-1", "青山抢险队", "外援排涝队"], names
            seconds = [float(rows.nth(i).locator(".yj-time").get_attribute("data-seconds")) for i in range(3)]
            assert seconds == sorted(seconds) and seconds[0] == pytest.approx(600, abs=20)
            first = rows.nth(0).inner_text()
            assert f"10 {words['min']}" in first and words["people"] in first and words["available"] in first
            assert "估" not in first and "est." not in first  # timed on the road graph, not estimated
            assert rows.nth(0).locator("a[href='tel:0999110']").count() == 1
            assert rows.nth(0).locator("a").first.get_attribute("href").startswith("/resources/teams/")
            assert words["committed"] in rows.nth(3).inner_text()
            point = page.locator("[data-testid=nearest-point]").inner_text()
            lng, lat = map(float, re.search(r"(\d+\.\d+),(\d+\.\d+)", point).groups())
            assert abs(lng - POINT[0]) < 0.002 and abs(lat - POINT[1]) < 0.002
            # a row highlights its resource on the map: one ranked marker grows, a line joins it to the point
            rows.nth(2).hover()
            assert page.locator(".yj-rank.active").count() == 1
            assert page.locator(".yj-rank.active").inner_text() == "3"
            assert "active-row" in rows.nth(2).get_attribute("class")
            rows.nth(0).locator("a").first.focus()  # and from the keyboard
            assert page.locator(".yj-rank.active").inner_text() == "1"
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
            if viewport is PHONE:  # a bottom sheet under the map, not a side panel
                sheet = panel.bounding_box()
                assert sheet["y"] > 844 * 0.3 and sheet["width"] >= 380
            assert_accessible(page)
            page.screenshot(path=str(_shots(tmp_path) / f"map-nearest-{name}.png"))
            page.keyboard.press("Escape")
            assert panel.is_hidden() and page.locator(".yj-rank").count() == 0
            assert not errors, errors
        finally:
            context.close()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_map_symbols_legend_search_and_coordinates(browser, live_server, city, language, tmp_path):
    words = WORDS[language]
    for viewport in (DESKTOP, PHONE):
        context, page, errors = _session(browser, live_server, viewport, language)
        try:
            name = f"{language}-{viewport['width']}"
            legend = page.locator("[data-testid=map-legend]")
            if viewport is PHONE:  # collapsed on a phone, one tap opens it
                assert not legend.evaluate("d => d.open")
                legend.locator("summary").click()
            text = legend.inner_text()
            assert words["legend"] in text and f"{words['team']} (4)" in text
            assert words["available"] in text and words["committed"] in text  # the colours explained
            # units below every resource layer, resources in their declared order
            z = page.evaluate("""(() => { const m = window.yingjiMap; const z = (p) => +m.getPane(p).style.zIndex;
                const defs = JSON.parse(document.getElementById('map-layers').textContent);
                return defs.map((d, i) => d.group === 'units' ? z('yj-units') : z('yj-l' + i)); })()""")
            assert z == sorted(z) and z[0] < z[-1]
            assert_accessible(page)
            page.screenshot(path=str(_shots(tmp_path) / f"map-legend-{name}.png"))
            if viewport is PHONE:
                legend.locator("summary").click()
            # search finds a team in a layer that is switched off, shows it and opens its popup
            page.fill("#map-q", "长安排涝")
            page.locator("#map-q-results button").first.click()
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            assert "长安排涝队" in popup.inner_text() and words["available"] in popup.inner_text()
            assert popup.locator("a[href='tel:0999110']").count() == 1
            assert "30" in popup.inner_text()
            assert page.locator("[data-testid=map-legend] input[data-kind=teams]").is_checked()
            assert page.locator(".yj-marker[title='长安排涝队']").count() == 1
            page.evaluate("window.yingjiMap.closePopup()")
            page.evaluate(f"window.yingjiMap.setView([{POINT[1]}, {POINT[0] + 0.04}], 12, {{animate: false}})")
            page.wait_for_timeout(300)
            # click for coordinates: WGS-84 lng,lat, the order the filters take, inside the town clicked
            _click_lnglat(page, POINT[0] + 0.04, POINT[1] + 0.01)
            coords = page.locator("[data-testid=coords]")
            coords.wait_for()
            lng, lat = map(float, coords.inner_text().split(","))
            assert abs(lng - (POINT[0] + 0.04)) < 0.002 and abs(lat - (POINT[1] + 0.01)) < 0.002
            assert "青山街道" in page.locator(".leaflet-popup-content").inner_text()
            page.wait_for_function("getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")
            assert_accessible(page)
            page.screenshot(path=str(_shots(tmp_path) / f"map-coords-{name}.png"))
            # … and from there, the nearest resources to that point
            page.locator(".leaflet-popup-content button.btn-primary").click()
            page.wait_for_selector("[data-testid=nearest-item]")
            assert page.locator("[data-testid=nearest-panel]").is_visible()
            assert not errors, errors
        finally:
            context.close()


def test_a_town_from_the_list_is_the_point_without_touching_the_map(browser, live_server, city):
    context, page, errors = _session(browser, live_server, DESKTOP, "zh-hans")
    try:
        page.click("[data-testid=nearest-toggle]")
        page.wait_for_function("document.querySelectorAll('#nearest-unit option').length > 2")
        page.select_option("[data-testid=nearest-capability]", "pumping")
        page.select_option("[data-testid=nearest-unit]", label="青山街道")
        page.wait_for_selector("[data-testid=nearest-item]")
        assert "113.360000,23.100000" in page.locator("[data-testid=nearest-point]").inner_text()
        assert page.locator("[data-testid=nearest-item]").count() == 4
        assert not errors, errors
    finally:
        context.close()


def test_gcj02_tiles_draw_converted_and_clicks_answer_in_wgs84(browser, live_server, city, monkeypatch):
    """With Gaode-style tiles (GCJ-02) the data is shifted for display only; a click is converted back, so the
    coordinates shown and the nearest query are WGS-84 (the map script's formulas against the Python ones)."""
    from django.conf import settings

    from yingji.domain.geo import gcj02_to_wgs84, wgs84_to_gcj02

    monkeypatch.setitem(settings.YINGJI, "TILE_CRS", "gcj02")
    context, page, errors = _session(browser, live_server, DESKTOP, "zh-hans")
    try:
        assert page.get_attribute("#map", "data-crs") == "gcj02"
        for lng, lat in [(113.3, 23.1), (116.391, 39.907), (87.6, 43.8), (2.35, 48.85)]:
            shown = page.evaluate(f"(() => {{ const p = window.yingjiMapApi.crs.latLng({lng}, {lat}); return [p.lng, p.lat]; }})()")
            assert shown == pytest.approx(list(wgs84_to_gcj02(lng, lat)), abs=1e-9)
            back = page.evaluate(f"window.yingjiMapApi.crs.wgs84(L.latLng({shown[1]}, {shown[0]}))")
            assert back == pytest.approx(list(gcj02_to_wgs84(*shown)), abs=1e-9)
            assert back == pytest.approx([lng, lat], abs=1e-7)
        g_lng, g_lat = wgs84_to_gcj02(*POINT)
        page.evaluate(f"window.yingjiMap.setView([{g_lat}, {g_lng}], 13, {{animate: false}})")
        page.wait_for_timeout(300)
        _click_lnglat(page, g_lng, g_lat)  # where the point is drawn on these tiles
        lng, lat = map(float, page.locator("[data-testid=coords]").inner_text().split(","))
        assert abs(lng - POINT[0]) < 0.0005 and abs(lat - POINT[1]) < 0.0005  # not the shifted 0.005° away
        assert abs(g_lng - POINT[0]) > 0.003
        assert not errors, errors
    finally:
        context.close()
