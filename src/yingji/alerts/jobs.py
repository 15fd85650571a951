"""Warnings jobs: expire published warnings past their expiry; send (and retry) the CAP webhooks."""

from __future__ import annotations

from yingji.alerts import services, webhooks
from yingji.core import jobs


@jobs.periodic(jobs.crontab(minute="*"), name="alerts.expire")
def expire() -> int:
    return services.expire_due()


@jobs.task(name=webhooks.JOB)
def webhook(delivery_id: int):
    return webhooks.deliver(delivery_id)


@jobs.periodic(jobs.crontab(minute="*"), name="alerts.webhook_sweep")
def webhook_sweep() -> int:
    return webhooks.deliver_due()
