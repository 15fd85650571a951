"""Done when (issue 13), in Chromium: a grid officer records a hidden danger on a 390 px phone with a photo; the
town sees it, orders its rectification, sees it overdue and escalated; an enterprise sees its GB 18218 grade with
the arithmetic; the overview and the four-colour map render. Every page axe-clean, nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from chromium import fits, launch, login, require_chromium
from django.db import connections
from django.utils import timezone
from PIL import Image

from yingji.risk.models import HazardSource, HiddenDanger
from yingji.risk.services import dangers

PASSWORD = "correct-horse-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, width=1280, lang=None):
    return login(browser, base, username, PASSWORD, width=width, height=844, lang=lang)


def _photo(tmp_path):
    path = tmp_path / "scene.jpg"
    Image.new("RGB", (320, 240), (180, 60, 40)).save(path, "JPEG")
    return path


def test_grid_officer_phone_flow_to_escalation(live_server, world, cells, tmp_path, monkeypatch):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    source = HazardSource(owner_unit=world.e1, code="E1-T01", name="液氯储罐区", offsite_population=120,
                          lat=23.105, lng=113.305)
    source.save()
    from yingji.risk.models import ChemicalHolding
    from yingji.risk.services import sources

    ChemicalHolding.objects.create(owner_unit=world.e1, source=source, chemical="液氯", tonnes="200")
    sources.recompute(None, source)
    base = live_server.url
    photo = _photo(tmp_path)
    failure: list[BaseException] = []
    state: dict = {}

    def story():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    # 1. The grid officer, on a phone, records a hidden danger with a photo.
                    phone = _login(browser, base, "gridofficer", width=390)
                    phone.goto(f"{base}/risk/report/")
                    assert_accessible(phone)
                    fits(phone)
                    phone.fill("#id_name", "消防通道被杂物堵塞")
                    phone.select_option("#id_grade", "major")
                    phone.fill("#id_description", "仓库后门通道堆放纸箱")
                    phone.fill("#id_location", "113.304, 23.104")
                    phone.set_input_files("#id_photo", str(photo))
                    phone.click("[data-testid=report-form] button[type=submit]")
                    phone.wait_for_selector("[data-testid=facts]")
                    assert "消防通道被杂物堵塞" in phone.inner_text("h1")
                    assert phone.locator("[data-testid=attachments] img").count() == 1
                    assert_accessible(phone)
                    fits(phone)
                    state["danger_url"] = phone.url
                    # a bad location comes back with the input kept and the field named
                    phone.goto(f"{base}/risk/report/")
                    phone.fill("#id_name", "广告牌松动")
                    phone.fill("#id_location", "23.104, 113.304")
                    phone.click("[data-testid=report-form] button[type=submit]")
                    phone.wait_for_selector("#id_location_error")
                    assert phone.input_value("#id_name") == "广告牌松动"
                    assert_accessible(phone)

                    # 2. The town orders its rectification from the danger's page.
                    town = _login(browser, base, "townstaff")
                    town.goto(state["danger_url"])
                    town.select_option("#id_op", "order")
                    town.select_option("#id_responsible_unit", label="长安东社区")
                    town.fill("#id_responsible_person", "李社区")
                    town.fill("#id_deadline", str(timezone.localdate() + dt.timedelta(days=3)))
                    town.fill("#id_order", "三日内清理通道")
                    town.click("[data-testid=action-form] button[type=submit]")
                    town.wait_for_selector(".alert-success")
                    assert "整改中" in town.inner_text("[data-testid=facts]")
                    assert_accessible(town)

                    # 3. An enterprise sees its grade with the arithmetic (phone width, English too).
                    ent = _login(browser, base, "ent1", width=390)
                    ent.goto(f"{base}/risk/sources/{source.pk}/gb18218/")
                    assert ent.inner_text("[data-testid=grade]").strip() in ("一级", "Grade 1")
                    assert "160" in ent.inner_text("[data-testid=gb18218-lines]")
                    assert_accessible(ent)
                    fits(ent)
                    ent_en = _login(browser, base, "ent1", lang="en")
                    ent_en.goto(f"{base}/risk/sources/{source.pk}/gb18218/")
                    assert_accessible(ent_en)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised on the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=story)
    t.start()
    t.join()
    if failure:
        raise failure[0]

    # 4. Past its deadline it escalates once; the town's overview counts it overdue.
    danger = HiddenDanger.objects.get(name="消防通道被杂物堵塞")
    assert danger.state == "rectifying" and danger.grid_cell_id == cells["WG-001"].pk
    later = timezone.now() + dt.timedelta(days=5)
    assert dangers.escalate_overdue(later) == 1
    danger.refresh_from_db()
    assert danger.escalated_at is not None

    def overview():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    for width in (1280, 390):
                        town = _login(browser, base, "townstaff", width=width)
                        town.goto(f"{base}/risk/")
                        assert town.inner_text("[data-testid=major-by-grade]")
                        assert_accessible(town)
                        fits(town)
                        town.goto(f"{base}/risk/map/")
                        town.wait_for_function("document.getElementById('map').dataset.loaded")
                        assert town.evaluate("window.yingjiLayers['risk-cells'].count") == 3
                        assert_accessible(town)
                        town.goto(f"{base}/risk/dangers/")
                        assert_accessible(town)
                        fits(town)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001
            failure.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=overview)
    t.start()
    t.join()
    if failure:
        raise failure[0]
