"""Lagrangian pricing: a provable lower bound on any allocation that uses a given pair.

Relaxing "each resource at most once" with prices λ ≥ 0 splits the problem into one small knapsack cover
per demand line, solved exactly by dynamic programming. For any λ ≥ 0 the result bounds every feasible
allocation from below, so a pair whose bound exceeds a known allocation's cost can never improve on it.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._problem import Problem

__all__ = ["integral_units", "pair_lower_bounds"]


def integral_units(problem: Problem, targets: NDArray[np.float64]) -> bool:
    """True when every (capped) quantity and target is a whole number, as the DP needs."""
    units = np.minimum(problem.pair_c, problem.quantity[problem.pair_d])
    return bool(np.all(units == np.round(units)) and np.all(targets == np.round(targets)))


def pair_lower_bounds(
    problem: Problem, targets: NDArray[np.float64], prices: NDArray[np.float64]
) -> NDArray[np.float64]:
    """For each pair: a lower bound on the weighted time of any allocation that uses it and meets `targets`."""
    reduced = problem.priority[problem.pair_d] * problem.pair_t + prices[problem.pair_r]
    units = np.minimum(problem.pair_c, problem.quantity[problem.pair_d]).astype(np.int64)
    need = np.round(targets).astype(np.int64)
    lines = len(problem.demands)
    best = np.zeros(lines)
    residual = np.zeros(problem.pair_r.size)
    order = np.lexsort((reduced, units, problem.pair_d))
    for d in range(lines):
        mine = order[
            np.searchsorted(problem.pair_d[order], d) : np.searchsorted(problem.pair_d[order], d + 1)
        ]
        dp = _cover_costs(reduced[mine], units[mine], int(need[d]))
        best[d] = dp[need[d]]
        residual[mine] = reduced[mine] + dp[np.maximum(need[d] - units[mine], 0)]
    total = best.sum() - prices.sum()
    # Forcing pair p into line d costs its reduced cost plus the cheapest cover of what is left.
    return total - best[problem.pair_d] + residual


def _cover_costs(cost: NDArray[np.float64], units: NDArray[np.int64], need: int) -> NDArray[np.float64]:
    """dp[t] = least cost of items whose units sum to at least t, for t = 0..need (0/1 items).

    Items come sorted by (units, cost). A minimal cover never holds more than ceil(need / w) items of
    weight w, so only that many of the cheapest are fed to the DP.
    """
    dp = np.full(need + 1, np.inf)
    dp[0] = 0.0
    steps = np.arange(need + 1)
    rank = np.arange(units.size) - np.searchsorted(units, units)  # position within the same-weight run
    useful = rank < -(-need // np.maximum(units, 1))
    for c, w in zip(cost[useful], units[useful], strict=True):
        dp = np.minimum(dp, dp[np.maximum(steps - w, 0)] + c)
    return dp
