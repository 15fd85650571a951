"""MILP/LP formulations of the allocation problem, solved with HiGHS through scipy."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_array, csr_array, vstack

from ._coverage import CoverageModel, coverage_model
from ._problem import Problem
from .errors import SolverFailed

__all__ = ["max_coverage", "min_time_with_coverage", "min_time_with_targets", "cover_duals"]

# Exactness: compare against brute force needs the true optimum, not HiGHS's default 0.01% gap.
_MIP_REL_GAP = 1e-9


def _once_rows(problem: Problem, pairs: NDArray[np.int64]) -> coo_array:
    # Each resource used at most once: Σ_{p of r} x_p ≤ 1.
    n = pairs.size
    return coo_array((np.ones(n), (problem.pair_r[pairs], np.arange(n))), shape=(len(problem.resources), n))


def _capped_units(problem: Problem, pairs: NDArray[np.int64]) -> NDArray[np.float64]:
    # Units beyond a line's request are worth nothing; capping them tightens the LP relaxation.
    return np.minimum(problem.pair_c[pairs], problem.quantity[problem.pair_d[pairs]])


def _solve(
    cost: NDArray[np.float64],
    constraints: list[LinearConstraint],
    integrality: NDArray[np.float64],
    upper: NDArray[np.float64],
) -> NDArray[np.float64]:
    # Presolve off: on these models HiGHS's presolve has called a met coverage floor infeasible and has
    # returned a worse stage-2 optimum together with a wrong bound (tests/domain/dispatch keeps both as
    # examples). Branch and bound on the model as written costs little at dispatch sizes.
    result = milp(
        cost,
        constraints=constraints,
        integrality=integrality,
        bounds=Bounds(np.zeros(cost.size), upper),
        options={"mip_rel_gap": _MIP_REL_GAP, "presolve": False},
    )
    if result.status != 0 or result.x is None:
        raise SolverFailed(f"MILP solver stopped without an optimum: {result.message}")
    return result.x


def _upper(problem: Problem, model: CoverageModel) -> NDArray[np.float64]:
    return np.concatenate((np.ones(problem.pair_r.size), model.line_upper))


def max_coverage(problem: Problem) -> NDArray[np.int64]:
    """Stage 1: pairs reaching the largest achievable Σ priority × fraction met."""
    model = coverage_model(problem)
    n = problem.pair_r.size
    cost = -np.concatenate((np.zeros(n), model.weights))
    x = _solve(
        cost,
        [LinearConstraint(model.matrix, -np.inf, model.upper)],
        model.integrality(n),
        _upper(problem, model),
    )
    return np.flatnonzero(x[:n] > 0.5)


def min_time_with_coverage(problem: Problem, reference: NDArray[np.int64]) -> NDArray[np.int64]:
    """Stage 2, general form: least weighted arrival time among choices covering at least as much as
    the pairs `reference` (the stage-1 answer), which is itself a feasible answer and so a bound.

    The answer is checked: if it covers less than `reference` or takes longer, `reference` is returned."""
    model = coverage_model(problem)
    n, lines = problem.pair_r.size, len(problem.demands)
    cost = np.concatenate((problem.priority[problem.pair_d] * problem.pair_t, np.zeros(lines)))
    floor = model.floor(problem, reference)
    constraints = [
        LinearConstraint(model.matrix, -np.inf, model.upper),
        LinearConstraint(np.concatenate((np.zeros(n), model.weights)).reshape(1, -1), floor, np.inf),
    ]
    x = _solve(cost, constraints, model.integrality(n), _upper(problem, model))
    chosen = np.flatnonzero(x[:n] > 0.5)
    if model.score(problem, chosen) < floor or problem.objective(chosen) > problem.objective(reference):
        return reference
    return chosen


def _cover_model(
    problem: Problem, pairs: NDArray[np.int64], targets: NDArray[np.float64]
) -> tuple[NDArray[np.float64], csr_array, NDArray[np.float64], NDArray[np.float64]]:
    """Rows: once-per-resource (≤ 1), then Σ capped units of line d ≥ targets[d]."""
    n, lines = pairs.size, len(problem.demands)
    cover = coo_array(
        (_capped_units(problem, pairs), (problem.pair_d[pairs], np.arange(n))), shape=(lines, n)
    )
    matrix = csr_array(vstack([_once_rows(problem, pairs), cover]))
    lower = np.concatenate((np.full(len(problem.resources), -np.inf), targets))
    upper = np.concatenate((np.ones(len(problem.resources)), np.full(lines, np.inf)))
    cost = problem.priority[problem.pair_d[pairs]] * problem.pair_t[pairs]
    return cost, matrix, lower, upper


def min_time_with_targets(
    problem: Problem, pairs: NDArray[np.int64], targets: NDArray[np.float64]
) -> NDArray[np.int64] | None:
    """Least weighted time using only `pairs`, meeting every line's target; None if that is infeasible."""
    cost, matrix, lower, upper = _cover_model(problem, pairs, targets)
    result = milp(
        cost,
        constraints=[LinearConstraint(matrix, lower, upper)],
        integrality=np.ones(pairs.size),
        bounds=Bounds(np.zeros(pairs.size), np.ones(pairs.size)),
        options={"mip_rel_gap": _MIP_REL_GAP},
    )
    if result.status == 2:  # infeasible with this subset
        return None
    if result.status != 0 or result.x is None:
        raise SolverFailed(f"MILP solver stopped without an optimum: {result.message}")
    return pairs[result.x > 0.5]


def cover_duals(
    problem: Problem, pairs: NDArray[np.int64], targets: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Non-negative prices of using each resource, from the LP relaxation over `pairs` (0 if unpriced)."""
    cost, matrix, lower, upper = _cover_model(problem, pairs, targets)
    res = len(problem.resources)
    a_ub = vstack([matrix[:res], -matrix[res:]])
    b_ub = np.concatenate((upper[:res], -lower[res:]))
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if result.status != 0:
        return np.zeros(res)
    # HiGHS reports d(objective)/d(b) ≤ 0 for "≤" rows of a minimisation; the price is its negation.
    return np.maximum(-np.asarray(result.ineqlin.marginals[:res]), 0.0)
