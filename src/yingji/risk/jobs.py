"""Risk jobs: escalation of hidden dangers past their rectification deadline (once each)."""

from __future__ import annotations

from yingji.core import jobs
from yingji.risk.services import dangers

__all__ = ["escalate"]


@jobs.periodic(jobs.crontab(minute="*/5"), name="risk.escalate_dangers")
def escalate() -> int:
    return dangers.escalate_overdue()
