"""The rule kernel in numpy: every series and condition is computed for all readings of all sensors at once.

Readings are three arrays sorted by (sensor, ts) with unique pairs (`Readings.of` sorts and deduplicates,
keeping the last value given for a pair). A window (t - W, t] of each reading is found by one `searchsorted`
on a key that keeps sensors apart; sums and means come from per-sensor cumulative sums, max and min from a
sparse table over the longest window, persistence from run lengths. The plain-Python `oracle` module defines
the same semantics reading by reading; the property tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .spec import Clause, Combine, Compare, Condition, Rule, Series

__all__ = ["Readings", "series", "condition", "clause_steps", "Evaluation", "evaluate", "TOLERANCE"]

# Comparisons forgive a relative 1e-9, so a sum of 0.1 mm tips that is 50 "on paper" meets ">= 50".
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Readings:
    sensor: np.ndarray  # int64
    ts: np.ndarray  # int64, epoch milliseconds
    value: np.ndarray  # float64

    @classmethod
    def of(cls, sensor: Iterable, ts: Iterable, value: Iterable) -> Readings:
        s = np.asarray(sensor, dtype=np.int64)
        t = np.asarray(ts, dtype=np.int64)
        v = np.asarray(value, dtype=np.float64)
        if not (len(s) == len(t) == len(v)):
            raise ValueError("sensor, ts and value differ in length")
        if not len(s):
            return cls(s, t, v)
        t0, span = int(t.min()), int(t.max()) - int(t.min()) + 1
        s0, sensors = int(s.min()), int(s.max()) - int(s.min()) + 1
        if sensors * span >= 2**62:  # too wide for one int64 key
            order = np.lexsort((t, s))
            s, t, v = s[order], t[order], v[order]
        else:
            # One int64 key per reading; sensor and time come back from the sorted key by arithmetic (sequential)
            # instead of two more random gathers.
            key = (s - s0) * span
            key += t
            key -= t0
            order = np.argsort(key)
            key = key[order]
            if len(key) > 1 and (key[1:] == key[:-1]).any():  # duplicates: the last given must win → stable
                order = np.argsort((s - s0) * span + (t - t0), kind="stable")
                key = ((s - s0) * span + (t - t0))[order]
            s, t, v = key // span + s0, key % span + t0, v[order]
        if len(s) > 1:
            last = np.ones(len(s), dtype=bool)
            last[:-1] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
            if not last.all():
                s, t, v = s[last], t[last], v[last]
        return cls(s, t, v)

    @classmethod
    def sorted(cls, sensor: np.ndarray, ts: np.ndarray, value: np.ndarray) -> Readings:
        """Arrays already sorted by (sensor, ts) without duplicates (the readings store returns them so)."""
        return cls(np.asarray(sensor, np.int64), np.asarray(ts, np.int64), np.asarray(value, np.float64))

    def __len__(self) -> int:
        return len(self.ts)

    def select(self, ids) -> Readings:
        if ids is None:
            return self
        mask = np.isin(self.sensor, np.fromiter(ids, dtype=np.int64))
        return Readings(self.sensor[mask], self.ts[mask], self.value[mask])


class _Context:
    """Per-evaluation caches: segment starts and window starts by window length."""

    def __init__(self, r: Readings):
        self.r = r
        n = len(r)
        self.index = np.arange(n, dtype=np.int64)
        new = np.ones(n, dtype=bool)
        if n > 1:
            new[1:] = r.sensor[1:] != r.sensor[:-1]
        self.seg_start = np.maximum.accumulate(np.where(new, self.index, 0)) if n else self.index
        self._starts: dict[int, np.ndarray] = {}
        if n:
            rank = np.cumsum(new) - 1
            self.tmin = int(r.ts.min())
            self.span = int(r.ts.max()) - self.tmin
            self.rank = rank
        self._key: dict[int, np.ndarray] = {}

    def starts(self, window_ms: int) -> np.ndarray:
        """Index of the first reading of the same sensor inside (t - window, t], for every reading."""
        got = self._starts.get(window_ms)
        if got is None:
            r = self.r
            if not len(r):
                return self.index
            stride = self.span + window_ms + 1
            key = self.rank * stride
            key += r.ts
            key -= self.tmin
            got = np.searchsorted(key, key - window_ms, side="right")
            self._starts[window_ms] = got
        return got


def _segment_cumsum(x: np.ndarray, ctx: _Context) -> np.ndarray:
    """Cumulative sums restarting at each sensor (small magnitudes keep window sums exact longer)."""
    cs = np.cumsum(x)
    before = np.where(ctx.seg_start > 0, cs[ctx.seg_start - 1], 0.0)
    return cs - before


def _window_extreme(x: np.ndarray, start: np.ndarray, ctx: _Context, fn) -> np.ndarray:
    n = len(x)
    length = ctx.index - start + 1
    longest = int(length.max()) if n else 1
    levels = [x]
    k = 1
    while (1 << k) <= longest:
        prev = levels[-1]
        half = 1 << (k - 1)
        nxt = prev.copy()
        nxt[:-half] = fn(prev[:-half], prev[half:])
        levels.append(nxt)
        k += 1
    out = np.empty(n, dtype=np.float64)
    lg = np.floor(np.log2(np.maximum(length, 1))).astype(np.int64)
    for k, table in enumerate(levels):
        m = lg == k
        if m.any():
            i = ctx.index[m]
            s = start[m]
            out[m] = fn(table[s], table[i - (1 << k) + 1])
    return out


def _series(s: Series, ctx: _Context) -> np.ndarray:
    r = ctx.r
    if s.agg is None:
        return r.value
    x = r.value if s.of is None else _series(s.of, ctx)
    start = ctx.starts(s.window_ms)
    i = ctx.index
    if s.agg in ("sum", "mean"):
        cs = _segment_cumsum(x, ctx)
        below = np.where(start > ctx.seg_start, cs[np.maximum(start - 1, 0)], 0.0)
        total = cs - below
        return total if s.agg == "sum" else total / (i - start + 1)
    if s.agg == "count":
        return (i - start + 1).astype(np.float64)
    if s.agg == "max":
        return _window_extreme(x, start, ctx, np.maximum)
    if s.agg == "min":
        return _window_extreme(x, start, ctx, np.minimum)
    change = x - x[start]
    if s.agg == "change":
        return change
    hours = (r.ts - r.ts[start]) / 3_600_000.0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hours > 0, change / np.where(hours > 0, hours, 1.0), 0.0)


def _compare(x: np.ndarray, op: str, value: float) -> np.ndarray:
    tol = TOLERANCE * max(1.0, abs(value))
    if op == ">=":
        return x >= value - tol
    if op == ">":
        return x > value + tol
    if op == "<=":
        return x <= value + tol
    return x < value - tol


def _condition(c: Condition, ctx: _Context) -> np.ndarray:
    if isinstance(c, Compare):
        return _compare(_series(c.series, ctx), c.op, c.value)
    if isinstance(c, Combine):
        parts = [_condition(p, ctx) for p in c.parts]
        return np.logical_and.reduce(parts) if c.mode == "all" else np.logical_or.reduce(parts)
    inner = _condition(c.when, ctx)
    last_false = np.maximum.accumulate(np.where(~inner, ctx.index, -1)) if len(inner) else ctx.index
    run = ctx.index - np.maximum(last_false, ctx.seg_start - 1)
    return run >= c.count


CHUNK = 1 << 15


def _chunks(r: Readings):
    """Slices of whole sensors of about CHUNK readings: every series and condition is per sensor, and arrays that
    fit in the cache are several times faster to scan than one long array."""
    n = len(r)
    if n <= 2 * CHUNK:
        yield r
        return
    bounds = [0]
    while bounds[-1] < n:
        cut = bounds[-1] + CHUNK
        if cut >= n:
            bounds.append(n)
            break
        # move the cut to the next sensor boundary at or after it
        cut = int(np.searchsorted(r.sensor, r.sensor[cut], side="left"))
        if cut <= bounds[-1]:
            cut = int(np.searchsorted(r.sensor, r.sensor[bounds[-1] + CHUNK], side="right"))
        bounds.append(min(cut, n))
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        yield Readings(r.sensor[a:b], r.ts[a:b], r.value[a:b])


def series(s: Series, r: Readings) -> np.ndarray:
    parts = [_series(s, _Context(c)) for c in _chunks(r)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def condition(c: Condition, r: Readings) -> np.ndarray:
    parts = [_condition(c, _Context(ch)) for ch in _chunks(r)]
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def clause_steps(clause: Clause, r: Readings, truth: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(times, holds): the moments the clause's count of sensors in state changes, and whether it holds from
    each of them on. A sensor is in state from a true reading until its next reading or `stale_ms` after."""
    b = condition(clause.when, r) if truth is None else truth
    n = len(r)
    if not n:
        return np.empty(0, np.int64), np.empty(0, bool)
    nxt_same = np.zeros(n, dtype=bool)
    nxt_same[:-1] = r.sensor[1:] == r.sensor[:-1]
    nxt_ts = np.empty(n, dtype=np.int64)
    nxt_ts[:-1] = r.ts[1:]
    expires = ~nxt_same | (nxt_ts > r.ts + clause.stale_ms)
    # Events in sensor order: each reading, then its expiry (if the next reading comes after it).
    times = np.empty(2 * n, np.int64)
    times[0::2] = r.ts
    times[1::2] = r.ts + clause.stale_ms
    state = np.zeros(2 * n, dtype=bool)
    state[0::2] = b
    valid = np.ones(2 * n, dtype=bool)
    valid[1::2] = expires
    sensors = np.repeat(r.sensor, 2)
    times, state, sensors = times[valid], state[valid], sensors[valid]
    prev = np.zeros(len(state), dtype=bool)
    prev[1:] = np.where(sensors[1:] == sensors[:-1], state[:-1], False)
    delta = state.astype(np.int64) - prev.astype(np.int64)
    order = np.argsort(times, kind="stable")
    times, delta = times[order], delta[order]
    count = np.cumsum(delta)
    last = np.ones(len(times), dtype=bool)
    last[:-1] = times[1:] != times[:-1]
    return times[last], count[last] >= clause.min_sensors


@dataclass(frozen=True)
class Evaluation:
    times: np.ndarray  # moments the rule's state may change
    holds: np.ndarray  # the rule's state from each moment on
    fired: np.ndarray  # moments it starts to hold (rising edges), epoch ms

    @property
    def active(self) -> bool:
        return bool(self.holds[-1]) if len(self.holds) else False


def evaluate(rule: Rule, r: Readings, members: Callable[[dict], Iterable[int] | None] | None = None) -> Evaluation:
    """Evaluate a rule over readings; `members(selector)` gives the sensor ids of a clause (None: all)."""
    steps = []
    for clause in rule.clauses:
        ids = members(clause.sensors) if members else None
        steps.append(clause_steps(clause, r.select(ids)))
    times = np.unique(np.concatenate([t for t, _ in steps])) if steps else np.empty(0, np.int64)
    states = []
    for t, h in steps:
        pos = np.searchsorted(t, times, side="right") - 1
        states.append(np.where(pos >= 0, h[np.maximum(pos, 0)] if len(h) else False, False))
    if not len(times):
        return Evaluation(times, np.empty(0, bool), np.empty(0, np.int64))
    holds = np.logical_and.reduce(states) if rule.match == "all" else np.logical_or.reduce(states)
    rising = holds.copy()
    rising[1:] &= ~holds[:-1]
    return Evaluation(times, holds, times[rising])
