"""Normalising the ways callers give travel times (matrix, per-incident mapping, callable) into one matrix."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InvalidDispatchInput
from .model import Demand, Resource

__all__ = ["TravelTimeInput", "incident_ids", "travel_matrix"]

TravelTimeInput = Callable[[Resource, str], float] | Mapping[str, Sequence[float] | ArrayLike] | ArrayLike
"""Seconds from each resource to each incident, given as one of:

- a callable `(resource, incident_id) -> seconds`;
- a mapping `incident_id -> seconds per resource` (in `resources` order), e.g. built with
  `RoadGraph.travel_times_to(incident_location, [r.location for r in resources])`;
- a 2-D array of shape (len(resources), number of incidents), columns in `incident_ids(demands)` order.

`inf` means the resource cannot reach the incident.
"""


def incident_ids(demands: Sequence[Demand]) -> list[str]:
    """Distinct incident ids in order of first appearance: the column order of a travel-time matrix."""
    return list(dict.fromkeys(d.incident_id for d in demands))


def travel_matrix(
    demands: Sequence[Demand], resources: Sequence[Resource], travel_time: TravelTimeInput
) -> NDArray[np.float64]:
    """Seconds as a (resources × incidents) float array, validated (no NaN, nothing negative)."""
    incidents = incident_ids(demands)
    shape = (len(resources), len(incidents))
    if callable(travel_time):
        matrix = np.array(
            [[float(travel_time(r, inc)) for inc in incidents] for r in resources], dtype=np.float64
        ).reshape(shape)
    elif isinstance(travel_time, Mapping):
        missing = [inc for inc in incidents if inc not in travel_time]
        if missing:
            raise InvalidDispatchInput(f"no travel times for incidents {missing}")
        columns = [np.asarray(travel_time[inc], dtype=np.float64).reshape(-1) for inc in incidents]
        if any(col.size != len(resources) for col in columns):
            raise InvalidDispatchInput("each incident needs one travel time per resource")
        matrix = np.column_stack(columns) if columns else np.zeros(shape)
    else:
        matrix = np.asarray(travel_time, dtype=np.float64)
        if matrix.shape != shape:
            raise InvalidDispatchInput(f"travel-time matrix has shape {matrix.shape}, expected {shape}")
    if np.isnan(matrix).any() or (matrix < 0).any():
        raise InvalidDispatchInput("travel times must be non-negative seconds (inf for unreachable)")
    return matrix
