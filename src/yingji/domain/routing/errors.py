"""Errors raised by the routing package; catch `RoutingError` to handle them all."""

from __future__ import annotations

__all__ = ["RoutingError", "RoadDataError", "NoRoadNearby", "StaleSnap", "Unreachable"]


class RoutingError(Exception):
    """Base class of every error raised by `yingji.domain.routing`."""


class RoadDataError(RoutingError):
    """Road data could not be read: a missing or malformed PBF or npz file, or inconsistent arrays."""


class NoRoadNearby(RoutingError):
    """A point is farther from every road than the graph's snapping radius (`max_snap_m`, metres)."""

    def __init__(self, point: tuple[float, float], distance_m: float, max_snap_m: float) -> None:
        self.point = point
        self.distance_m = distance_m
        self.max_snap_m = max_snap_m
        super().__init__(
            f"no road within {max_snap_m:.0f} m of (lon={point[0]:.6f}, lat={point[1]:.6f}); "
            f"nearest is {distance_m:.0f} m away"
        )


class Unreachable(RoutingError):
    """No drivable path leads from the origin to the target (one-way streets, islands, or the limit)."""

    def __init__(self, origin: tuple[float, float], target: tuple[float, float]) -> None:
        self.origin = origin
        self.target = target
        super().__init__(f"no road route from {origin} to {target}")


class StaleSnap(RoutingError, ValueError):
    """A `Snap` made on another road graph (or another snapping radius) was passed to this one."""

    def __init__(self, made_on: str, this_graph: str) -> None:
        self.made_on = made_on
        self.this_graph = this_graph
        super().__init__(
            f"points were snapped on road graph {made_on or '(unknown)'}, not on this one ({this_graph}); "
            "snap them again (RoadGraph.snap or RoadGraph.restore_snap)"
        )
