"""Supervision jobs: deadline reminders and escalation of overdue assignments, each once per assignment (a
conditional UPDATE claims it; the notification's key makes a retried job send nothing twice)."""

from __future__ import annotations

from yingji.core import jobs
from yingji.supervision import services

__all__ = ["remind", "escalate"]


@jobs.periodic(jobs.crontab(minute="*/5"), name="supervision.reminders")
def remind() -> int:
    return services.send_reminders()


@jobs.periodic(jobs.crontab(minute="*"), name="supervision.escalate")
def escalate() -> int:
    return services.escalate_overdue()
