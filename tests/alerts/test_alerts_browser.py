"""Done when (issue 12, the warnings half), in Chromium through the pages: the duty officer drafts an orange
rainstorm warning over two towns on a phone (390 px); the commander approves and publishes it; the warning is in
/cap/index.atom; a town's staff acknowledges it on their phone, and the acknowledgement page shows who has and
hasn't signed. Every page axe-clean, nothing scrolling sideways; the public page works without login."""

from __future__ import annotations

import threading

import pytest
from chromium import fits, launch, login, require_chromium
from django.db import connections
from django.utils import timezone
from tests.alerts.conftest import when

from yingji.alerts.models import State, Warning

PASSWORD = "correct-horse-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, width=390):
    return login(browser, base, username, PASSWORD, width=width, height=844)


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


SLOPE = {"kind": "hazard_area", "id": 7, "name": "后山滑坡隐患点", "hazard_types": ["landslide"], "lat": 23.02,
         "lng": 113.27, "risk_level": 1, "owner_unit_id": None, "url": "/risk/areas/7/"}


def test_draft_approve_publish_acknowledge(live_server, city, monkeypatch, risk_provider, incidents_provider):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    risk_provider.append(SLOPE)
    base = live_server.url
    failure: list[BaseException] = []

    def story():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    # 1. The duty officer drafts on a phone and submits it for approval.
                    duty = _login(browser, base, "duty")
                    duty.goto(f"{base}/warnings/new/")
                    assert_accessible(duty)
                    fits(duty)
                    duty.select_option("#id_owner_unit", label=city.city.name)
                    duty.fill("#id_headline", "江北区暴雨橙色预警")
                    duty.select_option("#id_hazard_type", "rainstorm")
                    duty.select_option("#id_level", "2")
                    duty.fill("#id_onset", _local(when()))
                    duty.fill("#id_expires", _local(when(12)))
                    duty.select_option("#id_towns", [str(city.towns[0].pk), str(city.towns[1].pk)])
                    duty.fill("#id_instruction", "停止户外集体活动，远离低洼地带")
                    duty.click("[data-testid=warning-form] button[type=submit]")
                    duty.wait_for_selector("[data-testid=submit]")
                    assert_accessible(duty)
                    fits(duty)
                    duty.click("[data-testid=submit]")
                    duty.wait_for_selector("[data-testid=state]:has-text('待审批')")
                    assert duty.locator("[data-testid=approve]").count() == 0  # orange: the city approves
                    w = Warning.objects.get()

                    # 2. The commander approves and publishes it (desktop); the feed lists it.
                    boss = _login(browser, base, "commander", width=1280)
                    boss.goto(f"{base}/")
                    assert "江北区暴雨橙色预警" in boss.inner_text("[data-testid=workbench-warnings]")
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    assert_accessible(boss)
                    boss.click("[data-testid=approve]")
                    boss.wait_for_selector("[data-testid=state]:has-text('已发布')")
                    assert_accessible(boss)
                    feed = boss.request.get(f"{base}/cap/index.atom").text()
                    assert f"/cap/{w.identifier}-1.xml" in feed

                    # 3. A town's staff acknowledges on a phone.
                    staff = _login(browser, base, "staff1")
                    staff.goto(f"{base}/warnings/{w.pk}/")
                    assert_accessible(staff)
                    fits(staff)
                    staff.click("[data-testid=acknowledge]")
                    staff.wait_for_selector("[data-testid=signed]")
                    staff.goto(f"{base}/warnings/{w.pk}/acknowledgements/")
                    assert staff.inner_text("[data-testid=ack-count]") == "1/2"
                    assert "staff1" in staff.inner_text(f"[data-testid=ack-{city.towns[0].code}]")
                    assert "未签收" in staff.inner_text(f"[data-testid=ack-{city.towns[1].code}]")
                    assert_accessible(staff)
                    fits(staff)

                    # 4. The chain proposes a landslide warning for the slope inside the area; the commander
                    # accepts it into a draft, then escalates the warning into an incident in one step.
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    assert "后山滑坡隐患点" in boss.inner_text("[data-testid=proposals]")
                    boss.click("[data-testid=accept]")
                    boss.wait_for_selector("[data-testid=state]:has-text('草稿')")
                    assert "滑坡" in boss.inner_text("h1")
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    boss.click("[data-testid=escalate]")
                    boss.wait_for_url("**/incidents/41/")
                    assert incidents_provider[0]["hazard_type"] == "rainstorm"

                    # 5. English, on a phone.
                    staff.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
                    staff.goto(f"{base}/warnings/{w.pk}/")
                    assert "Acknowledg" in staff.inner_text("main")
                    assert_accessible(staff)
                    fits(staff)

                    # 6. The 一张图 map draws the warning in its colour's layer.
                    boss.goto(f"{base}/map/")
                    boss.wait_for_function("window.yingjiLayers && window.yingjiLayers['warnings-2'] "
                                           "&& window.yingjiLayers['warnings-2'].count === 1")
                    assert_accessible(boss)

                    # 7. The list, the chain graph and the import page; the public page without login.
                    for path in ("/warnings/", "/warnings/chains/", "/warnings/import/"):
                        boss.goto(f"{base}{path}")
                        assert_accessible(boss)
                    anon = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
                    anon.goto(f"{base}/cap/public/")
                    assert "江北区暴雨橙色预警" in anon.inner_text("main")
                    assert_accessible(anon)
                    fits(anon)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()  # this thread read the database: let the test database be dropped

    t = threading.Thread(target=story)
    t.start()
    t.join()
    if failure:
        raise failure[0]
    assert Warning.objects.filter(parent__isnull=True).get().state == State.PUBLISHED
