"""Greedy nearest-first allocation: the simple baseline a dispatcher would do by hand."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from ._explain import to_allocation
from ._problem import Problem, build_problem
from .model import Allocation, Demand, Resource
from .travel import TravelTimeInput

__all__ = ["allocate_greedy", "greedy_pairs"]


def allocate_greedy(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    travel_time: TravelTimeInput,
    max_response_s: float | None = None,
) -> Allocation:
    """Serve demand lines by descending priority (ties: input order); each takes the nearest free resources
    offering its capability until the requested quantity is met. Fast, but not optimal."""
    problem = build_problem(demands, resources, travel_time, max_response_s)
    return to_allocation(problem, greedy_pairs(problem), method="greedy")


def greedy_pairs(problem: Problem) -> NDArray[np.int64]:
    """Indices of the pairs the greedy rule picks."""
    used = np.zeros(len(problem.resources), dtype=bool)
    chosen: list[int] = []
    order = sorted(range(len(problem.demands)), key=lambda d: -problem.demands[d].priority)
    by_line = np.argsort(problem.pair_d, kind="stable")
    starts = np.searchsorted(problem.pair_d[by_line], np.arange(len(problem.demands) + 1))
    for d in order:
        pairs = by_line[starts[d] : starts[d + 1]]
        pairs = pairs[np.argsort(problem.pair_t[pairs], kind="stable")]
        need = problem.demands[d].quantity
        for p in pairs:
            if need <= 0:
                break
            r = problem.pair_r[p]
            if not used[r]:
                used[r] = True
                chosen.append(int(p))
                need -= problem.pair_c[p]
    return np.array(chosen, dtype=np.int64)
