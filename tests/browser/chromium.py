"""What every browser test shares: Debian's Chromium, how to start it, how to sign in, and the sideways check.

Any app's browser test imports it (tests/browser is on pytest's pythonpath, pyproject.toml):

    from chromium import launch, login, require_chromium, fits

Without a `chromium` on PATH the test skips with a reason, except under CI, where that is a failure: CI installs
the browser, and a silently skipped UI test would hide a broken page.
"""

from __future__ import annotations

import os
import shutil

import pytest

__all__ = ["ARGS", "CHROMIUM", "IN_CI", "fits", "launch", "login", "require_chromium"]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def require_chromium() -> str:
    """The browser's path; skip the test without one (fail it under CI)."""
    if CHROMIUM is None:
        if IN_CI:
            pytest.fail("CI must provide Debian's chromium for the browser tests (apt-get install chromium)")
        pytest.skip("no chromium on PATH: apt-get install chromium")
    return CHROMIUM


def launch(playwright):
    """Chromium from Debian with the project's flags, under a running `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=require_chromium(), args=ARGS)


def login(browser, base: str, username: str, password: str, *, width: int = 1280, height: int = 844,
          lang: str | None = None):
    """A new context (a Chinese browser at the given size, optionally with a language chosen) signed in as
    `username`; returns its page on the page the login lands on."""
    ctx = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    if lang:
        ctx.add_cookies([{"name": "django_language", "value": lang, "url": base}])
    page = ctx.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return page


def fits(page) -> None:
    """Nothing on the page scrolls sideways."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), page.url
