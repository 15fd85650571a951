"""The rules' meaning in plain Python, one reading at a time: the reference the numpy kernel is tested against.

Deliberately naive (every window is scanned again); use it for a few thousand readings, not millions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from .spec import Clause, Combine, Compare, Condition, Rule, Series

__all__ = ["series", "condition", "clause_steps", "fired"]

TOLERANCE = 1e-9

Rows = list[tuple[int, int, float]]  # (sensor, ts, value), sorted by sensor then ts, unique pairs


def _by_sensor(rows: Rows) -> dict[int, list[tuple[int, float]]]:
    out: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for s, t, v in rows:
        out[s].append((t, v))
    return out


def _one_series(s: Series, pts: list[tuple[int, float]]) -> list[float]:
    if s.agg is None:
        return [v for _, v in pts]
    xs = [v for _, v in pts] if s.of is None else _one_series(s.of, pts)
    out = []
    for i, (t, _) in enumerate(pts):
        j = i
        while j > 0 and pts[j - 1][0] > t - s.window_ms:
            j -= 1
        win = xs[j:i + 1]
        if s.agg == "sum":
            total = 0.0
            for x in win:
                total += x
            out.append(total)
        elif s.agg == "mean":
            total = 0.0
            for x in win:
                total += x
            out.append(total / len(win))
        elif s.agg == "count":
            out.append(float(len(win)))
        elif s.agg == "max":
            out.append(max(win))
        elif s.agg == "min":
            out.append(min(win))
        elif s.agg == "change":
            out.append(xs[i] - xs[j])
        else:
            hours = (t - pts[j][0]) / 3_600_000.0
            out.append((xs[i] - xs[j]) / hours if hours > 0 else 0.0)
    return out


def _compare(x: float, op: str, value: float) -> bool:
    tol = TOLERANCE * max(1.0, abs(value))
    return {">=": x >= value - tol, ">": x > value + tol, "<=": x <= value + tol, "<": x < value - tol}[op]


def _one_condition(c: Condition, pts) -> list[bool]:
    if isinstance(c, Compare):
        return [_compare(x, c.op, c.value) for x in _one_series(c.series, pts)]
    if isinstance(c, Combine):
        parts = [_one_condition(p, pts) for p in c.parts]
        return [all(z) if c.mode == "all" else any(z) for z in zip(*parts, strict=True)]
    inner = _one_condition(c.when, pts)
    out, run = [], 0
    for b in inner:
        run = run + 1 if b else 0
        out.append(run >= c.count)
    return out


def series(s: Series, rows: Rows) -> list[float]:
    return [x for pts in _by_sensor(rows).values() for x in _one_series(s, pts)]


def condition(c: Condition, rows: Rows) -> list[bool]:
    return [b for pts in _by_sensor(rows).values() for b in _one_condition(c, pts)]


def _state_at(clause: Clause, pts, truth: list[bool], t: int) -> bool:
    """A sensor's state at t: its latest reading at or before t, if younger than stale_ms."""
    state = False
    for (ts, _), b in zip(pts, truth, strict=True):
        if ts > t:
            break
        state = b and t < ts + clause.stale_ms
    return state


def clause_steps(clause: Clause, rows: Rows) -> list[tuple[int, bool]]:
    sensors = _by_sensor(rows)
    truth = {s: _one_condition(clause.when, pts) for s, pts in sensors.items()}
    moments = sorted({t + d for pts in sensors.values() for t, _ in pts for d in (0, clause.stale_ms)})
    return [(t, sum(_state_at(clause, sensors[s], truth[s], t) for s in sensors) >= clause.min_sensors)
            for t in moments]


def fired(rule: Rule, rows: Rows, members: Callable[[dict], Iterable[int] | None] | None = None) -> list[int]:
    """The moments the rule starts to hold (rising edges), in order."""
    per_clause = []
    for clause in rule.clauses:
        ids = members(clause.sensors) if members else None
        sub = rows if ids is None else [r for r in rows if r[0] in set(ids)]
        per_clause.append(clause_steps(clause, sub))
    moments = sorted({t for steps in per_clause for t, _ in steps})
    out, before = [], False
    for t in moments:
        states = []
        for steps in per_clause:
            state = False
            for ts, h in steps:
                if ts <= t:
                    state = h
            states.append(state)
        now = all(states) if rule.match == "all" else any(states)
        if now and not before:
            out.append(t)
        before = now
    return out
