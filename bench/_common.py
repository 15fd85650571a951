"""Shared helpers for the benchmarks: timing, RSS, synthetic grids and the RESULT line."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))

__all__ = ["best_of", "median_of", "result_line", "grid_arcs", "rss_mb"]


def _timings(fn: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """Fastest of `repeat` runs, in seconds (the least disturbed by other processes)."""
    return min(_timings(fn, repeat))


def median_of(fn: Callable[[], Any], repeat: int) -> float:
    """Median of `repeat` runs, in seconds."""
    return statistics.median(_timings(fn, repeat))


def rss_mb() -> float:
    """Current resident set size of this process in MB (from /proc)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def grid_arcs(side: int, seed: int = 1) -> dict[str, np.ndarray]:
    """A side × side street grid (~100 m blocks near lon 113.3, lat 23.1) with random speeds and one-way rows.

    Every fifth row is one-way (alternating direction), like real city grids; the rest are two-way.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    lon = 113.3 + (ids % side) * 0.00098 + rng.uniform(-1e-4, 1e-4, ids.shape)
    lat = 23.1 + (ids // side) * 0.0009 + rng.uniform(-1e-4, 1e-4, ids.shape)
    east_a, east_b = ids[:, :-1].ravel(), ids[:, 1:].ravel()
    north_a, north_b = ids[:-1, :].ravel(), ids[1:, :].ravel()
    row = (ids // side)[:, :-1].ravel()
    one_way = row % 5 == 0
    flip = one_way & (row % 10 == 0)
    ea, eb = np.where(flip, east_b, east_a), np.where(flip, east_a, east_b)
    tails = np.concatenate((ea, eb[~one_way], north_a, north_b))
    heads = np.concatenate((eb, ea[~one_way], north_b, north_a))
    length = np.full(tails.size, 100.0) * rng.uniform(0.9, 1.1, tails.size)
    speed = rng.choice([25.0, 40.0, 60.0], size=tails.size, p=[0.6, 0.3, 0.1]) / 3.6
    return {
        "tails": tails,
        "heads": heads,
        "time_s": length / speed,
        "length_m": length,
        "lon": lon.ravel(),
        "lat": lat.ravel(),
    }


def result_line(
    name: str, metric: str, value: float, peer_metric: str, peer_value: float, ratio: float
) -> str:
    """The machine-read last line: `RESULT <name> <metric>=<value> <peer_metric>=<value> ratio=<r>`."""
    return f"RESULT {name} {metric}={value:.4g} {peer_metric}={peer_value:.4g} ratio={ratio:.3g}"
