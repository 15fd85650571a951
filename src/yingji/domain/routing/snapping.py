"""Snapping (lon, lat) points to the nearest well-connected road node with a KD-tree."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from ._geo import chord_to_arc_m, haversine_m, to_xyz

__all__ = ["Snap", "Snapper"]

# A stored snap whose distance no longer matches its point and node by this much is redone.
_STORED_DISTANCE_TOLERANCE_M = 1.0


@dataclass(frozen=True)
class Snap:
    """Where each query point joins the network.

    `node` is the nearest snappable node index (-1 when none lies within the radius), `distance_m` the
    great-circle metres to the nearest snappable node (even beyond the radius, for error messages), and
    `on_network` is True when that distance is within the radius. `points` are the (lon, lat) points
    snapped (kept for the straight-line estimates of points off the network), and `graph` the
    `RoadGraph.fingerprint` of the graph they were snapped on.

    A `Snap` can be passed to `RoadGraph.travel_times` / `travel_times_to` / `matrix` in place of the
    points, so positions that do not move (registry resources) are snapped once, not on every query.
    """

    node: NDArray[np.int64]
    distance_m: NDArray[np.float64]
    on_network: NDArray[np.bool_]
    points: NDArray[np.float64] | None = None
    graph: str = ""

    def __len__(self) -> int:
        return int(self.node.size)

    def take(self, indices: ArrayLike) -> Snap:
        """The rows `indices` (an index array or boolean mask), e.g. the resources still in play."""
        idx = np.asarray(indices)
        points = None if self.points is None else self.points[idx]
        return Snap(self.node[idx], self.distance_m[idx], self.on_network[idx], points, self.graph)


class Snapper:
    """Nearest-node lookup over the nodes flagged snappable; the tree is built on first use, not at load.

    Results for a point array seen recently are reused: a dispatch service asks about the same fleet
    positions again and again, and snapping 1,000 points costs about as much as a short Dijkstra.
    """

    def __init__(
        self,
        lon: NDArray[np.float64],
        lat: NDArray[np.float64],
        snappable: NDArray[np.bool_],
        max_snap_m: float,
        cache_size: int = 64,
    ) -> None:
        if max_snap_m <= 0:
            raise ValueError("max_snap_m must be positive (metres)")
        self.max_snap_m = float(max_snap_m)
        self._lon, self._lat = lon, lat
        self._candidates = np.flatnonzero(snappable)
        self._tree: cKDTree | None = None
        self._cache: OrderedDict[bytes, Snap] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @cached_property
    def fingerprint(self) -> str:
        """Hex digest of everything a snap depends on: node coordinates and order, which nodes are
        snappable, and the radius. A stored snap is valid exactly while this is unchanged."""
        h = hashlib.blake2b(digest_size=16)
        for arr in (self._lon, self._lat, self._candidates):
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(repr(self.max_snap_m).encode())
        return h.hexdigest()

    def _get_tree(self) -> cKDTree:
        # Building takes ~0.2 s for 500k nodes; doing it lazily keeps server start-up fast.
        with self._lock:
            if self._tree is None:
                c = self._candidates
                self._tree = cKDTree(to_xyz(self._lon[c], self._lat[c]))
            return self._tree

    def query(self, points: NDArray[np.float64]) -> Snap:
        """Snap an (n, 2) array of (lon, lat) degrees."""
        key = points.tobytes()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
        snap = self._query(points)
        with self._lock:
            self._cache[key] = snap
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return snap

    def _query(self, points: NDArray[np.float64]) -> Snap:
        n = points.shape[0]
        points = np.array(points, dtype=np.float64)  # a private copy: cached and shared between callers
        if n == 0 or self._candidates.size == 0:
            return self._frozen(np.full(n, -1, np.int64), np.full(n, np.inf), np.zeros(n, bool), points)
        tree = self._get_tree()
        xyz = to_xyz(points[:, 0], points[:, 1])
        # The chord is a hair shorter than the arc, so bounding the search by the radius loses nothing.
        chord, pos = tree.query(xyz, k=1, distance_upper_bound=self.max_snap_m)
        found = pos < self._candidates.size
        if not found.all():
            # Points off the network: find the real distance anyway, for flags and error messages.
            chord[~found], _ = tree.query(xyz[~found], k=1)
        distance = chord_to_arc_m(chord)
        on_network = found & (distance <= self.max_snap_m)
        node = np.where(on_network, self._candidates[np.where(found, pos, 0)], -1)
        return self._frozen(node, distance, on_network, points)

    def _frozen(self, node, distance, on_network, points) -> Snap:
        for arr in (node, distance, on_network, points):
            arr.flags.writeable = False  # cached and shared between callers
        return Snap(node, distance, on_network, points, self.fingerprint)

    def restore(
        self, points: NDArray[np.float64], node: ArrayLike, distance_m: ArrayLike, fingerprint: object
    ) -> tuple[Snap, NDArray[np.bool_]]:
        """Rebuild a snap from stored (node, distance) columns; rows that cannot be trusted are snapped
        again. Returns the snap and the mask of re-snapped rows (to be written back by the caller)."""
        n = points.shape[0]
        node = np.array(node, dtype=np.float64).reshape(-1)  # None → nan
        distance = np.array(distance_m, dtype=np.float64).reshape(-1)
        if node.shape != (n,) or distance.shape != (n,):
            raise ValueError("need one stored node and one stored distance per point")
        if isinstance(fingerprint, str) or fingerprint is None:
            current = np.full(n, fingerprint == self.fingerprint)
        else:
            current = np.array([f == self.fingerprint for f in fingerprint], dtype=bool)
            if current.shape != (n,):
                raise ValueError("need one stored fingerprint per point (or one for all)")
        on = current & (node >= 0) & (node < self._lon.size)
        safe = np.where(on, node, 0).astype(np.int64)
        # A stored node must be a snappable node at the stored distance from its point (a point that moved
        # since is snapped again); off-network rows keep -1 with a distance beyond the radius.
        actual = haversine_m(points[:, 0], points[:, 1], self._lon[safe], self._lat[safe])
        valid_on = on & self._is_candidate(safe) & (distance <= self.max_snap_m)
        valid_on &= np.abs(actual - distance) <= _STORED_DISTANCE_TOLERANCE_M
        valid_off = current & (node == -1) & (distance > self.max_snap_m)
        stale = ~(valid_on | valid_off)
        result_node = np.where(valid_on, safe, -1)
        if stale.any():
            fresh = self._query(points[stale])
            result_node[stale] = fresh.node
            distance[stale] = fresh.distance_m
        return self._frozen(result_node, distance, result_node >= 0, np.array(points)), stale

    def _is_candidate(self, nodes: NDArray[np.int64]) -> NDArray[np.bool_]:
        if self._candidates.size == 0:
            return np.zeros(nodes.shape, dtype=bool)
        pos = np.minimum(np.searchsorted(self._candidates, nodes), self._candidates.size - 1)
        return self._candidates[pos] == nodes
