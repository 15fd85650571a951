"""Every shell page in Chromium at phone width (390 px) and desktop width, in both languages: axe-core finds no
WCAG 2.1 AA violation, nothing overflows sideways, the navigation collapses on phones, tables stack."""

from __future__ import annotations

import pytest
from a11y import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def city(transactional_db):
    from demo_snapshot import demo_city

    from yingji.core import services
    from yingji.core.models import OrgUnit, User

    report = demo_city()
    admin = User.objects.get(username="admin")
    town = OrgUnit.objects.filter(kind="town").order_by("pk").first()
    services.update_unit(admin, town, {"contact_phone": "020-12345678"})  # something in the audit log
    return {"password": report.password, "town": town}


def _session(browser, live_server, city, viewport, language, username="admin"):
    context = browser.new_context(viewport=viewport, locale="en-US")  # an English browser: must not matter
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    if language == "en":
        with page.expect_navigation():
            page.select_option("select[name=language]", "en")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", city["password"])
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return context, page


def _pages(city):
    pk = city["town"].pk
    return [("/", "home"), ("/units/", "units"), (f"/units/{pk}/", "unit"), (f"/units/{pk}/?tab=people", "people"),
            (f"/units/{pk}/?tab=history", "history"), (f"/units/{pk}/edit/", "unit-edit"), ("/audit/", "audit"),
            ("/audit/?object_type=core.orgunit", "audit-filtered"), ("/no-such-page/", "404"), ("/map/", "map")]


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _shots(tmp_path):
    """Screenshots go to $YINGJI_SCREENSHOTS when set (to look at them), else to the test's tmp dir."""
    import os
    from pathlib import Path

    out = Path(os.environ.get("YINGJI_SCREENSHOTS") or tmp_path)
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_shell_page_is_accessible_and_fits(browser, live_server, city, language, tmp_path):
    for viewport in (PHONE, DESKTOP):
        _check_pages(browser, live_server, city, viewport, language, _shots(tmp_path))


def _check_pages(browser, live_server, city, viewport, language, shots):
    context, page = _session(browser, live_server, city, viewport, language)
    try:
        for path, name in _pages(city):
            page.goto(f"{live_server.url}{path}")
            if name == "map":
                page.wait_for_selector("#map[data-loaded=ok]", timeout=20000)
            assert page.locator("html").get_attribute("lang") == language, path
            assert page.locator("h1").count() == 1, path
            assert _no_sideways_scroll(page), f"{path} scrolls sideways at {viewport['width']} px"
            assert_accessible(page)
            page.screenshot(path=str(shots / f"{name}-{language}-{viewport['width']}.png"), full_page=False)
    finally:
        context.close()
    # the login page, logged out
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    assert_accessible(page)
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(shots / f"login-{viewport['width']}.png"))
    context.close()


def test_phone_navigation_collapses_and_tables_stack(browser, live_server, city):
    context, page = _session(browser, live_server, city, PHONE, "zh-hans")
    nav_link = page.locator("#sidenav [data-nav=units]")
    assert not nav_link.is_visible()  # off-canvas until asked for
    page.click("[data-testid=nav-toggle]")
    nav_link.wait_for(state="visible")
    nav_link.click()
    page.wait_for_url(f"{live_server.url}/units/")
    context.close()
    context, page = _session(browser, live_server, city, DESKTOP, "zh-hans")
    assert page.locator("#sidenav [data-nav=units]").is_visible()
    assert not page.locator("[data-testid=nav-toggle]").is_visible()
    context.close()

    # tables stack into labelled cards on phones
    context, page = _session(browser, live_server, city, PHONE, "en")
    page.goto(f"{live_server.url}/units/")
    cell = page.locator("[data-testid=unit-table] tbody tr").first.locator("td").nth(1)
    assert cell.get_attribute("data-label") == "Code"
    assert page.evaluate("getComputedStyle(document.querySelector('[data-testid=unit-table] tbody tr')).display") == "block"
    # a cell is as wide as the card, not one character per line
    assert cell.bounding_box()["width"] > 300
    assert not page.locator("[data-testid=unit-table] thead").is_visible() or \
        page.locator("[data-testid=unit-table] thead").bounding_box()["height"] <= 1
    context.close()


def test_dark_theme_is_remembered_per_browser_and_accessible(browser, live_server, city):
    context, page = _session(browser, live_server, city, DESKTOP, "zh-hans")
    assert page.locator("html").get_attribute("data-bs-theme") == "light"
    page.click("[data-testid=theme-toggle]")
    assert page.locator("html").get_attribute("data-bs-theme") == "dark"
    assert page.locator("[data-testid=theme-toggle]").get_attribute("aria-pressed") == "true"
    for path in ("/units/", "/audit/", "/map/"):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("html").get_attribute("data-bs-theme") == "dark", path  # remembered across pages
        if path == "/map/":
            page.wait_for_selector("#map[data-loaded=ok]", timeout=20000)
        assert_accessible(page)
    page.click("[data-testid=theme-toggle]")
    page.reload()
    assert page.locator("html").get_attribute("data-bs-theme") == "light"
    context.close()


def test_api_docs_render_offline(browser, live_server, tree, make_user):
    from yingji.core.roles import RoleCode

    make_user(RoleCode.VIEWER, tree["A"], username="reader", password="correct-horse-9")
    context, page = _session(browser, live_server, {"password": "correct-horse-9"}, DESKTOP, "zh-hans", "reader")
    outside = []

    def only_local(route):
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{live_server.url}/api/v1/docs")
    # Swagger UI resolves the whole document (≈0.5 MB) before drawing: 15 s on a loaded 2-core machine.
    page.wait_for_selector(".swagger-ui .info .title", timeout=90000)
    assert "Yingji API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock-tag").count() >= 4  # tags folded; opening one lists its operations
    page.locator(".opblock-tag").first.click()
    page.wait_for_selector(".opblock", timeout=20000)
    assert page.locator(".opblock").count() > 3
    assert outside == []
    context.close()


def test_error_page_for_unknown_host_in_browser(browser, live_server, transactional_db, settings):
    settings.ALLOWED_HOSTS = ["yingji.example.gov.cn"]  # as if the demo were opened by an address not listed
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    response = page.goto(f"{live_server.url}/")
    assert response.status == 400
    assert "YINGJI_ALLOWED_HOSTS" in page.locator("[data-testid=allowed-hosts-hint]").inner_text()
    assert_accessible(page)
    context.close()
