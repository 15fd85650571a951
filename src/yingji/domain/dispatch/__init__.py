"""Resource allocation for incidents: exact (MILP) and greedy assignment, unmet-demand reasons, top-k ranking.

Times are seconds. Meeting demand comes first; among equally good coverage the priority-weighted sum of
arrival times is minimised.
"""

from .errors import AllocationError, InvalidDispatchInput, SolverFailed
from .exact import allocate
from .greedy import allocate_greedy
from .model import Allocation, Assignment, Demand, Resource, Unmet, UnmetReason
from .rank import Ranked, rank
from .travel import TravelTimeInput, incident_ids, travel_matrix

__all__ = [
    "Allocation",
    "AllocationError",
    "Assignment",
    "Demand",
    "InvalidDispatchInput",
    "Ranked",
    "Resource",
    "SolverFailed",
    "TravelTimeInput",
    "Unmet",
    "UnmetReason",
    "allocate",
    "allocate_greedy",
    "incident_ids",
    "rank",
    "travel_matrix",
]
