"""Road-network travel times: `RoadGraph` (OSM PBF → CSR graph, Dijkstra), snapping and estimates.

Coordinates are (lon, lat) degrees throughout; times are seconds and distances metres.
"""

from .errors import NoRoadNearby, RoadDataError, RoutingError, StaleSnap, Unreachable
from .graph import RoadGraph
from .provider import EstimateProvider, TravelTimeProvider
from .results import LonLat, Route, TravelTimes
from .snapping import Snap
from .speeds import DEFAULT_CLASS_SPEEDS_KMH, SpeedTable, parse_maxspeed
from .tags import Direction, is_accessible, way_direction

__all__ = [
    "DEFAULT_CLASS_SPEEDS_KMH",
    "Direction",
    "EstimateProvider",
    "LonLat",
    "NoRoadNearby",
    "RoadDataError",
    "RoadGraph",
    "Route",
    "RoutingError",
    "Snap",
    "SpeedTable",
    "StaleSnap",
    "TravelTimeProvider",
    "TravelTimes",
    "Unreachable",
    "is_accessible",
    "parse_maxspeed",
    "way_direction",
]
