"""Rules on data: evaluate the enabled rules after each ingest, record each firing, and ask the warnings module
for a draft through the link `warnings.draft_from_rule` (the firing is kept even when no module answers).
The dry run evaluates a definition, saved or not, over the last days of stored data."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

import numpy as np
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yingji.core import links
from yingji.domain.rules import kernel, spec
from yingji.monitoring.models import Rule, RuleFiring, Sensor
from yingji.monitoring.store import get_store

__all__ = ["Members", "after_ingest", "dry_run", "record", "area_of"]

log = logging.getLogger("yingji.monitoring")
HOUR_MS = 3_600_000


def _ms_to_dt(ms: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(ms) / 1000, tz=dt.UTC)


class Members:
    """Sensor ids a clause's selector names, among the sensors owned inside the rule's owner unit."""

    def __init__(self, sensors: Iterable[tuple] | None = None):
        rows = sensors if sensors is not None else Sensor.objects.values_list(
            "pk", "code", "kind", "owner_unit__path", "is_exercise")
        self.rows = list(rows)

    def of(self, selector: dict, scope_path: str = "") -> list[int]:
        out = []
        ids = {int(i) for i in selector.get("ids", ())}
        codes = set(selector.get("codes", ()))
        for pk, code, kind, path, _ex in self.rows:
            if scope_path and not (path or "").startswith(scope_path):
                continue
            if ("kind" in selector and kind != selector["kind"]) or (ids and pk not in ids) or \
                    (codes and code not in codes):
                continue
            out.append(pk)
        return out


def _parsed(rule: Rule) -> spec.Rule | None:
    try:
        return spec.parse(rule.definition)
    except spec.RuleError as exc:
        log.warning("rule %s is not valid: %s", rule.pk, exc)
        return None


def area_of(rule: Rule, sensor_ids: list[int]) -> dict | None:
    """The rule's own area, or a box 2 km around the sensors that fired, or the area of the rule's unit."""
    if rule.area:
        return rule.area
    pts = list(Sensor.objects.filter(pk__in=sensor_ids, lat__isnull=False).values_list("lng", "lat"))
    if not pts:  # sensors without a place: the area of the rule's unit (or its nearest ancestor with one)
        unit = rule.owner_unit
        while unit is not None and not unit.boundary:
            unit = unit.parent
        return unit.boundary if unit is not None else None
    pad = 0.02
    lngs, lats = [p[0] for p in pts], [p[1] for p in pts]
    w, e, s, n = min(lngs) - pad, max(lngs) + pad, min(lats) - pad, max(lats) + pad
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


def _evidence(parsed: spec.Rule, r: kernel.Readings, members, at_ms: int, codes: dict[int, str]) -> tuple[list, dict]:
    """The sensors in state at the moment of firing, with their readings and the compared series."""
    fired_ids: list[int] = []
    clauses = []
    for clause in parsed.clauses:
        sub = r.select(members(clause.sensors))
        truth = kernel.condition(clause.when, sub)
        series = kernel.series(clause.when.series, sub) if isinstance(clause.when, spec.Compare) else None
        rows = []
        # Each sensor's latest reading at the moment (sorted by sensor and time: the last one not after it),
        # if it is in state and not stale.
        upto = sub.ts <= at_ms
        latest = upto.copy()
        latest[:-1] &= (sub.sensor[1:] != sub.sensor[:-1]) | ~upto[1:]
        latest &= truth
        latest &= at_ms < sub.ts + clause.stale_ms
        for i in np.flatnonzero(latest).tolist():
            sid = int(sub.sensor[i])
            row = {"sensor_id": sid, "code": codes.get(sid, ""), "value": float(sub.value[i]),
                   "at": _ms_to_dt(sub.ts[i]).isoformat()}
            if series is not None:
                row["series"] = round(float(series[i]), 6)
            rows.append(row)
            fired_ids.append(sid)
        clauses.append({"min_sensors": clause.min_sensors, "sensors": rows})
    return sorted(set(fired_ids)), {"clauses": clauses}


def record(rule: Rule, parsed: spec.Rule, r: kernel.Readings, members, at_ms: int, codes: dict) -> RuleFiring | None:
    """Keep one firing (once per rule and moment) and ask for a warning draft; None if already recorded."""
    sensor_ids, evidence = _evidence(parsed, r, members, at_ms, codes)
    fired_at = _ms_to_dt(at_ms)
    try:
        with transaction.atomic():
            firing = RuleFiring.objects.create(rule=rule, fired_ms=at_ms, fired_at=fired_at, level=rule.level,
                                               sensor_ids=sensor_ids, evidence=evidence)
    except IntegrityError:
        return None
    Rule.objects.filter(pk=rule.pk).update(last_fired_at=fired_at)
    try:
        draft = links.call("warnings.draft_from_rule", default=None, rule_id=rule.pk, rule_name=rule.name,
                           level=rule.level, hazard_type=rule.hazard_type, area=area_of(rule, sensor_ids),
                           sensor_ids=sensor_ids, evidence=evidence, fired_at=fired_at, is_exercise=rule.is_exercise)
    except Exception:  # the warnings module failing must not lose the firing (or the readings already stored)
        log.exception("warnings.draft_from_rule failed for rule %s", rule.pk)
        draft = {"error": "draft_from_rule failed"}
    if draft is not None:
        RuleFiring.objects.filter(pk=firing.pk).update(draft=draft)
        firing.draft = draft
    return firing


def after_ingest(ids: np.ndarray, ts: np.ndarray, values: np.ndarray | None = None) -> list[dict]:
    """Evaluate the enabled rules that watch any of these sensors over the new readings in context. `values`:
    the batch was stored in full just now (every row new), so its rows need not be read back."""
    batch_ids = set(np.unique(ids).tolist())
    rules = list(Rule.objects.filter(enabled=True).select_related("owner_unit"))
    if not rules:
        return []
    members = Members()
    codes = {pk: code for pk, code, *_ in members.rows}
    todo = []
    for rule in rules:
        parsed = _parsed(rule)
        if parsed is None:
            continue
        path = rule.owner_unit.path

        def of(selector, path=path):
            return members.of(selector, path)

        watched = {i for c in parsed.clauses for i in of(c.sensors)}
        touched = watched & batch_ids
        if touched:
            mask = np.isin(ids, np.fromiter(touched, np.int64))
            todo.append((rule, parsed, of, watched, int(ts[mask].min()), int(ts[mask].max())))
    if not todo:
        return []
    since = min(t0 - spec.lookback_ms(p) for _, p, _, _, t0, _ in todo)
    # A late reading changes the windows after it too: read as far after the batch as the rules look back.
    until = max(t1 + spec.lookback_ms(p) for _, p, _, _, _, t1 in todo)
    watched = set().union(*(w for *_, w, _, _ in todo))
    store = get_store()
    if values is None:
        data = store.window(watched, since, until)
    else:
        data = store.window_with(watched, since, until, kernel.Readings.of(ids, ts, values))
    out = []
    for rule, parsed, of, _watched, t0, _t1 in todo:
        ev = kernel.evaluate(parsed, data, of)
        for at_ms in ev.fired[ev.fired >= t0].tolist():
            firing = record(rule, parsed, data, of, at_ms, codes)
            if firing is not None:
                out.append({"rule": rule.pk, "level": rule.level, "fired_at": firing.fired_at.isoformat(),
                            "draft": firing.draft})
    return out


def dry_run(definition: dict, owner_path: str = "", days: float = 3, now_ms: int | None = None) -> dict:
    """When a definition would have fired over the last `days` of stored data (RuleError if it is not valid)."""
    parsed = spec.parse(definition)
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    start = now_ms - int(days * 24 * HOUR_MS)
    members = Members()

    def of(selector):
        return members.of(selector, owner_path)

    watched = {i for c in parsed.clauses for i in of(c.sensors)}
    data = get_store().window(watched, start - spec.lookback_ms(parsed), now_ms)
    ev = kernel.evaluate(parsed, data, of)
    fired = ev.fired[ev.fired >= start].tolist()
    codes = {pk: code for pk, code, *_ in members.rows}
    moments = []
    for at_ms in fired[:200]:
        sensor_ids, evidence = _evidence(parsed, data, of, at_ms, codes)
        moments.append({"at": timezone.localtime(_ms_to_dt(at_ms)), "sensors": [codes[i] for i in sensor_ids],
                        "evidence": evidence})
    return {"sensors": len(watched), "readings": len(data), "fired": moments, "count": len(fired),
            "since": timezone.localtime(_ms_to_dt(start)), "until": timezone.localtime(_ms_to_dt(now_ms)),
            "active": ev.active}


def firing_url(rule: Rule) -> str:
    return reverse("monitoring:rule", args=[rule.pk])
