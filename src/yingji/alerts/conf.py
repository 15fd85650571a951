"""The module's settings, each with a default: `YINGJI_WARNINGS = {...}` in the Django settings overrides any.

- APPROVER_KINDS {level: [unit kinds]}: who approves a warning of that level — a user holding the 审批 right on
  warnings at a unit of one of these kinds, above the warning's owner (red and orange: the city; yellow: the
  city or a district; blue: also a town).
- ACK_MINUTES {level: minutes}: how long each unit inside the area has to acknowledge (签收) before escalation.
- CAP_SENDER, CAP_SENDER_NAME, IDENTIFIER_PREFIX: how CAP messages name their sender and identifiers.
- FETCH_TIMEOUT_S, FETCH_MAX_BYTES: limits of a CAP import from a URL; FETCH_ALLOW_HOSTS (env
  YINGJI_CAP_FEED_ALLOW_HOSTS): hosts it may fetch from although they resolve to internal addresses (every other
  loopback, private, link-local, reserved or multicast address is refused).
- SIGNING_KEY / SIGNING_CERT: PEM file paths (env YINGJI_CAP_SIGNING_KEY / _CERT); when both are set every CAP
  message is signed (XML-DSig, enveloped).
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULTS = {
    "APPROVER_KINDS": {1: ["city"], 2: ["city"], 3: ["city", "district"], 4: ["city", "district", "town"]},
    "ACK_MINUTES": {1: 30, 2: 60, 3: 120, 4: 240},
    "CAP_SENDER": "yingji@emergency.example.gov.cn",
    "IDENTIFIER_PREFIX": "YJ",
    "SIGNING_KEY": os.environ.get("YINGJI_CAP_SIGNING_KEY", ""),
    "SIGNING_CERT": os.environ.get("YINGJI_CAP_SIGNING_CERT", ""),
    "FETCH_TIMEOUT_S": 10,
    "FETCH_MAX_BYTES": 2_000_000,
    # Hosts a CAP import may fetch from although they resolve to a loopback, private, link-local or reserved
    # address (a feed on the intranet): env YINGJI_CAP_FEED_ALLOW_HOSTS, comma-separated names or addresses.
    "FETCH_ALLOW_HOSTS": [h.strip() for h in os.environ.get("YINGJI_CAP_FEED_ALLOW_HOSTS", "").split(",")
                          if h.strip()],
}


def get(name: str):
    return getattr(settings, "YINGJI_WARNINGS", {}).get(name, DEFAULTS[name])


def approver_kinds(level: int) -> list[str]:
    table = get("APPROVER_KINDS")
    return list(table.get(int(level), table.get(str(level), ["city"])))


def ack_minutes(level: int) -> int:
    table = get("ACK_MINUTES")
    return int(table.get(int(level), table.get(str(level), 60)))


def signing_pair() -> tuple[bytes, bytes] | None:
    key, cert = get("SIGNING_KEY"), get("SIGNING_CERT")
    if not (key and cert):
        return None
    with open(key, "rb") as k, open(cert, "rb") as c:
        return k.read(), c.read()
