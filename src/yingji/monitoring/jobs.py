"""Monitoring jobs: offline detection every five minutes (a sensor silent for three heartbeats goes offline and
its owner gets a supervision Task; the conditional UPDATE claims each sensor once)."""

from __future__ import annotations

from yingji.core import jobs
from yingji.monitoring import services

__all__ = ["offline"]


@jobs.periodic(jobs.crontab(minute="*/5"), name="monitoring.offline")
def offline() -> int:
    return services.detect_offline()
