"""The rule kernel (numpy) against a plain Python loop, in the same run: a threshold on the reading plus a rolling
1 h sum, on every reading of every sensor (2,000 rain gauges × 2 days of minute data = 5.76M readings).

Figures: the kernel on data already sorted by (sensor, ts) as the readings store returns it, and including the sort
(`Readings.of` on shuffled rows); the plain loop (a two-pointer window per sensor, the fastest simple Python) on a
slice of the same data. Answers are compared on that slice.

    python bench/rules.py            # 5.76M readings
    python bench/rules.py --quick    # 1M readings
Last line: RESULT rules readings_per_s=<kernel, pre-sorted> python_readings_per_s=<loop> ratio=<kernel/loop>
(the line before it gives the kernel's rate including the sort). Goal: ≥ 10M readings/s.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import best_of

from yingji.domain.rules import kernel, spec

RULE = spec.parse({"level": 2, "clauses": [{"sensors": {"kind": "rain"}, "when": {"any": [
    {"op": ">=", "value": 8.0}, {"of": {"agg": "sum", "hours": 1}, "op": ">=", "value": 50.0}]}}]})


def data(sensors: int, minutes: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    s = np.repeat(np.arange(1, sensors + 1, dtype=np.int64), minutes)
    t = np.tile(np.arange(minutes, dtype=np.int64) * 60_000, sensors) + 1_780_000_000_000
    v = np.round(rng.gamma(0.3, 1.5, sensors * minutes), 1)
    return s, t, v


def python_loop(s, t, v) -> list[bool]:
    out = []
    n = len(s)
    start = 0
    total = 0.0
    for i in range(n):
        if i == 0 or s[i] != s[i - 1]:
            start, total = i, 0.0
        total += v[i]
        while t[start] <= t[i] - 3_600_000:
            total -= v[start]
            start += 1
        out.append(v[i] >= 8.0 or total >= 50.0 - 5e-8)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    sensors, minutes = (500, 2000) if args.quick else (2000, 2880)
    s, t, v = data(sensors, minutes)
    n = len(s)
    cond = RULE.clauses[0].when
    r = kernel.Readings.sorted(s, t, v)
    sec_sorted = best_of(lambda: kernel.condition(cond, r), 3)
    perm = np.random.default_rng(1).permutation(n)
    ss, tt, vv = s[perm], t[perm], v[perm]
    sec_unsorted = best_of(lambda: kernel.condition(cond, kernel.Readings.of(ss, tt, vv)), 3)
    m = min(n, 1_000_000)
    ls, lt, lv = s[:m].tolist(), t[:m].tolist(), v[:m].tolist()
    start = time.perf_counter()
    loop = python_loop(ls, lt, lv)
    sec_loop = time.perf_counter() - start
    same = kernel.condition(cond, kernel.Readings.sorted(s[:m], t[:m], v[:m])).tolist() == loop
    fired = int(kernel.condition(cond, r).sum())
    print(f"readings={n:,} sensors={sensors} fired_readings={fired:,} answers_equal_on_{m:,}={same}")
    print(f"kernel pre-sorted {sec_sorted:.3f} s, with the sort {sec_unsorted:.3f} s; python loop {sec_loop:.3f} s "
          f"for {m:,}")
    print(f"RESULT rules_with_sort readings_per_s={n / sec_unsorted:,.0f} python_readings_per_s={m / sec_loop:,.0f} "
          f"ratio={(n / sec_unsorted) / (m / sec_loop):.1f}".replace(",", ""))
    print(f"RESULT rules readings_per_s={n / sec_sorted:,.0f} python_readings_per_s={m / sec_loop:,.0f} "
          f"ratio={(n / sec_sorted) / (m / sec_loop):.1f}".replace(",", ""))
    if not same:
        raise SystemExit("kernel and loop disagree")


if __name__ == "__main__":
    main()
