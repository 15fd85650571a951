"""Demo data for monitoring: a station with a rain gauge in every town, water-level gauges on every other town's
river, gas detectors at enterprises, three days of readings every 10 minutes written in one bulk insert through
the readings store, and the rules that `yingji simulate rain` makes fire (暴雨 red/orange/yellow/blue from the
standard, a water-level rise, a gas alarm). One gauge has gone silent, so the offline job has work.

Idempotent (nothing is created if RG-001 exists); deterministic (the demo's seeded generator)."""

from __future__ import annotations

import datetime as dt
import math
import time

import numpy as np
from django.utils import timezone

from yingji.core import crud
from yingji.core.demo import DemoContext
from yingji.monitoring import services
from yingji.monitoring.models import Sensor, Station
from yingji.monitoring.store import get_store

__all__ = ["seed", "DAYS", "STEP_MINUTES"]

DAYS = 3
STEP_MINUTES = 10


def _series(kind: str, n: int, rng, k: int) -> np.ndarray:
    t = np.arange(n)
    if kind == "rain":
        v = np.zeros(n)
        for _ in range(rng.randint(2, 4)):  # a few showers
            start, length = rng.randrange(0, n - 30), rng.randint(6, 24)
            v[start:start + length] = np.round([rng.uniform(0.2, 2.5) for _ in range(length)], 1)
        if k < 2:  # a downpour a day and a half ago at the first gauges: the rule's dry run shows it
            start = n - 216
            v[start:start + 18] = 3.2
        return v
    if kind == "water_level":
        return np.round(1.2 + 0.15 * np.sin(2 * math.pi * t / 144 + k) + np.array([rng.uniform(-0.02, 0.02) for _ in t]), 3)
    return np.round(np.abs(3 + np.array([rng.gauss(0, 0.6) for _ in t])), 2)


def seed(ctx: DemoContext) -> None:
    if Sensor.objects.filter(code="RG-001").exists():
        return
    rng = ctx.rng
    ctx.progress("» 监测预警：站点、传感器、三天读数、预警规则 …")
    sensors: list[Sensor] = []
    for i, town in enumerate(ctx.towns, 1):
        lat, lng = (town.lat or 23.1) + 0.004, (town.lng or 113.3) - 0.004
        station = crud.create(None, Station(owner_unit=town, code=f"ST-{i:03d}", name=f"{town.name}监测站", lat=lat, lng=lng))
        sensors.append(crud.create(None, Sensor(owner_unit=town, station=station, code=f"RG-{i:03d}",
                                                name=f"{town.name}雨量站", kind="rain", lat=lat, lng=lng,
                                                heartbeat_minutes=1440)))
        if i % 2:
            sensors.append(crud.create(None, Sensor(owner_unit=town, station=station, code=f"WL-{i:03d}",
                                                    name=f"{town.name}河道水位", kind="water_level", lat=lat - 0.002,
                                                    lng=lng + 0.003, heartbeat_minutes=1440)))
    for i, ent in enumerate(ctx.enterprises[:8], 1):
        sensors.append(crud.create(None, Sensor(owner_unit=ent, code=f"GS-{i:03d}", name=f"{ent.name}可燃气体探测器",
                                                kind="gas", lat=ent.lat, lng=ent.lng, heartbeat_minutes=1440)))
    n = DAYS * 24 * 60 // STEP_MINUTES
    now_ms = int(time.time() * 1000)
    end = now_ms - now_ms % (STEP_MINUTES * 60_000)
    ts = end - (n - 1 - np.arange(n, dtype=np.int64)) * STEP_MINUTES * 60_000
    ids, times, values = [], [], []
    per_kind: dict[str, int] = {}
    for s in sensors:
        k = per_kind.get(s.kind, 0)
        per_kind[s.kind] = k + 1
        v = _series(s.kind, n, rng, k)
        ids.append(np.full(n, s.pk, np.int64))
        times.append(ts)
        values.append(v)
        Sensor.objects.filter(pk=s.pk).update(last_value=float(v[-1]), last_at=_dt(ts[-1]), last_seen_at=_dt(ts[-1]))
    get_store().insert(np.concatenate(ids), np.concatenate(times), np.concatenate(values))
    silent = sensors[-1]  # the last gas detector stopped reporting two days ago
    Sensor.objects.filter(pk=silent.pk).update(heartbeat_minutes=30, last_seen_at=timezone.now() - dt.timedelta(days=2))
    services.rules_from_template(None, owner_unit=ctx.city, template="rainstorm", hazard_type="rainstorm")
    services.create_rule(None, owner_unit=ctx.city, name="河道水位快速上涨", hazard_type="flood", definition={
        "level": 3, "clauses": [{"sensors": {"kind": "water_level"}, "when": {"any": [
            {"op": ">=", "value": 3.0},
            {"persist": 2, "when": {"of": {"agg": "change", "hours": 1}, "op": ">=", "value": 0.5}}]}}]})
    services.create_rule(None, owner_unit=ctx.city, name="可燃气体浓度报警", hazard_type="wsa10016", definition={
        "level": 2, "clauses": [{"sensors": {"kind": "gas"}, "when": {"persist": 2, "when": {"op": ">=", "value": 25}}}]})
    services.create_rule(None, owner_unit=ctx.city, name="多站强降雨且水位上涨", hazard_type="waterlogging", definition={
        "level": 3, "match": "all", "clauses": [
            {"sensors": {"kind": "rain"}, "min_sensors": 2, "when": {"of": {"agg": "sum", "hours": 1}, "op": ">=", "value": 20}},
            {"sensors": {"kind": "water_level"}, "when": {"of": {"agg": "change", "hours": 1}, "op": ">=", "value": 0.3}}]})


def _dt(ms) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)
