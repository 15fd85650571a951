"""Real-browser tests of the shell: log in, see the map with its layers, switch language."""

from __future__ import annotations

import pytest

from yingji.core.roles import RoleCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_city(transactional_db):
    from demo_snapshot import demo_city

    return demo_city()


def _login(page, live_server, username: str, password: str):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_login_then_map_shows_unit_layers(page, live_server, demo_city, tmp_path):
    _login(page, live_server, "duty", demo_city.password)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-testid=who]").inner_text() == "李值班"
    page.click("[data-nav=map]")
    page.wait_for_selector("#map[data-loaded=ok]", timeout=20000)
    counts = page.evaluate("Object.fromEntries(Object.entries(window.yingjiLayers).map(([k, v]) => [k, v.count]))")
    assert counts["district"] == 6 and counts["town"] == 60 and counts["community"] == 300
    assert counts["warehouses"] >= 40 and counts["shelters"] >= 100  # every app's layers join the one map
    # district polygons are drawn (canvas renderer) and the legend, the layer switch, lists every layer
    control = page.locator("[data-testid=map-legend]").inner_text()
    assert "区/县 (6)" in control and "镇/街道 (60)" in control
    assert page.evaluate("window.yingjiMap.getZoom()") >= 9
    page.screenshot(path=str(tmp_path / "map.png"))


def test_wrong_password_then_language_switch(page, live_server, demo_city):
    _login(page, live_server, "viewer", "wrong-password")
    assert "用户名或密码错误" in page.locator("[role=alert]").inner_text()
    with page.expect_navigation():  # the select submits its form on change
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "Log in"
    _login(page, live_server, "viewer", demo_city.password)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "Workbench"
    nav = page.locator("nav#sidenav").inner_text()
    assert "Audit log" not in nav  # a viewer has no audit rights


def test_each_demo_role_sees_its_own_navigation(page, live_server, demo_city):
    expectations = {"admin": True, "unitadmin": True, "commander": True, "staff": False, "viewer": False}
    for username, sees_audit in expectations.items():
        _login(page, live_server, username, demo_city.password)
        page.wait_for_url(f"{live_server.url}/")
        assert (page.locator("[data-nav=audit]").count() == 1) is sees_audit, username
        page.click("[data-testid=logout]")
        page.wait_for_url(f"{live_server.url}/login/")


def test_role_codes_in_demo_cover_every_role(demo_city):
    from yingji.core.models import RoleAssignment

    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(RoleCode.values)
