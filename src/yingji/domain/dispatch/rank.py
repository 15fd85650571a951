"""Top-k ranking of resources for a single incident by estimated arrival time."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import InvalidDispatchInput
from .model import Demand, Resource

__all__ = ["Ranked", "rank"]


@dataclass(frozen=True)
class Ranked:
    """A candidate: `resource_id` arrives in `eta_s` seconds bringing `quantity` units.

    `cumulative` is the quantity brought by this candidate and every faster one, so a dispatcher sees
    where the request would be met; `meets_demand` says whether it is reached at this candidate.
    """

    resource_id: str
    eta_s: float
    quantity: float
    cumulative: float
    meets_demand: bool


def rank(
    demand: Demand | str,
    resources: Sequence[Resource],
    eta_s: Sequence[float] | ArrayLike | Mapping[str, float] | Callable[[Resource], float],
    k: int = 5,
    max_response_s: float | None = None,
) -> list[Ranked]:
    """The `k` fastest available resources offering the demand's capability, with ETAs in seconds.

    `eta_s` gives each resource's seconds to the incident: a sequence in `resources` order, a mapping by
    resource id, or a callable. Unreachable (`inf`) or slower-than-`max_response_s` resources are left out.
    Ties go to the resource bringing more, then to the lower id, so the order is stable.
    """
    if k < 0:
        raise InvalidDispatchInput("k must be non-negative")
    capability = demand if isinstance(demand, str) else demand.capability
    wanted = np.inf if isinstance(demand, str) else demand.quantity
    times = _times(resources, eta_s)
    limit = np.inf if max_response_s is None else max_response_s
    candidates = [
        (float(t), -r.offers(capability), r.id)
        for r, t in zip(resources, times, strict=True)
        if r.available and r.offers(capability) > 0 and np.isfinite(t) and t <= limit
    ]
    candidates.sort()
    out, total = [], 0.0
    for t, neg_units, rid in candidates[:k]:
        total += -neg_units
        out.append(Ranked(rid, t, -neg_units, total, total >= wanted))
    return out


def _times(
    resources: Sequence[Resource],
    eta_s: Sequence[float] | ArrayLike | Mapping[str, float] | Callable[[Resource], float],
) -> list[float]:
    if callable(eta_s):
        times = [float(eta_s(r)) for r in resources]
    elif isinstance(eta_s, Mapping):
        times = [float(eta_s.get(r.id, np.inf)) for r in resources]
    else:
        times = [float(t) for t in np.asarray(eta_s, dtype=np.float64).reshape(-1)]
    if len(times) != len(resources):
        raise InvalidDispatchInput("need one ETA per resource")
    if any(np.isnan(t) or t < 0 for t in times):
        raise InvalidDispatchInput("ETAs must be non-negative seconds (inf for unreachable)")
    return times
