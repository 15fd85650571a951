"""Delivery channels behind one interface: e-mail (Django's mail backend), webhooks (HMAC-signed JSON), SMS
(an HTTP gateway, or the log when none is configured). The inbox itself is not a channel: it is always on.

A channel answers `address(user, contact)` (where this user receives it, or "" when they cannot) and
`send(outgoing)`; `send` raises `SendError(temporary=...)` so the caller knows whether to retry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.translation import gettext_lazy as _

__all__ = ["Outgoing", "SendError", "Sent", "Channel", "EmailChannel", "WebhookChannel", "SmsGatewayChannel",
           "LogSmsChannel", "channels", "get", "sign_payload", "verify_signature", "SIGNATURE_HEADER",
           "TIMESTAMP_HEADER"]

log = logging.getLogger("yingji.notifications")

SIGNATURE_HEADER = "X-Yingji-Signature"
TIMESTAMP_HEADER = "X-Yingji-Timestamp"
HTTP_TIMEOUT_S = 10


@dataclass(frozen=True)
class Outgoing:
    """One thing to send: the idempotency key travels with it so a receiver can drop a duplicate."""

    key: str
    address: str
    kind: str
    title: str
    body: str
    url: str
    payload: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    status_code: int | None = None
    detail: str = ""


class SendError(Exception):
    def __init__(self, detail: str, *, temporary: bool = True, status_code: int | None = None):
        super().__init__(detail)
        self.detail = detail[:500]
        self.temporary = temporary
        self.status_code = status_code


class Channel:
    code = ""
    label = ""

    def address(self, user, contact) -> str:
        raise NotImplementedError

    def send(self, out: Outgoing) -> Sent:
        raise NotImplementedError


class EmailChannel(Channel):
    """Through Django's configured mail backend (SMTP from YINGJI_EMAIL_URL, else the console)."""

    code, label = "email", _("电子邮件")

    def address(self, user, contact) -> str:
        return user.email or ""

    def send(self, out: Outgoing) -> Sent:
        body = out.body + (f"\n\n{out.url}" if out.url else "")
        msg = EmailMessage(out.title, body, to=[out.address],
                           headers={"Message-ID": f"<{out.key}@yingji>", "X-Yingji-Kind": out.kind})
        try:
            msg.send(fail_silently=False)
        except OSError as exc:  # smtplib errors are OSErrors: refused, timeout, rejected recipient
            import smtplib

            permanent = isinstance(exc, smtplib.SMTPRecipientsRefused)
            raise SendError(f"{type(exc).__name__}: {exc}", temporary=not permanent) from exc
        return Sent(detail="accepted")


def sign_payload(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `timestamp + "." + body`: receivers recompute it to trust the call."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign_payload(secret, timestamp, body), signature or "")


def _post_json(url: str, data: dict, headers: dict[str, str]) -> tuple[int, bytes]:
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(req, timeout=HTTP_TIMEOUT_S) as resp:
            return resp.status, resp.read(500)
    except urllib.error.HTTPError as exc:
        status = exc.code
        # 4xx (but 408/429) will not get better by trying again; 5xx and throttling might.
        temporary = status >= 500 or status in (408, 429)
        raise SendError(f"HTTP {status}", temporary=temporary, status_code=status) from None
    except (urllib.error.URLError, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from None


class WebhookChannel(Channel):
    """POST the notification as JSON to the user's webhook URL, signed with YINGJI_WEBHOOK_SECRET."""

    code, label = "webhook", _("Webhook")

    def address(self, user, contact) -> str:
        return getattr(contact, "webhook_url", "") or ""

    def payload(self, out: Outgoing) -> dict:
        return {"id": out.key, "kind": out.kind, "title": out.title, "body": out.body, "url": out.url,
                **out.payload}

    def send(self, out: Outgoing) -> Sent:
        data = self.payload(out)
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        ts = str(int(time.time()))
        secret = settings.YINGJI_NOTIFY["WEBHOOK_SECRET"]
        headers = {SIGNATURE_HEADER: sign_payload(secret, ts, body), TIMESTAMP_HEADER: ts, "Idempotency-Key": out.key}
        status, _reply = _post_json(out.address, data, headers)
        return Sent(status_code=status, detail=f"HTTP {status}")


class SmsGatewayChannel(Channel):
    """An HTTP SMS gateway: POST {"to", "text", "id"} with a bearer token (YINGJI_SMS_GATEWAY_*)."""

    code, label = "sms", _("短信")

    def __init__(self, url: str, token: str = ""):
        self.url, self.token = url, token

    def address(self, user, contact) -> str:
        return user.phone or ""

    def text(self, out: Outgoing) -> str:
        return f"【应急】{out.title}" + (f" {out.url}" if out.url else "")

    def send(self, out: Outgoing) -> Sent:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        status, _reply = _post_json(self.url, {"to": out.address, "text": self.text(out), "id": out.key}, headers)
        return Sent(status_code=status, detail=f"HTTP {status}")


class LogSmsChannel(SmsGatewayChannel):
    """The default SMS channel: writes the message to the log instead of a phone (no gateway configured)."""

    def __init__(self):
        super().__init__("", "")

    def send(self, out: Outgoing) -> Sent:
        log.info("SMS to %s [%s]: %s", out.address, out.key[:12], self.text(out))
        return Sent(detail="logged")


def channels() -> dict[str, Channel]:
    """The configured channels by code (read from settings each time, so tests and reloads see changes)."""
    conf = settings.YINGJI_NOTIFY
    sms = SmsGatewayChannel(conf["SMS_GATEWAY_URL"], conf["SMS_GATEWAY_TOKEN"]) if conf["SMS_GATEWAY_URL"] \
        else LogSmsChannel()
    return {"email": EmailChannel(), "sms": sms, "webhook": WebhookChannel()}


def get(code: str) -> Channel | None:
    return channels().get(code)
