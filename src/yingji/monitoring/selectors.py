"""Reads for pages, the API and the link `monitoring.sensors_for`."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
from django.urls import reverse
from django.utils import timezone

from yingji.core.permissions import restrict
from yingji.core.roles import Action
from yingji.monitoring.models import Rule, Sensor
from yingji.monitoring.store import get_store

__all__ = ["sensors_for", "sensor_dict", "recent", "rules", "chart"]


def sensor_dict(s: Sensor) -> dict:
    return {"id": s.pk, "code": s.code, "name": s.name, "kind": s.kind, "unit_of_measure": s.unit_of_measure,
            "status": s.status, "last_value": s.last_value, "last_at": s.last_at,
            "url": reverse("monitoring:sensor", args=[s.pk])}


def sensors_for(model_label: str, object_id) -> list[dict]:
    """The link: sensors watching one hazard source or area ("risk.hazardarea", id)."""
    try:
        oid = int(object_id)
    except (TypeError, ValueError):
        return []
    qs = Sensor.objects.filter(target_model=str(model_label).lower(), target_id=oid).order_by("code")
    return [sensor_dict(s) for s in qs]


def recent(sensor: Sensor, hours: float = 48, now_ms: int | None = None):
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if sensor.last_at is not None:
        now_ms = min(now_ms, int(sensor.last_at.timestamp() * 1000))
    return get_store().window([sensor.pk], now_ms - int(hours * 3_600_000), now_ms)


def chart(sensor: Sensor, hours: float = 48, width: int = 640, height: int = 200) -> dict | None:
    """An inline SVG line of recent readings: points, axis labels, min/max (no script needed)."""
    r = recent(sensor, hours)
    if not len(r):
        return None
    t, v = r.ts.astype(np.float64), r.value
    if len(r) > width:  # one point per pixel column: the max of each column keeps the peaks
        cols = ((t - t[0]) / max(t[-1] - t[0], 1) * (width - 1)).astype(int)
        last = np.r_[np.flatnonzero(np.diff(cols)), len(cols) - 1]
        vmax = np.maximum.reduceat(v, np.r_[0, last[:-1] + 1])
        t, v = t[last], vmax
    lo, hi = float(v.min()), float(v.max())
    span_v = (hi - lo) or 1.0
    span_t = (t[-1] - t[0]) or 1.0
    pad = 30
    xs = pad + (t - t[0]) / span_t * (width - 2 * pad)
    ys = height - pad - (v - lo) / span_v * (height - 2 * pad)
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    first = timezone.localtime(dt.datetime.fromtimestamp(t[0] / 1000, tz=dt.UTC))
    last_t = timezone.localtime(dt.datetime.fromtimestamp(t[-1] / 1000, tz=dt.UTC))
    return {"points": points, "width": width, "height": height, "min": lo, "max": hi, "count": len(r),
            "first": first, "last": last_t, "pad": pad, "bottom": height - pad, "right": width - pad}


def rules(user):
    return restrict(Rule.objects.select_related("owner_unit"), user, Action.VIEW)


def local(ms: int) -> dt.datetime:
    return timezone.localtime(dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC))
