"""Channels against real servers started by the test: SMTP (aiosmtpd), a webhook receiver and an SMS gateway
(http.server on 127.0.0.1). Retries back off; a retried job never sends twice; webhooks verify by HMAC."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.utils import timezone

from yingji.core import jobs
from yingji.core.models import AuditEntry
from yingji.notifications import channels, kinds, services
from yingji.notifications.models import Delivery, DeliveryStatus
from yingji.notifications.services import Recipient

pytestmark = pytest.mark.django_db

SECRET = "test-webhook-secret"


@pytest.fixture
def notify_settings(settings):
    settings.YINGJI_NOTIFY = {**settings.YINGJI_NOTIFY, "WEBHOOK_SECRET": SECRET, "RETRY_BASE_S": 30,
                              "MAX_ATTEMPTS": 4, "SITE_URL": "https://yj.example"}
    return settings


def _send(user, channel: str, key: str, captured, **extra) -> Delivery:
    services.set_preferences(user, {kinds.GENERAL: [channel]}, **extra)
    with captured(execute=True):
        services.notify(kinds.GENERAL, key=key, recipients=[Recipient.of_user(user)], title="暴雨红色预警",
                        body="请立即转移低洼地区群众", url="/notifications/")
    return Delivery.objects.get(notification__user=user, channel=channel, notification__message__key=key)


def test_email_goes_through_a_real_smtp_server(people, smtp_server, notify_settings,
                                               django_capture_on_commit_callbacks):
    host, port, received = smtp_server
    notify_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    notify_settings.EMAIL_HOST, notify_settings.EMAIL_PORT = host, port
    people.staff_a1.email = "staff@example.org"
    people.staff_a1.save()
    d = _send(people.staff_a1, "email", "mail:1", django_capture_on_commit_callbacks)
    assert d.status == DeliveryStatus.SENT and d.attempts == 1
    assert len(received) == 1 and received[0]["to"] == ["staff@example.org"]
    assert f"<{d.key}@yingji>" in received[0]["data"]  # the idempotency key as Message-ID
    assert "https://yj.example/notifications/" in received[0]["data"]


def test_email_to_an_unreachable_server_is_retried_later(people, notify_settings,
                                                         django_capture_on_commit_callbacks):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead_port = s.getsockname()[1]
    notify_settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    notify_settings.EMAIL_HOST, notify_settings.EMAIL_PORT = "127.0.0.1", dead_port
    people.staff_a1.email = "staff@example.org"
    people.staff_a1.save()
    d = _send(people.staff_a1, "email", "mail:dead", django_capture_on_commit_callbacks)
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1 and "Connection" in d.last_error


def test_webhook_is_signed_retried_with_backoff_after_500_and_logged(people, http_sink, notify_settings,
                                                                    django_capture_on_commit_callbacks):
    http_sink.replies = [500, 503]
    t0 = timezone.now()
    d = _send(people.staff_a1, "webhook", "hook:1", django_capture_on_commit_callbacks, webhook_url=http_sink.url)
    assert d.status == DeliveryStatus.PENDING and d.attempts == 1
    first_wait = (d.next_attempt_at - t0).total_seconds()
    assert 30 <= first_wait < 40

    # Not due yet: the sweep leaves it alone.
    assert services.deliver_due(timezone.now()) == 0
    assert len(http_sink.requests) == 1
    services.deliver_due(d.next_attempt_at)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.PENDING and d.attempts == 2
    second_wait = (d.next_attempt_at - d.log.last().at).total_seconds()
    assert second_wait > first_wait  # backs off: 30 s, then 60 s

    services.deliver_due(d.next_attempt_at)
    d.refresh_from_db()
    assert d.status == DeliveryStatus.SENT and d.attempts == 3
    assert [(a.ok, a.status_code) for a in d.log.all()] == [(False, 500), (False, 503), (True, 200)]

    # Every request verifies against the shared secret, and carries the same idempotency key.
    for req in http_sink.requests:
        h = req["headers"]
        assert channels.verify_signature(SECRET, h[channels.TIMESTAMP_HEADER], req["body"],
                                         h[channels.SIGNATURE_HEADER])
        assert not channels.verify_signature("wrong", h[channels.TIMESTAMP_HEADER], req["body"],
                                             h[channels.SIGNATURE_HEADER])
        assert h["Idempotency-Key"] == d.key
    assert http_sink.requests[0]["json"]["title"] == "暴雨红色预警"
    assert AuditEntry.objects.filter(object_type="notifications.delivery", action="deliver",
                                     object_id=str(d.pk)).count() == 3


def test_a_retried_or_duplicated_job_sends_nothing_twice(people, http_sink, notify_settings,
                                                         django_capture_on_commit_callbacks):
    d = _send(people.staff_a1, "webhook", "hook:once", django_capture_on_commit_callbacks,
              webhook_url=http_sink.url)
    assert d.status == DeliveryStatus.SENT and len(http_sink.requests) == 1
    jobs.enqueue(services.DELIVER_JOB, d.pk)  # the job again, as a retry after a lost acknowledgement would
    services.attempt_delivery(d.pk, timezone.now() + dt.timedelta(days=1))
    services.deliver_due(timezone.now() + dt.timedelta(days=1))
    services.notify(kinds.GENERAL, key="hook:once", recipients=[Recipient.of_user(people.staff_a1)], title="again")
    assert len(http_sink.requests) == 1


def test_a_4xx_answer_fails_for_good_without_retry(people, http_sink, notify_settings,
                                                   django_capture_on_commit_callbacks):
    http_sink.replies = [410]
    d = _send(people.staff_a1, "webhook", "hook:gone", django_capture_on_commit_callbacks,
              webhook_url=http_sink.url)
    assert d.status == DeliveryStatus.FAILED and d.next_attempt_at is None and d.last_error == "HTTP 410"


def test_retries_stop_after_max_attempts(people, http_sink, notify_settings, django_capture_on_commit_callbacks):
    http_sink.replies = [500] * 10
    d = _send(people.staff_a1, "webhook", "hook:down", django_capture_on_commit_callbacks,
              webhook_url=http_sink.url)
    for day in range(1, 11):
        services.deliver_due(timezone.now() + dt.timedelta(days=day))
    d.refresh_from_db()
    assert d.status == DeliveryStatus.FAILED and d.attempts == 4 and len(http_sink.requests) == 4


def test_sms_gateway_from_settings(people, http_sink, notify_settings, django_capture_on_commit_callbacks):
    notify_settings.YINGJI_NOTIFY = {**notify_settings.YINGJI_NOTIFY, "SMS_GATEWAY_URL": http_sink.url,
                                     "SMS_GATEWAY_TOKEN": "tok"}
    people.staff_a1.phone = "13800000000"
    people.staff_a1.save()
    d = _send(people.staff_a1, "sms", "sms:1", django_capture_on_commit_callbacks)
    assert d.status == DeliveryStatus.SENT
    req = http_sink.requests[0]
    assert req["json"]["to"] == "13800000000" and "暴雨红色预警" in req["json"]["text"]
    assert req["headers"]["Authorization"] == "Bearer tok" and req["json"]["id"] == d.key


def test_sms_without_a_gateway_goes_to_the_log(people, notify_settings, caplog, django_capture_on_commit_callbacks):
    assert isinstance(channels.get("sms"), channels.LogSmsChannel)
    people.staff_a1.phone = "13900000000"
    people.staff_a1.save()
    with caplog.at_level(logging.INFO, logger="yingji.notifications"):
        d = _send(people.staff_a1, "sms", "sms:log", django_capture_on_commit_callbacks)
    assert d.status == DeliveryStatus.SENT
    assert "SMS to 13900000000" in caplog.text and "暴雨红色预警" in caplog.text
