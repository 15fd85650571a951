"""Optimal allocation by mixed-integer programming (scipy.optimize.milp, i.e. HiGHS), lexicographic objective.

First maximise coverage (Σ priority × fraction of each demand line met), then, among allocations with
that coverage, minimise Σ priority × arrival seconds. Meeting demand always beats arriving sooner.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from . import _milp
from ._coverage import COVERAGE_SLACK
from ._explain import to_allocation
from ._pricing import integral_units, pair_lower_bounds
from ._problem import Problem, build_problem
from .greedy import greedy_pairs
from .model import Allocation, Demand, Resource
from .travel import TravelTimeInput

__all__ = ["allocate"]

_MAX_PRICING_ROUNDS = 20


def allocate(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    travel_time: TravelTimeInput,
    max_response_s: float | None = None,
) -> Allocation:
    """Optimal assignment of resources to demand lines.

    Each resource serves at most one demand line and counts its quantity of that line's capability.
    Only available resources that can arrive within `max_response_s` seconds (if given) are considered.
    Lines that cannot be fully met are listed in `Allocation.unmet` with a reason.
    """
    started = time.perf_counter()
    problem = build_problem(demands, resources, travel_time, max_response_s)
    baseline = greedy_pairs(problem)
    stats: dict[str, float] = {"pairs": float(problem.pair_r.size), "solves": 0.0}
    if problem.pair_r.size == 0:
        stats["seconds"] = time.perf_counter() - started
        return to_allocation(problem, baseline, "exact", stats)

    bound = problem.coverage_bound()
    seed = baseline
    if problem.coverage(baseline) >= bound * (1 - 1e-12):
        best = baseline  # greedy reaches the upper bound, so stage 1 is settled without a solve
    else:
        best = _milp.max_coverage(problem)
        stats["solves"] += 1

    chosen = None
    if problem.coverage(best) >= bound * (1 - COVERAGE_SLACK):
        # Every line gets all it can: per-line targets are fixed, which allows pricing out far pairs.
        chosen = _priced_min_time(problem, seed, stats)
    if chosen is None:
        chosen = _milp.min_time_with_coverage(problem, best)
        stats["solves"] += 1
    if _worse(problem, chosen, baseline):  # never return less than the baseline (solver tolerances)
        chosen = baseline
    stats["seconds"] = time.perf_counter() - started
    return to_allocation(problem, chosen, "exact", stats)


def _priced_min_time(
    problem: Problem, seed: NDArray[np.int64], stats: dict[str, float]
) -> NDArray[np.int64] | None:
    """Solve over the nearest pairs only, then prove no other pair can help; None if it cannot be proved.

    Each round solves the MILP on a small working set, prices resources with the LP relaxation's duals,
    and computes a Lagrangian lower bound for every pair outside the set (see `_pricing`). Pairs whose
    bound beats the incumbent join the set; when none do, the incumbent is optimal for the whole problem.
    """
    offered = np.bincount(
        problem.pair_d,
        weights=np.minimum(problem.pair_c, problem.quantity[problem.pair_d]),
        minlength=len(problem.demands),
    )
    targets = np.minimum(problem.quantity, offered)
    if not integral_units(problem, targets):
        return None
    working = _nearest_pairs(problem, targets)
    working[seed] = True
    for _ in range(_MAX_PRICING_ROUNDS):
        pairs = np.flatnonzero(working)
        chosen = _milp.min_time_with_targets(problem, pairs, targets)
        stats["solves"] += 1
        if chosen is None:
            return None
        incumbent = problem.objective(chosen)
        prices = _milp.cover_duals(problem, pairs, targets)
        bounds = pair_lower_bounds(problem, targets, prices)
        entering = ~working & (bounds < incumbent - 1e-9 * max(1.0, incumbent))
        stats["priced_out"] = float((~working).sum() - entering.sum())
        if not entering.any():
            return chosen
        working |= entering
    return None


def _nearest_pairs(problem: Problem, targets: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Per line, the nearest candidates: twice the count its smallest contributors would need, plus 4."""
    by_line = np.lexsort((problem.pair_t, problem.pair_d))
    line = problem.pair_d[by_line]
    rank = np.arange(by_line.size) - np.searchsorted(line, line)
    smallest = np.full(len(problem.demands), np.inf)
    np.minimum.at(smallest, problem.pair_d, problem.pair_c)
    needed = np.ceil(targets / np.where(np.isfinite(smallest), smallest, 1.0))
    keep = np.zeros(problem.pair_r.size, dtype=bool)
    keep[by_line[rank < 2 * needed[line] + 4]] = True
    return keep


def _worse(problem: Problem, a: NDArray[np.int64], b: NDArray[np.int64]) -> bool:
    ca, cb = problem.coverage(a), problem.coverage(b)
    if abs(ca - cb) > COVERAGE_SLACK * max(1.0, cb):
        return ca < cb
    return problem.objective(a) > problem.objective(b) * (1 + 1e-9) + 1e-9
