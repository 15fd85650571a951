"""Plain data types of resource allocation: what incidents need, what resources offer, and the outcome."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .errors import InvalidDispatchInput

__all__ = ["Demand", "Resource", "Assignment", "UnmetReason", "Unmet", "Allocation"]


@dataclass(frozen=True)
class Demand:
    """One demand line: incident `incident_id` needs `quantity` of `capability`, with weight `priority` (> 0).

    An incident needing several capabilities has several lines. Priority multiplies both the value of
    meeting the line and the cost of every second its resources take to arrive.
    """

    incident_id: str
    capability: str
    quantity: float
    priority: float = 1.0

    def __post_init__(self) -> None:
        if not self.quantity > 0:
            raise InvalidDispatchInput(f"demand quantity must be positive: {self}")
        if not self.priority > 0:
            raise InvalidDispatchInput(f"demand priority must be positive: {self}")


@dataclass(frozen=True)
class Resource:
    """A team or equipment item; `capabilities` maps capability → quantity it brings (e.g. {"rescuers": 6}).

    A resource is dispatched once, to one demand line; only its quantity of that line's capability counts.
    A fire engine with {"fire_pump": 1, "rescuers": 4} sent to a "rescuers" line counts 4 rescuers there
    and cannot serve another line at the same time.
    """

    id: str
    capabilities: Mapping[str, float]
    available: bool = True
    location: tuple[float, float] | None = None  # (lon, lat), for callers computing travel times

    def __post_init__(self) -> None:
        if any(not q >= 0 for q in self.capabilities.values()):
            raise InvalidDispatchInput(f"capability quantities must be non-negative: {self.id}")
        object.__setattr__(self, "capabilities", MappingProxyType(dict(self.capabilities)))

    def offers(self, capability: str) -> float:
        """Quantity of `capability` this resource brings (0 when it has none)."""
        return float(self.capabilities.get(capability, 0.0))


@dataclass(frozen=True)
class Assignment:
    """Resource `resource_id` goes to `incident_id`, counting `quantity` of `capability`, arriving in `eta_s` s."""

    resource_id: str
    incident_id: str
    capability: str
    quantity: float
    eta_s: float


class UnmetReason(enum.StrEnum):
    """Why a demand line is not fully met, from the most to the least fundamental cause."""

    NO_CAPABILITY = "no_capability"  # no resource at all offers this capability
    ALL_BUSY = "all_busy"  # resources offering it exist, none is available
    OUT_OF_RANGE = "out_of_range"  # available ones exist, none can arrive within the limit (or at all)
    NOT_ENOUGH_QUANTITY = "not_enough_quantity"  # everything available in range still falls short
    COMPETING_DEMAND = "competing_demand"  # enough in range, but needed more by other demand lines


@dataclass(frozen=True)
class Unmet:
    """A demand line left short: `met` of `requested` units, and why."""

    incident_id: str
    capability: str
    requested: float
    met: float
    reason: UnmetReason
    detail: str = ""

    @property
    def missing(self) -> float:
        """Units still needed."""
        return self.requested - self.met


@dataclass(frozen=True)
class Allocation:
    """Outcome of an allocation.

    `objective` is the priority-weighted sum of arrival times (seconds) over all assignments; `coverage`
    is Σ priority × fraction of each demand line met (capped at 1), the quantity maximised first.
    """

    assignments: list[Assignment]
    unmet: list[Unmet]
    objective: float
    coverage: float
    method: str
    stats: Mapping[str, float] = field(default_factory=dict)

    def for_incident(self, incident_id: str) -> list[Assignment]:
        """Assignments to one incident, fastest first."""
        return sorted((a for a in self.assignments if a.incident_id == incident_id), key=lambda a: a.eta_s)
