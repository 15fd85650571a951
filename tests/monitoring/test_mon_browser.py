"""The monitoring pages in Chromium: the sensor list and detail (chart), the rules list, the editor's dry run and a
refused definition, at 1280 px and 390 px, in Chinese and English, axe-clean, nothing scrolling sideways."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from chromium import fits, launch, login, require_chromium
from mon_util import now_ms

from yingji.monitoring import services
from yingji.monitoring.store import get_store

PASSWORD = "correct-horse-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, width, lang="zh-hans"):
    return login(browser, base, username, PASSWORD, width=width, height=900, lang=lang)


def test_sensor_and_rule_pages(live_server, world, monkeypatch):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    rules = services.rules_from_template(None, owner_unit=world.tree["city"], template="rainstorm",
                                         hazard_type="rainstorm")
    n = 6 * 30
    end = now_ms() - 60_000
    ts = end - (n - 1 - np.arange(n, dtype=np.int64)) * 600_000
    rain = np.where((np.arange(n) > 60) & (np.arange(n) <= 78), 3.5, 0.0)  # 63 mm in 3 h, a day ago
    get_store().insert(np.full(n, world.rain[0].pk), ts, rain)
    world.rain[0].__class__.objects.filter(pk=world.rain[0].pk).update(last_value=0.0)
    base = live_server.url
    sensor, orange = world.rain[0], next(r for r in rules if r.level == 2)
    failure: list[BaseException] = []

    def story():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    for width, lang in ((1280, "zh-hans"), (390, "zh-hans"), (390, "en")):
                        page = _login(browser, base, "officer", width, lang)
                        page.goto(f"{base}/monitoring/")
                        assert page.locator("main").get_by_text("RG-001").count() >= 1
                        assert_accessible(page)
                        fits(page)
                        page.goto(f"{base}/monitoring/sensors/{sensor.pk}/")
                        assert page.locator("[data-testid=chart] svg polyline").count() == 1
                        assert page.locator("[data-testid=latest] tbody tr").count() == 12
                        assert_accessible(page)
                        fits(page)
                        page.goto(f"{base}/monitoring/rules/")
                        assert page.locator("[data-testid=rules] tbody tr").count() == 4
                        assert_accessible(page)
                        fits(page)
                        page.click(f"a[href='/monitoring/rules/{orange.pk}/']")
                        page.fill("#id_days", "3")
                        page.click("[data-testid=dry-run]")
                        page.wait_for_selector("[data-testid=dry-run-result]")
                        assert page.locator("[data-testid=fired] tbody tr").count() == 1
                        assert "RG-001" in page.locator("[data-testid=fired]").inner_text()
                        assert_accessible(page)
                        fits(page)
                        if lang == "en":
                            assert "Dry run" in page.content()
                        page.fill("#id_definition", '{"level": 2, "clauses": [{"sensors": {"kind": "rain"}, '
                                                    '"when": {"op": "~", "value": 1}}]}')
                        page.click("[data-testid=save]")
                        page.wait_for_selector("[data-testid=error-definition]")
                        assert "clauses[0].when.op" in page.locator("[data-testid=error-definition]").inner_text()
                        assert_accessible(page)
                        page.context.close()
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)

    t = threading.Thread(target=story)
    t.start()
    t.join()
    if failure:
        raise failure[0]
    orange.refresh_from_db()
    assert orange.definition["clauses"][0]["when"]["op"] == ">="  # the refused definition changed nothing


def test_map_offers_the_sensor_layer(world):
    from django.apps import apps

    layers = apps.get_app_config("monitoring").map_layers()
    assert any("sensors" in (layer.get("key") or layer.get("url", "")) for layer in layers)
