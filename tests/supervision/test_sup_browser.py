"""Done when (issue 9), in Chromium through the pages: a bureau officer enters motion 0133 and assigns it to the two
units with their deadlines; each unit signs for it on its desk (the in-app item and the e-mail both arrived),
replies with its result code; the requester scores it; the ranking and the monthly report show both units'
figures, the co-handler's late reply in its on-time rate."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from chromium import fits, launch, login, require_chromium
from django.core import mail
from django.db import connections
from django.utils import timezone

from yingji.core import services as core_services
from yingji.supervision.models import Assignment, Task

PASSWORD = "correct-horse-9"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(browser, base, username, width=1280):
    return login(browser, base, username, PASSWORD, width=width, height=900)


def test_motion_0133_through_the_pages(live_server, motion, monkeypatch):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    m = motion
    for user, email in ((m.fire1, "fire1@example.org"), (m.officer, "officer@example.org")):
        core_services.update_user(None, user, {"email": email})
    base = live_server.url
    today = timezone.localdate()
    failure: list[BaseException] = []

    def story():
        """Playwright in its own thread: another test's session-wide browser may own this thread's event loop."""
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    # 1. The bureau officer enters the motion and assigns it.
                    officer = _login(browser, base, "officer")
                    officer.goto(f"{base}/supervision/tasks/new/")
                    officer.fill("#id_reference", "100202202240133")
                    officer.fill("#id_title", "关于加强应急救援体系建设的议案")
                    officer.select_option("#id_source", "motion")
                    officer.select_option("#id_requester_unit", label=m.congress.name)
                    officer.fill("#id_requester_name", "周红军等11人")
                    officer.select_option("#id_owner_unit", label=m.bureau.name)
                    officer.click("main form.card button[type=submit]")
                    officer.wait_for_selector("[data-testid=assign-form]")
                    assert_accessible(officer)
                    officer.select_option("#id_assign-lead_unit", label=m.bureau.name)
                    officer.fill("#id_assign-lead_deadline", str(today + dt.timedelta(days=30)))
                    officer.select_option("#id_assign-co_unit", label=m.fire.name)
                    officer.fill("#id_assign-co_deadline", str(today + dt.timedelta(days=1)))
                    officer.click("[data-testid=assign-form] button[type=submit]")
                    officer.wait_for_selector("[data-testid=task-state]:has-text('已交办')")
                    task = Task.objects.get(reference="100202202240133")

                    # 2. The fire detachment: the in-app item and the e-mail arrived; it signs on its desk.
                    assert any("请签收督办事项" in msg.subject and "fire1@example.org" in msg.to for msg in mail.outbox)
                    fire = _login(browser, base, "fire1")
                    fire.goto(f"{base}/notifications/")
                    assert "请签收督办事项：关于加强应急救援体系建设的议案" in fire.inner_text("main")
                    fire.goto(f"{base}/supervision/")
                    assert fire.inner_text("[data-testid=count-to_sign] b") == "1"
                    assert_accessible(fire)
                    co = Assignment.objects.get(task=task, owner_unit=m.fire)
                    fire.click(f"[data-testid=sign-{co.pk}]")
                    fire.wait_for_selector("[data-testid=count-to_sign] b:text-is('0')")
                    # Time passes: the co-handler's deadline (one day) runs out before it replies — moved back on the
                    # record, since the pages rightly refuse a deadline before the assignment date.
                    Assignment.objects.filter(pk=co.pk).update(deadline=today - dt.timedelta(days=2))
                    Task.objects.filter(pk=task.pk).update(assigned_at=timezone.now() - dt.timedelta(days=5))
                    fire.goto(f"{base}/supervision/tasks/{task.pk}/")
                    fire.select_option("#id_reply-result_code", "B")
                    fire.select_option("#id_reply-comm_mode", "phone")
                    fire.fill("#id_reply-text", "逐步解决")
                    fire.click("[data-testid=reply-form] button[type=submit]")
                    fire.wait_for_selector(f"[data-testid=handler-{m.fire.code}]:has-text('逾期')")

                    # 3. The bureau signs for its lead part and replies on time.
                    officer.goto(f"{base}/supervision/")
                    lead = Assignment.objects.get(task=task, owner_unit=m.bureau)
                    officer.click(f"[data-testid=sign-{lead.pk}]")
                    officer.goto(f"{base}/supervision/tasks/{task.pk}/")
                    officer.select_option("#id_reply-result_code", "A")
                    officer.select_option("#id_reply-comm_mode", "phone")
                    officer.click("[data-testid=reply-form] button[type=submit]")
                    officer.wait_for_selector("[data-testid=task-state]:has-text('已答复')")

                    # 4. The requester scores it: first a score above the maximum (refused, nothing changes), then right.
                    deputy = _login(browser, base, "deputy")
                    deputy.goto(f"{base}/supervision/?box=awaiting_feedback")
                    deputy.click("text=关于加强应急救援体系建设的议案")
                    for i, v in enumerate([20, 20, 31, 28]):
                        deputy.fill(f"#id_feedback-score_{i}", str(v))
                    deputy.select_option("#id_feedback-satisfaction", "satisfied")
                    deputy.click("[data-testid=feedback-form] button[type=submit]")
                    deputy.wait_for_selector("text=超出范围")
                    assert Task.objects.get(pk=task.pk).state == "replied"
                    deputy.fill("#id_feedback-score_2", "28")
                    deputy.click("[data-testid=feedback-form] button[type=submit]")
                    deputy.wait_for_selector("[data-testid=feedback]")
                    assert Task.objects.get(pk=task.pk).scores == {"办理态度": 20, "联系沟通": 20, "答复质量": 28, "问题解决": 28}

                    # 5. The ranking and the monthly report show both units' figures.
                    start, end = today - dt.timedelta(days=40), today + dt.timedelta(days=40)
                    officer.goto(f"{base}/supervision/ranking/?start={start}&end={end}")
                    fire_row = officer.inner_text(f"[data-testid='rank-{m.fire.name}']")
                    bureau_row = officer.inner_text(f"[data-testid='rank-{m.bureau.name}']")
                    assert "0.0%" in fire_row and "100.0%" in bureau_row and "28.0" in bureau_row
                    assert_accessible(officer)
                    fits(officer)
                    from openpyxl import load_workbook
                    from pypdf import PdfReader

                    # the report links, fetched with the officer's session
                    pdf = officer.request.get(base + officer.get_attribute("[data-testid=report-pdf]", "href"))
                    assert pdf.headers["content-type"] == "application/pdf"
                    text = PdfReader(io.BytesIO(pdf.body())).pages[0].extract_text()
                    assert m.fire.name in text and m.bureau.name in text and "0.0%" in text and "100.0%" in text
                    xlsx = officer.request.get(base + officer.get_attribute("[data-testid=report-xlsx]", "href"))
                    rows = {r[0]: r for r in load_workbook(io.BytesIO(xlsx.body())).active.values}
                    assert rows[m.fire.name][4] == "0.0%" and rows[m.bureau.name][2] == "100.0%"
                    # the desk at phone width
                    phone = _login(browser, base, "fire1", width=390)
                    phone.goto(f"{base}/supervision/")
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
