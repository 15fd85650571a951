"""The coverage model of stages 1 and 2, in whole numbers whenever the quantities allow it.

Coverage is Σ priority × fraction of each line met. Written with fractions (2/3 of a line met), stage 2's
"keep at least the stage-1 coverage" row sits on a value like 11/3 that no float holds exactly, and
HiGHS's presolve has both declared such a floor infeasible and returned a worse stage-2 optimum with a
matching wrong bound. So when every quantity is a multiple of a simple unit (½, ¼, 0.1, 0.01 …) and
priorities are too, the model counts *units met* as integers and weights them with integer coefficients:
coverage × a common denominator is then an integer, and the floor is that integer, exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_array, csr_array, vstack

from ._problem import Problem

__all__ = ["CoverageModel", "coverage_model", "COVERAGE_SLACK"]

# Denominators tried when looking for whole units: halves, quarters, fifths, eighths, tenths, … thousandths.
_SCALES = (1, 2, 4, 5, 8, 10, 20, 25, 40, 50, 100, 200, 1000)
# Larger coefficients would cost HiGHS precision; such instances use the fractional model.
_MAX_COEFFICIENT = 10**8
_MAX_TOTAL = 10**12
# Fractional model only: stage 2 may give back this much coverage (relative) so the solver's feasibility
# tolerance never makes the stage-1 optimum look infeasible.
COVERAGE_SLACK = 1e-7


def _scale(values: NDArray[np.float64]) -> int | None:
    """The smallest denominator in `_SCALES` that makes every value a whole number, or None."""
    for s in _SCALES:
        v = values * s
        if np.all(np.abs(v - np.round(v)) <= 1e-9 * np.maximum(1.0, np.abs(v))):
            return s
    return None


@dataclass(frozen=True)
class CoverageModel:
    """Variables: one binary per pair, then one per line (units met if `integral`, else the fraction met).

    `matrix` ≤ `upper` holds "each resource once" and "a line's variable ≤ what its chosen pairs bring";
    `weights` · line variables is the coverage (scaled by a common denominator if `integral`).
    """

    matrix: csr_array
    upper: NDArray[np.float64]
    weights: NDArray[np.float64]
    line_upper: NDArray[np.float64]
    unit_scale: float  # line variable = units met × unit_scale (integral), or fraction met (not)
    integral: bool

    def score(self, problem: Problem, chosen: NDArray[np.int64]) -> float:
        """Coverage of the chosen pairs in this model's units (an exact integer when `integral`)."""
        met = problem.met(chosen)
        if self.integral:
            return float(np.sum(self.weights * np.minimum(self.line_upper, np.round(met * self.unit_scale))))
        return float(np.sum(self.weights * np.minimum(1.0, met / problem.quantity)))

    def floor(self, problem: Problem, chosen: NDArray[np.int64]) -> float:
        """Least coverage a stage-2 answer must keep to be as good as `chosen`."""
        score = self.score(problem, chosen)
        return score if self.integral else score - COVERAGE_SLACK * max(1.0, score)

    def integrality(self, pairs: int) -> NDArray[np.float64]:
        return np.concatenate((np.ones(pairs), np.full(self.weights.size, 1.0 if self.integral else 0.0)))


def coverage_model(problem: Problem) -> CoverageModel:
    """Integer model when the quantities and priorities allow it, the fractional one otherwise."""
    n, lines = problem.pair_r.size, len(problem.demands)
    pairs = np.arange(n)
    # Units beyond a line's request are worth nothing; capping them tightens the LP relaxation.
    units = np.minimum(problem.pair_c, problem.quantity[problem.pair_d])
    once = coo_array((np.ones(n), (problem.pair_r, pairs)), shape=(len(problem.resources), n + lines))
    s = _scale(np.concatenate((units, problem.quantity)))
    t = _scale(problem.priority)
    if s is not None and t is not None:
        whole = np.round(problem.quantity * s).astype(np.int64)
        common = math.lcm(*(int(q) for q in whole))
        weights = np.round(problem.priority * t).astype(np.int64) * (common // whole)
        if weights.max() <= _MAX_COEFFICIENT and int((weights * whole).sum()) <= _MAX_TOTAL:
            return _model(problem, once, np.round(units * s), np.ones(lines), weights, whole, float(s), True)
    return _model(problem, once, units, problem.quantity, problem.priority, np.ones(lines), 1.0, False)


def _model(problem, once, units, line_coef, weights, line_upper, unit_scale, integral) -> CoverageModel:
    n, lines = problem.pair_r.size, len(problem.demands)
    # Row d: line_coef_d · v_d − Σ_{p of d} units_p · x_p ≤ 0.
    rows = np.concatenate((problem.pair_d, np.arange(lines)))
    cols = np.concatenate((np.arange(n), n + np.arange(lines)))
    vals = np.concatenate((-np.asarray(units, dtype=np.float64), np.asarray(line_coef, dtype=np.float64)))
    backed = coo_array((vals, (rows, cols)), shape=(lines, n + lines))
    return CoverageModel(
        matrix=csr_array(vstack([once, backed])),
        upper=np.concatenate((np.ones(len(problem.resources)), np.zeros(lines))),
        weights=np.asarray(weights, dtype=np.float64),
        line_upper=np.asarray(line_upper, dtype=np.float64),
        unit_scale=unit_scale,
        integral=integral,
    )
