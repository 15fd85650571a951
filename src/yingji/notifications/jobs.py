"""Notification jobs: send one delivery, sweep due retries, escalate late sign-offs, scan the registry for
expiring stock and overdue inspections. Found by yingji.core.jobs.autodiscover()."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from yingji.core import jobs
from yingji.notifications import kinds, services
from yingji.resources import selectors as resources

__all__ = ["deliver", "sweep_deliveries", "escalate_signoffs", "scan_registry_expiry", "EXPIRY_DAYS"]

EXPIRY_DAYS = 30


@jobs.task(name=services.DELIVER_JOB)
def deliver(delivery_id: int) -> bool:
    """Send one delivery (a no-op when it was already sent or is held by another worker)."""
    return services.attempt_delivery(delivery_id) is not None


@jobs.periodic(jobs.crontab(minute="*"), name="notifications.sweep")
def sweep_deliveries() -> int:
    """Retry deliveries that are due and pick up any whose job was lost."""
    return services.deliver_due()


@jobs.periodic(jobs.crontab(minute="*"), name="notifications.escalate")
def escalate_signoffs() -> int:
    """Escalate sign-offs past their deadline to the unit's leadership, once each."""
    return services.escalate_overdue()


# 23:00 UTC is 07:00 in Asia/Shanghai: the digest is waiting when the working day starts.
@jobs.periodic(jobs.crontab(minute="0", hour="23"), name="notifications.registry_expiry")
def scan_registry_expiry(today: dt.date | None = None) -> int:
    """Tell each owning unit about stock expiring within 30 days and equipment overdue for inspection.

    Returns how many units have something to act on (each is notified once per distinct list)."""
    today = today or timezone.localdate()
    sent = 0
    with override("zh-hans"):
        for watch in resources.expiry_watch(today, EXPIRY_DAYS):
            # The key covers the list itself: the same list is not sent again; a changed one is.
            rows = [("b", pk, d) for pk, _l, d, _u in watch.batches] + [("e", pk, d) for pk, _l, d, _u in watch.equipment]
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:16]
            lines = [_("%(what)s 有效期至 %(date)s") % {"what": label, "date": d} for _p, label, d, _u in watch.batches]
            lines += [_("%(what)s 检查已于 %(date)s 到期") % {"what": label, "date": d}
                      for _p, label, d, _u in watch.equipment]
            title = _("%(unit)s：%(b)d 批物资临期，%(e)d 件装备检查超期") % {
                "unit": watch.unit.name, "b": len(watch.batches), "e": len(watch.equipment)}
            first = (watch.batches or watch.equipment)[0]
            message = services.notify(
                kinds.REGISTRY_EXPIRY, key=f"resources.expiry:{watch.unit.pk}:{digest}",
                recipients=[services.Recipient.of_unit(watch.unit)], title=title, body="\n".join(lines[:50]),
                url=first[3] if len(lines) == 1 else reverse("resources:home"), sender_unit=watch.unit)
            sent += message is not None
    return sent
