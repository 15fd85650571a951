"""Login throttling: a lock answers 429 with Retry-After, concurrent guesses get exactly N checks, and behind
a trusted proxy each client is counted by its own address."""

from __future__ import annotations

import os
import threading

import pytest
from django.contrib.auth.signals import user_login_failed
from django.db import connection
from django.test import Client

from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-9"
REDIS_URL = os.environ.get("YINGJI_REDIS_URL") or "redis://127.0.0.1:6379/15"


def redis_or_skip() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    return REDIS_URL


@pytest.fixture(params=["db", "redis"])
def login_cache(request, settings):
    """The two caches a deployment uses for the counters: the database table (default) and Redis."""
    if request.param == "redis":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": redis_or_skip()}}
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


@pytest.fixture
def limit3(settings):
    settings.YINGJI = {**settings.YINGJI, "LOGIN_ATTEMPTS": 3, "LOGIN_WINDOW_S": 600}


@pytest.fixture(autouse=True)
def _start_of_a_window(monkeypatch):
    """Counting windows are aligned to the clock (every 300 s, 600 s …): a test that crossed a boundary would
    see its counters restart. Shift the limiter's clock so each test starts one second into an hour."""
    import time as real

    from yingji.core import ratelimit

    offset = real.time() % 3600 - 1

    class Clock:
        @staticmethod
        def time():
            return real.time() - offset

    monkeypatch.setattr(ratelimit, "time", Clock)


def _post(c: Client, username: str, password: str, **extra):
    return c.post("/login/", {"username": username, "password": password}, **extra)


def test_lock_answers_429_with_retry_after(tree, make_user, login_cache, limit3):
    make_user(RoleCode.VIEWER, tree["A"], username="bob", password=PASSWORD)
    c = Client()
    for _ in range(3):
        assert _post(c, "bob", "wrong").status_code == 200
    r = _post(c, "bob", PASSWORD)
    assert r.status_code == 429
    assert 1 <= int(r["Retry-After"]) <= 600
    assert "登录失败次数过多" in r.content.decode()
    assert c.get("/").status_code == 302  # not logged in


def test_right_password_clears_failures_but_a_missing_one_does_not(tree, make_user, login_cache, limit3):
    make_user(RoleCode.VIEWER, tree["A"], username="carol", password=PASSWORD)
    c = Client()
    for _ in range(2):
        _post(c, "carol", "wrong")
    assert _post(c, "carol", PASSWORD).status_code == 302
    c.post("/logout/")
    for _ in range(2):
        _post(c, "carol", "wrong")
    _post(c, "carol", "")  # nothing checked: must not count as a success
    assert _post(c, "carol", "wrong").status_code == 429


def test_successful_logins_do_not_use_up_the_address(tree, make_user, login_cache, limit3):
    make_user(RoleCode.VIEWER, tree["A"], username="dave", password=PASSWORD)
    for _ in range(3 * 4 + 2):  # more than the address allows in failures
        c = Client()
        assert _post(c, "dave", PASSWORD).status_code == 302


def _hammer(n: int, username: str, password: str) -> tuple[list[int], int]:
    """`n` real threads post the login form at once; returns their statuses and the password checks made."""
    checks = []
    lock = threading.Lock()

    def count(sender, credentials, request=None, **kw):
        with lock:
            checks.append(credentials.get("username"))

    user_login_failed.connect(count, weak=False)
    barrier = threading.Barrier(n)
    statuses: list[int] = []

    def one():
        try:
            c = Client()
            barrier.wait()
            r = _post(c, username, password)
            with lock:
                statuses.append(r.status_code)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=one) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        user_login_failed.disconnect(count)
    return statuses, len(checks)


def test_forty_concurrent_wrong_passwords_get_exactly_the_limit_of_checks(tree, make_user, login_cache, settings):
    settings.YINGJI = {**settings.YINGJI, "LOGIN_ATTEMPTS": 5, "LOGIN_WINDOW_S": 600}
    make_user(RoleCode.SYSTEM_ADMIN, tree["city"], username="root", password=PASSWORD)
    statuses, checks = _hammer(40, "root", "wrong")
    assert len(statuses) == 40
    assert checks == 5
    assert sorted(statuses) == [200] * 5 + [429] * 35


def test_behind_a_trusted_proxy_clients_are_counted_apart(tree, make_user, login_cache, settings):
    settings.YINGJI = {**settings.YINGJI, "LOGIN_ATTEMPTS": 1, "LOGIN_WINDOW_S": 600,
                       "TRUSTED_PROXIES": ["10.0.0.0/8"]}
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    # An address allows 4 failures (LOGIN_ATTEMPTS × 4); each guess uses a new username.
    for k in range(4):
        _post(Client(), f"ghost{k}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    locked = _post(Client(), "ghost9", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out with the first.
    other = _post(Client(), "ghost9", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.20", **proxy)
    assert other.status_code == 200
    # A client may prepend anything to the header: the proxy's own hop (rightmost untrusted) decides.
    spoof = _post(Client(), "ghost8", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7", **proxy)
    assert spoof.status_code == 429


def test_forwarded_header_from_an_untrusted_peer_is_ignored(tree, make_user, login_cache, settings):
    settings.YINGJI = {**settings.YINGJI, "LOGIN_ATTEMPTS": 1, "LOGIN_WINDOW_S": 600,
                       "TRUSTED_PROXIES": ["10.0.0.0/8"]}
    direct = {"REMOTE_ADDR": "192.0.2.50"}
    for k in range(4):
        _post(Client(), f"spook{k}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{k}", **direct)
    assert _post(Client(), "spook9", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.77", **direct).status_code == 429


def test_trusted_proxies_setting_is_parsed_and_checked():
    from yingji.config.env import load

    env = load({"YINGJI_VAR_DIR": os.environ.get("YINGJI_VAR_DIR", "var"), "YINGJI_SECRET_KEY": "x",
                "YINGJI_TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12"})
    assert env.trusted_proxies == ["10.0.0.1/32", "172.16.0.0/12"]
    with pytest.raises(ValueError, match="YINGJI_TRUSTED_PROXIES"):
        load({"YINGJI_SECRET_KEY": "x", "YINGJI_TRUSTED_PROXIES": "proxy.example"})
