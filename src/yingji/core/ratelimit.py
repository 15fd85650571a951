"""Login throttling: after N failures for one username or one address within a window, refuse for a while."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

__all__ = ["is_locked", "note_failure", "reset"]


def _keys(username: str, ip: str) -> list[str]:
    h = hashlib.sha256(username.lower().encode()).hexdigest()[:24]
    return [f"yingji:login:u:{h}", f"yingji:login:ip:{ip}"]


def _limit() -> tuple[int, int]:
    conf = settings.YINGJI
    return conf["LOGIN_ATTEMPTS"], conf["LOGIN_WINDOW_S"]


def is_locked(username: str, ip: str) -> bool:
    attempts, _ = _limit()
    u_key, ip_key = _keys(username, ip)
    # An address gets more room than a single account: several people may share one office NAT.
    return (cache.get(u_key, 0) >= attempts) or (cache.get(ip_key, 0) >= attempts * 4)


def note_failure(username: str, ip: str) -> None:
    _, window = _limit()
    for key in _keys(username, ip):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def reset(username: str, ip: str) -> None:
    cache.delete(_keys(username, ip)[0])
