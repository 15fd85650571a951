"""Login throttling: at most N password checks per account (4N per address) in each window.

A check is *reserved before* the password is tested: each attempt must win one of N numbered slots with the
cache's atomic `add` (Redis SET NX; the database cache's INSERT on a primary key), so N concurrent wrong
passwords get exactly N checks, never N+1. Slot keys carry the window number, so a slot is never reused
after it expires (re-adding an expired row is not atomic in the database cache). See
docs/decisions/0015-login-throttling.md.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache

__all__ = ["Attempt", "begin", "client_ip", "trusted_proxies"]

# An address gets more room than a single account: several people may share one office NAT.
IP_FACTOR = 4


@dataclass
class Attempt:
    """The outcome of `begin()`: either slots reserved for one check, or locked for `retry_after` seconds."""

    slots: list[str] = field(default_factory=list)
    retry_after: int = 0
    user_prefix: str = ""
    limit: int = 0

    @property
    def locked(self) -> bool:
        return self.retry_after > 0

    def succeeded(self) -> None:
        """A right password clears the account's failures and gives the address its slot back."""
        keys = [f"{self.user_prefix}:{i}" for i in range(self.limit)] + self.slots[1:]
        cache.delete_many(keys)


def _limit() -> tuple[int, int]:
    conf = settings.YINGJI
    return conf["LOGIN_ATTEMPTS"], conf["LOGIN_WINDOW_S"]


def _prefixes(username: str, ip: str, epoch: int) -> tuple[str, str]:
    h = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:24]
    return f"yingji:login:{epoch}:u:{h}", f"yingji:login:{epoch}:ip:{ip}"


def _reserve(prefix: str, n: int, ttl: int) -> str | None:
    keys = [f"{prefix}:{i}" for i in range(n)]
    taken = cache.get_many(keys)
    for key in keys:
        if key not in taken and cache.add(key, 1, ttl):
            return key
    return None


def begin(username: str, ip: str) -> Attempt:
    """Reserve one password check for (username, address), or say how long they are locked out."""
    attempts, window = _limit()
    now = time.time()
    epoch = int(now // window)
    retry = max(1, math.ceil((epoch + 1) * window - now))
    ttl = retry + 1
    user_prefix, ip_prefix = _prefixes(username, ip, epoch)
    user_slot = _reserve(user_prefix, attempts, ttl)
    if user_slot is None:
        return Attempt(retry_after=retry)
    ip_slot = _reserve(ip_prefix, attempts * IP_FACTOR, ttl)
    if ip_slot is None:
        cache.delete(user_slot)
        return Attempt(retry_after=retry)
    return Attempt([user_slot, ip_slot], 0, user_prefix, attempts)


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(s, strict=False) for s in spec)


def trusted_proxies() -> tuple:
    return _networks(tuple(settings.YINGJI.get("TRUSTED_PROXIES", ())))


def _is_trusted(addr: str, nets) -> bool:
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return False
    return any(ip in n for n in nets)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or, when that is a trusted proxy, the nearest untrusted hop of
    X-Forwarded-For (read right to left, so a client cannot choose its own address by sending the header)."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    nets = trusted_proxies()
    if not nets or not _is_trusted(remote, nets):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, nets):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a garbled header from behind our own proxy: count the proxy
    return hops[0] if hops else remote
