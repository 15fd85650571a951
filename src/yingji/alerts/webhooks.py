"""Webhooks to subscribers: each published CAP message is POSTed (application/cap+xml) to every active
subscriber whose level and exercise filters match, once per (subscriber, message), HMAC-signed like the
notification webhooks (`X-Yingji-Signature: sha256=HMAC(secret, "<X-Yingji-Timestamp>.<body>")`), with the
message identifier as `Idempotency-Key`. Temporary failures (5xx, 408, 429, network) retry with back-off."""

from __future__ import annotations

import datetime as dt
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yingji.alerts.models import CapMessage, Subscriber, SubscriberDelivery
from yingji.core import jobs

__all__ = ["queue", "deliver", "deliver_due", "JOB"]

log = logging.getLogger("yingji.alerts")
JOB = "alerts.webhook"
MAX_ATTEMPTS = 6


def queue(message_id: int) -> int:
    msg = CapMessage.objects.select_related("warning").get(pk=message_id)
    w = msg.warning
    subs = Subscriber.objects.filter(is_active=True, min_level__gte=w.level)
    if w.is_exercise:
        subs = subs.filter(include_exercises=True)
    made = []
    for s in subs:
        d, created = SubscriberDelivery.objects.get_or_create(subscriber=s, message=msg)
        if created:
            made.append(d.pk)
    for pk in made:
        try:
            jobs.enqueue(JOB, pk)
        except Exception:  # noqa: BLE001 — a queue outage must not lose the delivery; the sweep sends it
            log.exception("could not queue CAP webhook %s; the sweep will send it", pk)
    return len(made)


def _post(url: str, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(url, data=body, method="POST",
                                 headers={"Content-Type": "application/cap+xml; charset=utf-8", **headers})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def deliver(delivery_id: int, now: dt.datetime | None = None) -> str | None:
    """Send one delivery if due and unclaimed (a conditional UPDATE claims it); returns its new status."""
    from yingji.notifications.channels import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_payload

    now = now or timezone.now()
    due = Q(status="pending") & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    with transaction.atomic():
        if not SubscriberDelivery.objects.filter(due, pk=delivery_id).update(status="sending"):
            return None
    d = SubscriberDelivery.objects.select_related("subscriber", "message").get(pk=delivery_id)
    body = bytes(d.message.xml)
    ts = str(int(time.time()))
    secret = d.subscriber.secret or settings.YINGJI_NOTIFY["WEBHOOK_SECRET"]
    headers = {SIGNATURE_HEADER: sign_payload(secret, ts, body), TIMESTAMP_HEADER: ts,
               "Idempotency-Key": f"{d.message.identifier}:{d.subscriber_id}"}
    d.attempts += 1
    try:
        _post(d.subscriber.url, body, headers)
    except urllib.error.HTTPError as exc:
        temporary = exc.code >= 500 or exc.code in (408, 429)
        d.last_error = f"HTTP {exc.code}"
        d.status = "pending" if temporary and d.attempts < MAX_ATTEMPTS else "failed"
    except (urllib.error.URLError, OSError) as exc:
        d.last_error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:500]
        d.status = "pending" if d.attempts < MAX_ATTEMPTS else "failed"
    else:
        d.status, d.sent_at, d.last_error = "sent", now, ""
    d.next_attempt_at = now + dt.timedelta(seconds=30 * 2 ** d.attempts) if d.status == "pending" else None
    d.save(update_fields=["status", "attempts", "next_attempt_at", "sent_at", "last_error"])
    return d.status


def deliver_due(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=10)
    SubscriberDelivery.objects.filter(status="sending", message__sent__lt=stale, sent_at__isnull=True,
                                      next_attempt_at__lt=stale).update(status="pending")
    n = 0
    for pk in SubscriberDelivery.objects.filter(Q(status="pending") & (
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))).values_list("pk", flat=True)[:200]:
        if deliver(pk, now):
            n += 1
    return n
