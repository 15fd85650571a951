"""Done when (issue 11), in Chromium through the pages: the duty officer takes a call (place by a map click), sees
it graded, dispatches teams of three different units from the recommendation; each unit accepts its order from
its inbox and reports arrival; the officer sees them on scene, prints the 信息快报, sends the reports, closes the
incident and reviews it with timings from the record. Axe-clean at 1280 px and at 390 px."""

from __future__ import annotations

import threading

import pytest
from chromium import fits, launch, login, require_chromium
from django.db import connections

from yingji.incidents.models import Dispatch, Incident

PASSWORD = "correct-horse-battery-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, width=1280):
    return login(browser, base, username, PASSWORD, width=width, height=900)


def test_duty_officer_takes_a_call_dispatches_three_units_and_closes_with_a_review(live_server, city, monkeypatch):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    failure: list[BaseException] = []

    def story():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    duty = _login(browser, base, "duty")
                    # 1. Take the call: the place by a map click.
                    duty.goto(f"{base}/incidents/new/")
                    assert_accessible(duty)
                    duty.click("#intake-map", position={"x": 150, "y": 120})
                    assert "," in duty.input_value("#id_location")
                    duty.fill("#id_location", "113.302, 23.101")  # the call says: by the 青山 market
                    duty.fill("#id_title", "青山街道内涝")
                    duty.select_option("#id_hazard_type", "waterlogging")
                    duty.fill("#id_caller_name", "王先生")
                    duty.fill("#id_callback_phone", "13900000000")
                    duty.fill("#id_trapped", "5")
                    duty.click("[data-testid=save]")
                    duty.wait_for_selector("[data-testid=level-basis]")
                    assert "一般" in duty.inner_text("h1")
                    assert_accessible(duty)
                    # 2. Recommendation and three dispatches from three units.
                    duty.select_option("#id_capability", "pumping")
                    duty.fill("#id_quantity", "4000")
                    duty.click("[data-testid=recommend-form] button[type=submit]")
                    duty.wait_for_selector("[data-testid=recommendation]")
                    assert_accessible(duty)
                    for key in ("a", "b", "c"):
                        duty.click(f"[data-testid=dispatch-teams-{city.teams[key].pk}]")
                        duty.wait_for_selector("[data-testid=dispatches]")
                    assert duty.locator("[data-testid=dispatch-row]").count() == 3
                    # 3. Each unit accepts from its inbox and reports arrival.
                    for who in ("staff_a", "staff_b", "staff_c"):
                        unit = _login(browser, base, who)
                        unit.goto(f"{base}/notifications/")
                        unit.click("[data-testid=inbox] a:has-text('调派令')")
                        unit.wait_for_selector("[data-testid=order-actions]")
                        assert_accessible(unit)
                        unit.click("[data-testid=status-accepted]")
                        unit.wait_for_selector("[data-testid=status-on_scene]")
                        unit.click("[data-testid=status-on_scene]")
                        unit.wait_for_selector("[data-testid=order-status]:has-text('到场')")
                        unit.context.close()
                    duty.reload()
                    assert duty.locator("[data-testid=status]:has-text('到场')").count() == 3
                    # While it is open: the dashboard's material search on a phone, in both languages.
                    open_pk = Incident.objects.get(title="青山街道内涝").pk
                    for lang in ("zh-hans", "en"):
                        phone = login(browser, base, "duty", PASSWORD, width=390, lang=lang)
                        phone.goto(f"{base}/incidents/{open_pk}/?material=1020201#materials")
                        assert phone.locator("[data-testid=lot-row]").count() >= 1
                        assert_accessible(phone)
                        fits(phone)
                        phone.context.close()
                    # 4. The 信息快报, as edited, printed.
                    duty.click("[data-testid=draft-sitrep]")
                    duty.wait_for_selector("[data-testid=sitrep-form]")
                    assert_accessible(duty)
                    duty.fill("#id_next_steps", "继续排涝，今晚 20 时前恢复通行。")
                    duty.click("[data-testid=save-sitrep]")
                    with duty.expect_download() as dl:
                        duty.click("[data-testid=pdf]")
                    with open(dl.value.path(), "rb") as fh:
                        assert fh.read(4) == b"%PDF"
                    duty.click("[data-testid=send-sitrep]")
                    duty.wait_for_selector("text=已报送")
                    # 5. Reports, response over, close, review.
                    inc = Incident.objects.get(title="青山街道内涝")
                    duty.goto(f"{base}/incidents/{inc.pk}/")
                    duty.click("button:has-text('转入善后')")
                    duty.wait_for_selector("[data-testid=countdown]")
                    while duty.locator("[data-testid=report-due] summary").count():
                        duty.locator("[data-testid=report-due] summary").first.click()
                        duty.locator("[data-testid=report-due] textarea").first.fill("情况已报")
                        duty.locator("[data-testid=report-due] button[type=submit]").first.click()
                        duty.wait_for_load_state()
                    duty.click("[data-testid=close]")
                    duty.wait_for_selector("[data-testid=review-link]")
                    duty.click("[data-testid=review-link]")
                    duty.fill("#lessons", "三支队伍均在目标时间内到场。")
                    duty.fill("#fu-title-1", "青山街道低洼路段加装积水监测")
                    duty.click("[data-testid=save-review]")
                    duty.wait_for_selector("[data-testid=lessons]")
                    assert duty.locator("[data-testid=arrivals] tbody tr").count() == 3
                    assert_accessible(duty)
                    duty.context.close()
                    # 6. Phones: the board, the dashboard and an order page at 390 px.
                    phone = _login(browser, base, "duty", width=390)
                    for url in ("/incidents/", f"/incidents/{inc.pk}/", "/incidents/new/",
                                f"/incidents/dispatches/{Dispatch.objects.filter(incident=inc).first().pk}/",
                                f"/incidents/{inc.pk}/replay/", f"/incidents/{inc.pk}/review/"):
                        phone.goto(base + url)
                        assert_accessible(phone)
                        fits(phone)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    runner = threading.Thread(target=story)
    runner.start()
    runner.join(600)
    if failure:
        raise failure[0]
    assert Incident.objects.get(title="青山街道内涝").phase == "closed"
