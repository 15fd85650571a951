"""The allocation problem in array form: feasible (resource, demand line) pairs and how to score a choice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .errors import InvalidDispatchInput
from .model import Demand, Resource
from .travel import TravelTimeInput, incident_ids, travel_matrix

__all__ = ["Problem", "build_problem"]


@dataclass(frozen=True)
class Problem:
    """Pair p means "resource `pair_r[p]` serves demand line `pair_d[p]`", arriving in `pair_t[p]` seconds and
    counting `pair_c[p]` units. Only pairs that are available, capable and within the limit exist."""

    demands: Sequence[Demand]
    resources: Sequence[Resource]
    eta: NDArray[np.float64]  # resources × incidents, seconds
    line_incident: NDArray[np.int64]  # column of `eta` for each demand line
    max_response_s: float | None
    pair_r: NDArray[np.int64]
    pair_d: NDArray[np.int64]
    pair_t: NDArray[np.float64]
    pair_c: NDArray[np.float64]

    @property
    def quantity(self) -> NDArray[np.float64]:
        """Requested quantity per demand line."""
        return np.array([d.quantity for d in self.demands], dtype=np.float64)

    @property
    def priority(self) -> NDArray[np.float64]:
        """Priority per demand line."""
        return np.array([d.priority for d in self.demands], dtype=np.float64)

    def met(self, chosen: NDArray[np.int64]) -> NDArray[np.float64]:
        """Units delivered to each demand line by the chosen pairs (may exceed the request)."""
        return np.bincount(self.pair_d[chosen], weights=self.pair_c[chosen], minlength=len(self.demands))

    def coverage(self, chosen: NDArray[np.int64]) -> float:
        """Σ priority × min(1, met / requested): the quantity maximised first."""
        if not self.demands:
            return 0.0
        return float(np.sum(self.priority * np.minimum(1.0, self.met(chosen) / self.quantity)))

    def objective(self, chosen: NDArray[np.int64]) -> float:
        """Σ priority × arrival seconds over the chosen pairs: the quantity minimised second."""
        return float(np.sum(self.priority[self.pair_d[chosen]] * self.pair_t[chosen]))

    def coverage_bound(self) -> float:
        """Coverage if no resource were wanted by two lines at once: an upper bound on the optimum."""
        if not self.demands:
            return 0.0
        offered = np.bincount(self.pair_d, weights=self.pair_c, minlength=len(self.demands))
        return float(np.sum(self.priority * np.minimum(1.0, offered / self.quantity)))


def build_problem(
    demands: Sequence[Demand],
    resources: Sequence[Resource],
    travel_time: TravelTimeInput,
    max_response_s: float | None,
) -> Problem:
    """Validate inputs and list every feasible (resource, demand line) pair."""
    ids = [r.id for r in resources]
    if len(set(ids)) != len(ids):
        raise InvalidDispatchInput("resource ids must be unique")
    if max_response_s is not None and not max_response_s >= 0:
        raise InvalidDispatchInput("max_response_s must be non-negative seconds")
    eta = travel_matrix(demands, resources, travel_time)
    column = {inc: i for i, inc in enumerate(incident_ids(demands))}
    line_incident = np.array([column[d.incident_id] for d in demands], dtype=np.int64)
    limit = np.inf if max_response_s is None else max_response_s
    # Dense (resources × lines) tables make the pair search a few vectorised operations, not a double loop.
    capabilities = list(dict.fromkeys(d.capability for d in demands))
    units = np.array([[r.offers(c) for c in capabilities] for r in resources], dtype=np.float64)
    units = units.reshape(len(resources), len(capabilities))
    line_cap = np.array([capabilities.index(d.capability) for d in demands], dtype=np.int64)
    line_units = units[:, line_cap]
    line_eta = eta[:, line_incident]
    available = np.array([r.available for r in resources], dtype=bool).reshape(-1, 1)
    feasible = available & (line_units > 0) & np.isfinite(line_eta) & (line_eta <= limit)
    pr, pd = np.nonzero(feasible)
    return Problem(
        demands=demands,
        resources=resources,
        eta=eta,
        line_incident=line_incident,
        max_response_s=max_response_s,
        pair_r=pr.astype(np.int64),
        pair_d=pd.astype(np.int64),
        pair_t=line_eta[pr, pd].astype(np.float64),
        pair_c=line_units[pr, pd].astype(np.float64),
    )
