"""Result types shared by all travel-time providers: `TravelTimes` arrays and `Route`s."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["LonLat", "TravelTimes", "Route"]

LonLat = tuple[float, float]
"""A point as (longitude, latitude) in degrees (WGS84) — note the order: x before y, like GeoJSON."""


class TravelTimes(np.ndarray):
    """Travel times in seconds (float64, `inf` when unreachable or beyond the limit).

    It is a plain numpy array with one extra attribute: `estimated`, a boolean array of the same shape that
    is True where the value is a straight-line estimate instead of a road-network time (because an end point
    lies farther than the snapping radius from any road, or no road graph is loaded). Indexing keeps the
    mask aligned; arithmetic keeps the mask of the left operand. `np.asarray(tt)` drops it.
    """

    estimated: NDArray[np.bool_]

    def __new__(cls, seconds: ArrayLike, estimated: ArrayLike | None = None) -> TravelTimes:
        obj = np.asarray(seconds, dtype=np.float64).view(cls)
        if estimated is None:
            obj.estimated = np.zeros(obj.shape, dtype=bool)
        else:
            obj.estimated = np.broadcast_to(np.asarray(estimated, dtype=bool), obj.shape).copy()
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        mask = getattr(obj, "estimated", None)
        if mask is None:
            self.estimated = np.zeros(self.shape, dtype=bool)
        elif mask.shape == self.shape:
            self.estimated = mask
        elif mask.size == self.size:
            self.estimated = mask.reshape(self.shape)
        else:
            # A reduction or an unknown view: say "estimated" if any input was, never hide it.
            self.estimated = np.full(self.shape, bool(mask.any()))

    def __getitem__(self, key: Any) -> Any:
        out = super().__getitem__(key)
        if isinstance(out, TravelTimes):
            out.estimated = np.asarray(self.estimated[key], dtype=bool).reshape(out.shape)
        return out

    @property
    def any_estimated(self) -> bool:
        """True when at least one value is a straight-line estimate."""
        return bool(self.estimated.any())


@dataclass(frozen=True)
class Route:
    """A fastest route: `seconds`, `metres`, and a `polyline` of (lon, lat) points from origin to target.

    The polyline starts at the origin and ends at the target as given (the off-road access legs to and from
    the nearest road node included). `estimated` is True when no road route was used (an end lies off the
    network, or the provider has no graph): the polyline is then just [origin, target].
    Unpacks as `seconds, metres, polyline = route`.
    """

    seconds: float
    metres: float
    polyline: Sequence[LonLat]
    estimated: bool = False

    def __iter__(self) -> Iterator[Any]:
        return iter((self.seconds, self.metres, self.polyline))
