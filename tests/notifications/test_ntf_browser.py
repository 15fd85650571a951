"""In a real browser: the shell's badge refreshes itself by htmx polling (conditional GETs), and a
colleague's 签收 shows on the inbox."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from chromium import launch, require_chromium
from django.db import connections
from django.utils import timezone

from yingji.core import live
from yingji.notifications import kinds, services
from yingji.notifications.services import Recipient

PASSWORD = "correct-horse-9"  # tests/conftest.py make_user's default

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_browser(fn) -> None:
    """Run `fn(page)` with its own Playwright in a separate thread (see tests/resources/test_res_browser.py)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    failure: list[BaseException] = []

    def run():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    fn(browser.new_context(locale="zh-CN").new_page())
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)

    t = threading.Thread(target=run)
    t.start()
    t.join(120)
    if failure:
        raise failure[0]


def test_badge_updates_by_polling_and_sign_off_shows(live_server, settings, tree, people, monkeypatch):
    settings.YINGJI_LIVE_POLL_S = 1
    base = live_server.url
    statuses: list[int] = []
    not_modified: list[bool] = []
    answer = live._matches

    def recording(request, etag):  # observes the real check, changes nothing
        result = answer(request, etag)
        not_modified.append(result)
        return result

    monkeypatch.setattr(live, "_matches", recording)

    def send():
        try:
            services.notify(kinds.GENERAL, key="live:1", title="暴雨橙色预警，请签收",
                            recipients=[Recipient.of_unit(tree["A1"])], needs_signoff=True,
                            sign_deadline=timezone.now() + dt.timedelta(hours=1))
        finally:
            connections.close_all()

    def story(page):
        page.on("response", lambda r: statuses.append(r.status) if "/notifications/badge/" in r.url else None)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "staff_a1")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        badge = page.locator("[data-testid=inbox-badge]")
        badge.wait_for()
        assert badge.get_attribute("data-unread") == "0"
        # Nothing changes for a while: the browser revalidates its cached badge and the server answers 304
        # (the browser then hands htmx the cached copy, so Playwright sees 200s; we count on the server side).
        page.wait_for_function("() => window.htmx !== undefined")
        for _ in range(60):
            if any(not_modified):
                break
            page.wait_for_timeout(250)
        assert any(not_modified)
        # Playwright's thread runs an event loop, where Django refuses database calls: notify from another one.
        sender = threading.Thread(target=send)
        sender.start()
        sender.join()
        page.wait_for_selector("[data-testid=inbox-badge][data-unread='1']", timeout=15000)
        page.click("[data-testid=inbox-badge]")
        page.click("[data-testid=sign]")
        page.wait_for_selector("[data-testid=signed]")
        assert "staff_a1" in page.inner_text("[data-testid=signed]")
        page.wait_for_selector("[data-testid=inbox-badge][data-unread='0']", timeout=15000)

    in_browser(story)
    assert statuses and all(s in (200, 304) for s in statuses)
