"""Turning chosen pairs into an `Allocation`, with a reason for every demand line left short."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from ._problem import Problem
from .model import Allocation, Assignment, Unmet, UnmetReason

__all__ = ["to_allocation", "explain_unmet"]

# Quantities are floats; a line counts as met when delivery is within this fraction of the request.
_MET_TOLERANCE = 1e-9


def to_allocation(
    problem: Problem, chosen: NDArray[np.int64], method: str, stats: Mapping[str, float] | None = None
) -> Allocation:
    """Build the public result from the indices of the chosen pairs."""
    chosen = np.sort(np.asarray(chosen, dtype=np.int64))
    assignments = [
        Assignment(
            resource_id=problem.resources[problem.pair_r[p]].id,
            incident_id=problem.demands[problem.pair_d[p]].incident_id,
            capability=problem.demands[problem.pair_d[p]].capability,
            quantity=float(problem.pair_c[p]),
            eta_s=float(problem.pair_t[p]),
        )
        for p in chosen
    ]
    return Allocation(
        assignments=assignments,
        unmet=explain_unmet(problem, chosen),
        objective=problem.objective(chosen),
        coverage=problem.coverage(chosen),
        method=method,
        stats=dict(stats or {}),
    )


def explain_unmet(problem: Problem, chosen: NDArray[np.int64]) -> list[Unmet]:
    """One `Unmet` per demand line that the chosen pairs leave short, with the most basic cause found."""
    met = problem.met(chosen)
    offered_in_range = np.bincount(problem.pair_d, weights=problem.pair_c, minlength=len(problem.demands))
    out = []
    for d, demand in enumerate(problem.demands):
        if met[d] >= demand.quantity * (1 - _MET_TOLERANCE):
            continue
        reason, detail = _reason(problem, d, float(offered_in_range[d]))
        out.append(
            Unmet(demand.incident_id, demand.capability, demand.quantity, float(met[d]), reason, detail)
        )
    return out


def _reason(problem: Problem, d: int, offered_in_range: float) -> tuple[UnmetReason, str]:
    demand = problem.demands[d]
    capable = [r for r in problem.resources if r.offers(demand.capability) > 0]
    if not capable:
        return UnmetReason.NO_CAPABILITY, f"no resource offers {demand.capability!r}"
    available = [r for r in capable if r.available]
    if not available:
        return UnmetReason.ALL_BUSY, f"all {len(capable)} resources offering {demand.capability!r} are busy"
    if offered_in_range <= 0:
        limit = problem.max_response_s
        where = "at all" if limit is None else f"within {limit:.0f} s"
        return UnmetReason.OUT_OF_RANGE, f"none of {len(available)} available can arrive {where}"
    if offered_in_range < demand.quantity * (1 - _MET_TOLERANCE):
        return (
            UnmetReason.NOT_ENOUGH_QUANTITY,
            f"only {offered_in_range:g} of {demand.quantity:g} available in range",
        )
    return UnmetReason.COMPETING_DEMAND, "enough in range, but assigned to other demand lines"
