"""Collects ways (node ids, coordinates, speed, direction) and turns them into arc arrays."""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._geo import haversine_m
from .tags import Direction

__all__ = ["ArcArrays", "WayCollector"]

# A zero-second arc (two OSM nodes at one spot) is legal but makes ties arbitrary; a millisecond floor
# keeps every arc strictly positive so shortest paths never wander through duplicate nodes.
MIN_ARC_S = 1e-3


@dataclass(frozen=True)
class ArcArrays:
    """Directed arcs between compact node indices, with node coordinates (degrees) and OSM ids."""

    tails: NDArray[np.int64]
    heads: NDArray[np.int64]
    time_s: NDArray[np.float64]
    length_m: NDArray[np.float64]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    node_id: NDArray[np.int64]


class WayCollector:
    """Accumulates ways one by one (cheap appends) and builds all arcs at once with numpy."""

    def __init__(self) -> None:
        self._ids = array("q")
        self._lon = array("d")
        self._lat = array("d")
        self._way_start = array("q", [0])
        self._speed_mps = array("d")
        self._direction = array("b")  # 0 both, 1 forward, -1 backward

    @property
    def way_count(self) -> int:
        """Number of ways added so far."""
        return len(self._speed_mps)

    def add(
        self,
        node_ids: list[int],
        lons: list[float],
        lats: list[float],
        speed_kmh: float,
        direction: Direction,
    ) -> None:
        """Add one way; `lons`/`lats` may hold NaN for nodes whose location is unknown (cut at extract edges)."""
        if len(node_ids) < 2:
            return
        self._ids.extend(node_ids)
        self._lon.extend(lons)
        self._lat.extend(lats)
        self._way_start.append(len(self._ids))
        self._speed_mps.append(speed_kmh / 3.6)
        self._direction.append({Direction.BOTH: 0, Direction.FORWARD: 1, Direction.BACKWARD: -1}[direction])

    def build(self) -> ArcArrays:
        """Return arcs for every consecutive pair of known nodes along each way, in permitted directions."""
        ids = np.frombuffer(self._ids, dtype=np.int64)
        lon = np.frombuffer(self._lon, dtype=np.float64)
        lat = np.frombuffer(self._lat, dtype=np.float64)
        starts = np.frombuffer(self._way_start, dtype=np.int64)
        speed = np.frombuffer(self._speed_mps, dtype=np.float64)
        direction = np.frombuffer(self._direction, dtype=np.int8)
        if ids.size == 0:
            empty_i, empty_f = np.zeros(0, np.int64), np.zeros(0, np.float64)
            return ArcArrays(empty_i, empty_i, empty_f, empty_f, empty_f, empty_f, empty_i)

        # Segment k joins flat positions k and k+1; it is real only when both lie in the same way.
        way_of = np.repeat(np.arange(speed.size), np.diff(starts))
        seg = np.flatnonzero((way_of[:-1] == way_of[1:]) & np.isfinite(lon[:-1]) & np.isfinite(lon[1:]))
        a, b = seg, seg + 1
        keep = ids[a] != ids[b]
        a, b = a[keep], b[keep]
        seg_way = way_of[a]
        length = haversine_m(lon[a], lat[a], lon[b], lat[b])
        time = np.maximum(length / speed[seg_way], MIN_ARC_S)

        node_id, first = np.unique(ids, return_index=True)
        used = np.zeros(node_id.size, dtype=bool)
        ia, ib = np.searchsorted(node_id, ids[a]), np.searchsorted(node_id, ids[b])
        used[ia] = used[ib] = True
        # Renumber so only nodes touched by an arc remain.
        new_index = np.cumsum(used) - 1
        ia, ib = new_index[ia], new_index[ib]
        d = direction[seg_way]
        fwd, bwd = d >= 0, d <= 0
        tails = np.concatenate((ia[fwd], ib[bwd]))
        heads = np.concatenate((ib[fwd], ia[bwd]))
        return ArcArrays(
            tails=tails,
            heads=heads,
            time_s=np.concatenate((time[fwd], time[bwd])),
            length_m=np.concatenate((length[fwd], length[bwd])),
            lon=lon[first][used].copy(),
            lat=lat[first][used].copy(),
            node_id=node_id[used],
        )
