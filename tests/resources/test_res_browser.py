"""The issue's story in a real browser: a town's staff imports its warehouse list from Excel and sees it on the
map; the city's duty officer sees every unit's warehouses in one place."""

from __future__ import annotations

import threading

import openpyxl
import pytest
from chromium import launch, require_chromium

from yingji.resources import services
from yingji.resources.models import Warehouse

PASSWORD = "correct-horse-battery-9"  # the world fixture's users (tests/resources/conftest.py)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(fn) -> None:
    """Run `fn(page)` with its own Playwright in a separate thread: the sync API refuses to start inside a thread
    whose event loop another session-scoped browser fixture (tests/browser) may already be running."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    failure: list[BaseException] = []

    def run():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
                    fn(context.new_page())
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    if failure:
        raise failure[0]


def login(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_town_imports_from_excel_sees_it_on_the_map_and_duty_sees_all(world, live_server, tmp_path):
    services.create(None, Warehouse, {"owner_unit": world.town_b, "code": "B-01", "name": "青山街道储备库",
                                      "lat": 23.1, "lng": 113.4})
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["所属单位", "编号", "名称", "级别", "经度", "纬度", "保管员", "联系电话"])
    ws.append([world.town_a.code, "A-01", "长安镇一号库", "镇街级", 113.201, 23.101, "张三", "0999-1"])
    ws.append([world.town_a.code, "A-02", "长安镇二号库", "镇街级", 113.19, 23.09, "李四", "0999-2"])
    path = tmp_path / "长安镇储备库.xlsx"
    wb.save(path)

    base = live_server.url
    seen: dict = {}

    def as_staff(page):
        login(page, base, "staff_a", PASSWORD)
        page.goto(f"{base}/resources/warehouses/import/")
        page.set_input_files("input[type=file]", str(path))
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
        seen["report"] = page.inner_text("[data-testid=import-report]")
        page.goto(f"{base}/resources/map/")
        page.wait_for_function("document.getElementById('map').dataset.loaded === 'ok'", timeout=20000)
        seen["layer"] = page.evaluate("window.yingjiLayers.warehouses.count")
        seen["shown"] = page.evaluate("window.yingjiMap.hasLayer(window.yingjiLayers.warehouses.layer)")

    def as_duty(page):
        login(page, base, "duty", PASSWORD)
        page.goto(f"{base}/resources/warehouses/")
        seen["table"] = page.inner_text("[data-testid=resource-table]")

    in_browser(as_staff)
    assert "导入成功" in seen["report"]
    assert set(Warehouse.objects.filter(owner_unit=world.town_a).values_list("code", flat=True)) == {"A-01", "A-02"}
    assert seen["layer"] == 3 and seen["shown"]
    in_browser(as_duty)
    assert all(name in seen["table"] for name in ("长安镇一号库", "长安镇二号库", "青山街道储备库"))
