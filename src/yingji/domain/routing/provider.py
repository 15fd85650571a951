"""The `TravelTimeProvider` interface and `EstimateProvider`, the labelled straight-line fallback."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._geo import as_points, haversine_m
from .results import LonLat, Route, TravelTimes
from .snapping import Snap

__all__ = ["TravelTimeProvider", "EstimateProvider"]


@runtime_checkable
class TravelTimeProvider(Protocol):
    """Anything that answers travel-time questions in seconds between (lon, lat) points.

    Implemented by `RoadGraph` (road network, `is_estimate=False`) and `EstimateProvider` (straight line,
    `is_estimate=True`); an OSRM or Valhalla client would implement the same three methods. All return
    `TravelTimes` (seconds, `inf` if unreachable or beyond `limit_s`).
    """

    is_estimate: bool

    def travel_times(
        self, origin: LonLat, targets: Sequence[LonLat] | ArrayLike, limit_s: float | None = None
    ) -> TravelTimes:
        """Seconds from `origin` to each target."""
        ...

    def travel_times_to(
        self, target: LonLat, origins: Sequence[LonLat] | ArrayLike, limit_s: float | None = None
    ) -> TravelTimes:
        """Seconds from each origin to `target`."""
        ...

    def matrix(
        self,
        origins: Sequence[LonLat] | ArrayLike,
        targets: Sequence[LonLat] | ArrayLike,
        limit_s: float | None = None,
    ) -> TravelTimes:
        """Seconds from every origin (rows) to every target (columns)."""
        ...


class EstimateProvider:
    """Straight-line estimate: great-circle metres × `detour_factor` ÷ `speed_kmh`.

    Used when no road graph is loaded and for points off the network. Every value it returns is marked
    `estimated`; 1.4 is a typical ratio of road to straight-line distance in cities, and 30 km/h a typical
    door-to-door average for an emergency vehicle in urban traffic.
    """

    is_estimate = True

    def __init__(self, speed_kmh: float = 30.0, detour_factor: float = 1.4) -> None:
        if speed_kmh <= 0 or detour_factor < 1:
            raise ValueError("speed_kmh must be positive and detour_factor at least 1")
        self.speed_kmh = speed_kmh
        self.detour_factor = detour_factor

    def road_metres(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
        """Estimated road distance in metres between (lon, lat) arrays `a` and `b` (broadcasting)."""
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        return haversine_m(a[..., 0], a[..., 1], b[..., 0], b[..., 1]) * self.detour_factor

    def seconds(self, a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
        """Estimated seconds between (lon, lat) arrays `a` and `b` (broadcasting)."""
        return self.road_metres(a, b) / (self.speed_kmh / 3.6)

    def matrix(
        self,
        origins: Sequence[LonLat] | ArrayLike,
        targets: Sequence[LonLat] | ArrayLike,
        limit_s: float | None = None,
    ) -> TravelTimes:
        """Estimated seconds, origins as rows and targets as columns."""
        o, t = _points(origins), _points(targets)
        seconds = self.seconds(o[:, None, :], t[None, :, :])
        return _limited(seconds, limit_s)

    def travel_times(
        self, origin: LonLat, targets: Sequence[LonLat] | ArrayLike, limit_s: float | None = None
    ) -> TravelTimes:
        """Estimated seconds from `origin` to each target."""
        return _limited(self.seconds(_points(origin)[0], _points(targets)), limit_s)

    def travel_times_to(
        self, target: LonLat, origins: Sequence[LonLat] | ArrayLike, limit_s: float | None = None
    ) -> TravelTimes:
        """Estimated seconds from each origin to `target` (symmetric: the same as `travel_times`)."""
        return _limited(self.seconds(_points(origins), _points(target)[0]), limit_s)

    def route(self, origin: LonLat, target: LonLat) -> Route:
        """A straight-line `Route` marked as estimated."""
        o = (float(origin[0]), float(origin[1]))
        t = (float(target[0]), float(target[1]))
        return Route(
            seconds=float(self.seconds(o, t)),
            metres=float(self.road_metres(o, t)),
            polyline=[o, t],
            estimated=True,
        )


def _points(points: object) -> NDArray[np.float64]:
    # A `Snap` made for a road graph still carries its points: the estimate uses those.
    if isinstance(points, Snap) and points.points is not None:
        return points.points
    return as_points(points)


def _limited(seconds: NDArray[np.float64], limit_s: float | None) -> TravelTimes:
    seconds = np.array(seconds, dtype=np.float64)
    if limit_s is not None:
        seconds[seconds > limit_s] = np.inf
    return TravelTimes(seconds, estimated=True)
