"""Playwright driving Debian's Chromium against a live test server (`chromium.py`: skipped without the browser,
except under CI, where that is a failure)."""

from __future__ import annotations

import os

import pytest
from chromium import launch, require_chromium


@pytest.fixture(scope="session")
def browser():
    require_chromium()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    pg = context.new_page()
    yield pg
    context.close()
