"""Login (with throttling) and the language switch."""

from __future__ import annotations

import pytest
from django.test import Client

from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_login_and_logout(tree, make_user):
    make_user(RoleCode.VIEWER, tree["A"], username="alice", password="correct-horse-9")
    c = Client()
    r = c.post("/login/", {"username": "alice", "password": "correct-horse-9"})
    assert r.status_code == 302
    assert "alice" in c.get("/").content.decode()
    c.post("/logout/")
    assert c.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(tree, make_user, settings):
    settings.YINGJI = {**settings.YINGJI, "LOGIN_ATTEMPTS": 3}
    make_user(RoleCode.VIEWER, tree["A"], username="bob", password="correct-horse-9")
    c = Client()
    for _ in range(3):
        r = c.post("/login/", {"username": "bob", "password": "wrong"})
        assert "用户名或密码错误" in r.content.decode()
    r = c.post("/login/", {"username": "bob", "password": "correct-horse-9"})
    assert r.status_code == 429 and "登录失败次数过多" in r.content.decode()
    assert c.get("/").status_code == 302  # still not logged in


def test_wrong_password_message_is_in_chinese_by_default(tree):
    r = Client().post("/login/", {"username": "nobody", "password": "x"})
    assert "用户名或密码错误" in r.content.decode()


def test_language_switch_to_english_and_back(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))
    page = c.get("/").content.decode()
    assert '<html lang="zh-hans">' in page and "工作台" in page
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get("/").content.decode()
    assert '<html lang="en">' in page and "Workbench" in page and "工作台" not in page
    err = c.get("/api/v1/units/999999").json()["error"]["message"]
    assert err.isascii()
    c.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "工作台" in c.get("/").content.decode()


# The browser's Accept-Language no longer overrides YINGJI_LANGUAGE: tests/core/test_shell_pages.py.
