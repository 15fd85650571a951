"""The rule kernel in numpy: every series and condition is computed for all readings of all sensors at once.

Readings are three arrays sorted by (sensor, ts) with unique pairs (`Readings.of` sorts and deduplicates,
keeping the last value given for a pair). The window (t - W, t] of each reading starts at the first key above
key - W, on one int64 key per reading that keeps sensors apart (searched for every 32nd reading, guessed and
checked for the rest); sums and means are differences of one cumulative sum, max and min come from a sparse
table over the longest window, persistence from run lengths. Long inputs go in cache-sized slices of whole
sensors that reuse the same work arrays. The plain-Python `oracle` module defines
the same semantics reading by reading; the property tests hold the two equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from .spec import MAX_WINDOW_MINUTES, MINUTE_MS, Clause, Combine, Compare, Condition, Rule, Series

__all__ = ["Readings", "series", "condition", "clause_steps", "Evaluation", "evaluate", "TOLERANCE"]

# Comparisons forgive a relative 1e-9, so a sum of 0.1 mm tips that is 50 "on paper" meets ">= 50".
TOLERANCE = 1e-9
MAX_WINDOW_MS = MAX_WINDOW_MINUTES * MINUTE_MS


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
            if len(key) < 2 or (key[1:] > key[:-1]).all():  # already in order, no pair twice (a stored batch)
                return cls(s, t, v)
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


_I64_MIN = np.iinfo(np.int64).min
_GUESS_STEP = 32  # readings per sampled window start (see _Context.starts)


class _Scratch:
    """Work arrays reused from one slice of readings to the next. A fresh array of a slice's size costs page
    faults each time (the allocator returns such blocks to the system on free), more than the arithmetic."""

    def __init__(self):
        self._bufs: dict = {}

    def get(self, name, n: int, dtype) -> np.ndarray:
        buf = self._bufs.get(name)
        if buf is None or len(buf) < n:
            buf = self._bufs[name] = np.empty(n, dtype=dtype)
        return buf[:n]

    def arange(self, n: int) -> np.ndarray:
        buf = self._bufs.get("arange")
        if buf is None or len(buf) < n:
            buf = self._bufs["arange"] = np.arange(n, dtype=np.int64)
        return buf[:n]


class _Context:
    """Per-slice caches, each built on first use: the (sensor, ts) search key, window starts by window length,
    series results, row numbers and sensor segment starts. Arrays live in the shared scratch: a result is
    valid until the next slice is evaluated."""

    def __init__(self, r: Readings, scratch: _Scratch | None = None):
        self.r = r
        self.n = len(r)
        self.scratch = scratch if scratch is not None else _Scratch()
        self._starts: dict[int, np.ndarray] = {}
        self._key: tuple[np.ndarray, np.ndarray, int] | None = None
        self._seg_start: np.ndarray | None = None
        self.results: dict[Series, np.ndarray] = {}

    def buf(self, name, dtype=np.int64, extra: int = 0) -> np.ndarray:
        return self.scratch.get(name, self.n + extra, dtype)

    @property
    def index(self) -> np.ndarray:
        return self.scratch.arange(self.n)

    @property
    def seg_start(self) -> np.ndarray:
        """Index of the first reading of the same sensor, for every reading."""
        if self._seg_start is None:
            r, n = self.r, self.n
            new = np.ones(n, dtype=bool)
            if n > 1:
                np.not_equal(r.sensor[1:], r.sensor[:-1], out=new[1:])
            self._seg_start = np.maximum.accumulate(np.where(new, self.index, 0)) if n else self.index
        return self._seg_start

    def _search_key(self, window_ms: int) -> tuple[np.ndarray, np.ndarray]:
        """(key, padded): one int64 per reading, increasing with (sensor, ts), such that `key - window` of a
        reading never falls at or below a key of an earlier sensor: sensor × stride + ts with stride > time
        span + window; `padded` is the same with the smallest int64 before it (padded[i] = key[i - 1]). Built
        once with room for the longest window allowed, in two passes when the numbers fit (else on offsets from
        the smallest sensor and time, or on sensor ranks)."""
        if self._key is not None and self._key[2] >= window_ms:
            return self._key[0], self._key[1]
        r = self.r
        tmin, tmax = int(r.ts.min()), int(r.ts.max())
        smin, smax = int(r.sensor[0]), int(r.sensor[-1])  # sorted by sensor
        reach = max(window_ms, MAX_WINDOW_MS)
        stride = tmax - tmin + reach + 1
        padded = self.buf("key", extra=1)
        padded[0] = _I64_MIN
        key = padded[1:]
        if smin * stride + tmin - reach > -(2**63) and smax * stride + tmax < 2**63:
            np.multiply(r.sensor, stride, out=key)
            key += r.ts
        else:
            if (smax - smin) * stride + (tmax - tmin) < 2**63:
                np.subtract(r.sensor, smin, out=key)
            else:  # ids too far apart: number the sensors 0, 1, 2 … instead
                key[0] = 0
                np.not_equal(r.sensor[1:], r.sensor[:-1], out=key[1:], casting="unsafe")
                np.cumsum(key, out=key)
            key *= stride
            key += r.ts
            key -= tmin
        self._key = (key, padded, reach)
        return key, padded

    def starts(self, window_ms: int) -> np.ndarray:
        """Index of the first reading of the same sensor inside (t - window, t], for every reading: the first
        key above key - window. A binary search for every reading is most of the kernel's time, so the start
        is searched for every 32nd reading only; the others guess the same distance back (exact for regular
        series) and check the guess with two lookups; the wrong guesses are searched for."""
        got = self._starts.get(window_ms)
        if got is not None:
            return got
        n = self.n
        if not n:
            return self.index
        key, padded = self._search_key(window_ms)
        low = self.buf("low")
        np.subtract(key, window_ms, out=low)
        m = -(-n // _GUESS_STEP)
        full = self.scratch.get(("start", window_ms), m * _GUESS_STEP, np.int64)
        start = full[:n]
        if n < 4 * _GUESS_STEP:
            start[:] = np.searchsorted(key, low, side="right")
        else:
            index = self.index
            back = index[::_GUESS_STEP] - np.searchsorted(key, low[::_GUESS_STEP], side="right")
            full.reshape(m, _GUESS_STEP)[:] = back[:, None]
            np.subtract(index, start, out=start)
            np.maximum(start, 0, out=start)
            probe = self.buf("probe")
            ok, below = self.buf("ok", bool), self.buf("below", bool)
            np.take(key, start, out=probe, mode="clip")  # the guess is inside the window …
            np.greater(probe, low, out=ok)
            np.take(padded, start, out=probe, mode="clip")  # … and the reading before it is not
            np.less_equal(probe, low, out=below)
            ok &= below
            if not ok.all():
                wrong = np.flatnonzero(~ok)
                start[wrong] = np.searchsorted(key, low[wrong], side="right")
        self._starts[window_ms] = start
        return start


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
    if s.agg is None:
        return ctx.r.value
    got = ctx.results.get(s)
    if got is None:
        got = ctx.results[s] = _aggregate(s, ctx)
    return got


def _aggregate(s: Series, ctx: _Context) -> np.ndarray:
    r = ctx.r
    x = r.value if s.of is None else _series(s.of, ctx)
    start = ctx.starts(s.window_ms)
    if s.agg in ("sum", "mean"):
        # The running sum with a leading zero, so the window's sum is cs[i + 1] - cs[start]. One sum over the
        # slice, not restarted per sensor: subtracting each sensor's base would add a rounding step of the same
        # size, and a window never reaches back past its own sensor.
        cs = ctx.buf(("cumsum", s), np.float64, extra=1)
        cs[0] = 0.0
        np.cumsum(x, out=cs[1:])
        total = ctx.buf(("series", s), np.float64)
        np.take(cs, start, out=total, mode="clip")
        np.subtract(cs[1:], total, out=total)
        if s.agg == "mean":
            total /= ctx.index - start + 1
        return total
    if s.agg == "count":
        return (ctx.index - start + 1).astype(np.float64)
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
        fn = np.logical_and if c.mode == "all" else np.logical_or
        out = _condition(c.parts[0], ctx)  # every condition returns a new array: combine in place
        for p in c.parts[1:]:
            fn(out, _condition(p, ctx), out=out)
        return out
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


def _by_chunk(fn, r: Readings, dtype) -> np.ndarray:
    if len(r) <= 2 * CHUNK:
        return fn(_Context(r))
    out = np.empty(len(r), dtype=dtype)
    scratch = _Scratch()
    at = 0
    for ch in _chunks(r):
        out[at:at + len(ch)] = fn(_Context(ch, scratch))
        at += len(ch)
    return out


def series(s: Series, r: Readings) -> np.ndarray:
    return _by_chunk(lambda ctx: _series(s, ctx), r, np.float64)


def condition(c: Condition, r: Readings) -> np.ndarray:
    return _by_chunk(lambda ctx: _condition(c, ctx), r, bool)


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
