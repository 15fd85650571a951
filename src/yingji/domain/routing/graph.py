"""`RoadGraph`: a directed drivable road network in CSR form answering travel-time queries in seconds."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.sparse import csgraph

from . import storage
from ._csr import arc_position, dedupe_arcs, large_component_mask, to_csr, walk_predecessors
from ._geo import as_points
from .errors import RoadDataError, StaleSnap, Unreachable
from .provider import EstimateProvider
from .results import LonLat, Route, TravelTimes
from .snapping import Snap, Snapper
from .speeds import SpeedTable

__all__ = ["RoadGraph"]

Points = Sequence[LonLat] | ArrayLike
PointsOrSnap = Points | Snap

# Above this many float64 cells a many-to-many query runs in row chunks so memory stays bounded (~64 MB).
_MATRIX_CHUNK_CELLS = 8_000_000


class RoadGraph:
    """Directed road graph: arcs in CSR arrays (seconds and metres per arc) plus node coordinates.

    Points are (lon, lat) degrees. Each query point is snapped to the nearest node of a well-connected part
    of the network; the off-road leg to that node is driven at `access_speed_kmh`. A point farther than
    `max_snap_m` metres from any road is not silently snapped: its times come from `fallback` (a
    straight-line `EstimateProvider`) and are flagged in `TravelTimes.estimated` / `Route.estimated`.
    """

    is_estimate = False

    def __init__(
        self,
        indptr: ArrayLike,
        indices: ArrayLike,
        time_s: ArrayLike,
        length_m: ArrayLike,
        lon: ArrayLike,
        lat: ArrayLike,
        *,
        node_id: ArrayLike | None = None,
        snappable: ArrayLike | None = None,
        meta: Mapping[str, Any] | None = None,
        max_snap_m: float = 1000.0,
        access_speed_kmh: float = 20.0,
        fallback: EstimateProvider | None = None,
    ) -> None:
        self._indptr = np.ascontiguousarray(indptr, dtype=np.int32)
        self._indices = np.ascontiguousarray(indices, dtype=np.int32)
        self._time = np.ascontiguousarray(time_s, dtype=np.float64)
        self._length = np.ascontiguousarray(length_m, dtype=np.float32)
        self.lon = np.ascontiguousarray(lon, dtype=np.float64)
        self.lat = np.ascontiguousarray(lat, dtype=np.float64)
        n = self.lon.size
        self.node_id = np.zeros(n, np.int64) if node_id is None else np.asarray(node_id, dtype=np.int64)
        self._check_shapes(n)
        if np.any(self._time <= 0) or not np.all(np.isfinite(self._time)):
            raise RoadDataError("arc times must be positive and finite (seconds)")
        self._forward = to_csr(self._indptr, self._indices, self._time)
        # The transpose answers "who reaches this point fastest" with one Dijkstra; built once, kept.
        self._backward = self._forward.transpose().tocsr()
        self._backward.sort_indices()
        mask = large_component_mask(self._forward) if snappable is None else np.asarray(snappable, dtype=bool)
        if mask.shape != (n,):
            raise RoadDataError("snappable mask must have one entry per node")
        self.snappable = mask
        self.meta: dict[str, Any] = dict(meta or {})
        if access_speed_kmh <= 0:
            raise ValueError("access_speed_kmh must be positive")
        self.access_speed_kmh = float(access_speed_kmh)
        self.fallback = fallback if fallback is not None else EstimateProvider()
        self._snapper = Snapper(self.lon, self.lat, self.snappable, max_snap_m)

    def _check_shapes(self, n: int) -> None:
        e = self._indices.size
        if self._indptr.shape != (n + 1,) or self._indptr[0] != 0 or self._indptr[-1] != e:
            raise RoadDataError("indptr must have node_count + 1 entries running from 0 to edge_count")
        if self._time.shape != (e,) or self._length.shape != (e,) or self.lat.shape != (n,):
            raise RoadDataError("arc and node arrays have inconsistent lengths")
        if self.node_id.shape != (n,):
            raise RoadDataError("node_id must have one entry per node")
        if e and (self._indices.min() < 0 or self._indices.max() >= n):
            raise RoadDataError("arc head index out of range")

    # ----------------------------------------------------------------- construction and storage

    @classmethod
    def from_arcs(
        cls,
        tails: ArrayLike,
        heads: ArrayLike,
        time_s: ArrayLike,
        length_m: ArrayLike,
        lon: ArrayLike,
        lat: ArrayLike,
        **options: Any,
    ) -> RoadGraph:
        """Build from arc lists (node indices into `lon`/`lat`); parallel arcs keep the fastest."""
        t, h, s, m = dedupe_arcs(
            np.asarray(tails, np.int64),
            np.asarray(heads, np.int64),
            np.asarray(time_s, np.float64),
            np.asarray(length_m, np.float64),
        )
        n = np.asarray(lon).size
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(t, minlength=n), out=indptr[1:])
        return cls(indptr, h, s, m, lon, lat, **options)

    @classmethod
    def from_pbf(
        cls,
        path: str | os.PathLike[str],
        speeds: SpeedTable | None = None,
        progress: bool = False,
        **options: Any,
    ) -> RoadGraph:
        """Read drivable ways from an OSM PBF file (see `yingji.domain.routing.osm.read_pbf`)."""
        from .osm import read_pbf  # osmium is only needed for imports, not for serving queries

        table = speeds or SpeedTable()
        arcs = read_pbf(path, speeds=table, progress=progress)
        meta = {"source": os.path.basename(os.fspath(path)), "speeds_kmh": dict(table.class_kmh)}
        meta.update(options.pop("meta", {}))
        return cls.from_arcs(
            arcs.tails, arcs.heads, arcs.time_s, arcs.length_m, arcs.lon, arcs.lat,
            node_id=arcs.node_id, meta=meta, **options,
        )  # fmt: skip

    def save(self, path: str | os.PathLike[str], compress: bool = False) -> None:
        """Write the graph to an `.npz` file (format described in docs/routing.md).

        Uncompressed by default: a 500k-node graph then loads in ~0.07 s instead of ~0.5 s, for a file
        about 1.5 times larger. `load` reads either.
        """
        storage.write(
            path,
            {
                "indptr": self._indptr,
                "indices": self._indices,
                "time_s": self._time,
                "length_m": self._length,
                "lon": self.lon,
                "lat": self.lat,
                "node_id": self.node_id,
                "snappable": self.snappable,
            },
            self.meta,
            compress=compress,
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str], **options: Any) -> RoadGraph:
        """Read a graph written by `save`; `options` are the constructor's keyword options."""
        arrays, meta = storage.read(path)
        return cls(**arrays, meta=meta, **options)

    # ----------------------------------------------------------------- size and raw data

    @property
    def node_count(self) -> int:
        """Number of road nodes."""
        return int(self.lon.size)

    @property
    def edge_count(self) -> int:
        """Number of directed arcs (a two-way street segment counts twice)."""
        return int(self._indices.size)

    @property
    def max_snap_m(self) -> float:
        """Snapping radius in metres: points farther than this from every road get estimates."""
        return self._snapper.max_snap_m

    def arcs(self) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.float64], NDArray[np.float32]]:
        """All arcs as (tails, heads, seconds, metres) arrays; tails are sorted."""
        tails = np.repeat(np.arange(self.node_count, dtype=np.int64), np.diff(self._indptr))
        return tails, self._indices, self._time, self._length

    def csr(self, reverse: bool = False) -> Any:
        """The cached scipy CSR matrix of arc seconds (`reverse=True`: the transposed graph)."""
        return self._backward if reverse else self._forward

    def snap(self, points: Points) -> Snap:
        """Nearest snappable node for each (lon, lat) point, with distances in metres.

        Keep the result (or its `node` and `distance_m` columns with `fingerprint`) for positions that do
        not move, and pass it to the query methods in place of the points: they then skip snapping."""
        return self._snapper.query(as_points(points))

    @property
    def fingerprint(self) -> str:
        """Identifies what snapping depends on (node coordinates and order, snappable nodes, radius).

        A stored snap stays valid while the fingerprint is unchanged; a rebuilt or re-imported graph with
        different nodes gets a new one. Arc speeds do not enter it: new speeds keep stored snaps valid."""
        return self._snapper.fingerprint

    def restore_snap(
        self,
        points: Points,
        node: ArrayLike,
        distance_m: ArrayLike,
        fingerprint: str | Sequence[str | None] | None,
    ) -> tuple[Snap, NDArray[np.bool_]]:
        """A `Snap` from stored columns, without a nearest-node search for rows that are still valid.

        `node` and `distance_m` are what an earlier `snap` returned for each point (`node` -1 or None when
        off the network or never snapped) and `fingerprint` the graph's `fingerprint` then (one for all
        rows, or one per row). Rows stored against another graph, never snapped, or inconsistent with
        this graph are snapped again. Returns the snap and a boolean mask of the re-snapped rows, whose
        new `node` / `distance_m` the caller should store with the current `fingerprint`.
        """
        return self._snapper.restore(as_points(points), node, distance_m, fingerprint)

    def _snapped(self, points: PointsOrSnap) -> tuple[NDArray[np.float64], Snap]:
        if isinstance(points, Snap):
            if points.graph != self.fingerprint or points.points is None:
                raise StaleSnap(points.graph, self.fingerprint)
            return points.points, points
        pts = as_points(points)
        return pts, self._snapper.query(pts)

    # ----------------------------------------------------------------- queries

    def travel_times(
        self, origin: LonLat | Snap, targets: PointsOrSnap, limit_s: float | None = None
    ) -> TravelTimes:
        """Seconds from `origin` to each target; `inf` where unreachable or above `limit_s` seconds.

        Any point argument of the query methods may be a `Snap` from `snap` / `restore_snap` instead."""
        return self._one_to_many(origin, targets, limit_s, reverse=False)

    def travel_times_to(
        self, target: LonLat | Snap, origins: PointsOrSnap, limit_s: float | None = None
    ) -> TravelTimes:
        """Seconds from each origin to `target` (one Dijkstra on the transposed graph)."""
        return self._one_to_many(target, origins, limit_s, reverse=True)

    def matrix(
        self, origins: PointsOrSnap, targets: PointsOrSnap, limit_s: float | None = None
    ) -> TravelTimes:
        """Seconds from every origin (rows) to every target (columns).

        Runs one Dijkstra per distinct snapped origin, or per distinct target on the transposed graph when
        there are fewer targets, in chunks that keep memory bounded.
        """
        (o_pts, o), (t_pts, t) = self._snapped(origins), self._snapped(targets)
        out = np.full((o_pts.shape[0], t_pts.shape[0]), np.inf)
        o_ok, t_ok = np.flatnonzero(o.on_network), np.flatnonzero(t.on_network)
        if o_ok.size and t_ok.size:
            o_nodes, o_inv = np.unique(o.node[o_ok], return_inverse=True)
            t_nodes, t_inv = np.unique(t.node[t_ok], return_inverse=True)
            if t_nodes.size < o_nodes.size:
                block = self._node_matrix(t_nodes, o_nodes, limit_s, reverse=True).T
            else:
                block = self._node_matrix(o_nodes, t_nodes, limit_s, reverse=False)
            network = block[np.ix_(o_inv, t_inv)]
            network += self._access_s(o)[o_ok][:, None] + self._access_s(t)[t_ok][None, :]
            out[np.ix_(o_ok, t_ok)] = network
        estimated = ~o.on_network[:, None] | ~t.on_network[None, :]
        if estimated.any():
            rows, cols = np.nonzero(estimated)
            out[rows, cols] = self.fallback.seconds(o_pts[rows], t_pts[cols])
        return _apply_limit(out, estimated, limit_s)

    def route(self, origin: LonLat, target: LonLat) -> Route:
        """Fastest route from `origin` to `target`: seconds, metres and a (lon, lat) polyline.

        Raises `Unreachable` when no drivable path exists (e.g. a one-way stub or a disconnected island).
        When either end is farther than `max_snap_m` from a road, returns the fallback straight-line
        estimate with `estimated=True` instead of a wrong road route.
        """
        pts = as_points([origin, target])
        snap = self.snap(pts)
        if not snap.on_network.all():
            return self.fallback.route(origin, target)
        src, dst = int(snap.node[0]), int(snap.node[1])
        dist, pred = csgraph.dijkstra(self._forward, directed=True, indices=[src], return_predecessors=True)
        path = walk_predecessors(pred[0], src, dst)
        if not path:
            raise Unreachable(_as_lonlat(origin), _as_lonlat(target))
        access = self._access_s(snap)
        metres = float(snap.distance_m.sum())
        for a, b in zip(path[:-1], path[1:], strict=True):
            metres += float(self._length[arc_position(self._indptr, self._indices, a, b)])
        polyline = [_as_lonlat(origin)]
        polyline += [(float(self.lon[i]), float(self.lat[i])) for i in path]
        polyline.append(_as_lonlat(target))
        return Route(seconds=float(dist[0, dst] + access.sum()), metres=metres, polyline=polyline)

    # ----------------------------------------------------------------- internals

    def _access_s(self, snap: Snap) -> NDArray[np.float64]:
        return np.where(snap.on_network, snap.distance_m, 0.0) / (self.access_speed_kmh / 3.6)

    def _one_to_many(
        self, source: LonLat | Snap, others: PointsOrSnap, limit_s: float | None, reverse: bool
    ) -> TravelTimes:
        (src_pt, src), (pts, dst) = self._snapped(source), self._snapped(others)
        if src_pt.shape[0] != 1:
            raise ValueError("expected a single (lon, lat) point")
        if not src.on_network[0]:
            out = self.fallback.seconds(src_pt[0], pts)
            return _apply_limit(out, np.ones(out.shape, bool), limit_s)
        src_access = float(self._access_s(src)[0])
        limit = np.inf if limit_s is None else max(limit_s - src_access, 0.0)
        graph = self._backward if reverse else self._forward
        dist = csgraph.dijkstra(graph, directed=True, indices=[int(src.node[0])], limit=limit)[0]
        off = ~dst.on_network
        if not off.any():  # the usual case, kept lean: this path is what one-to-many calls cost
            out = dist[dst.node]
            out += dst.distance_m * (3.6 / self.access_speed_kmh)
            out += src_access
            return _apply_limit(out, off, limit_s)
        out = dist[dst.node] + (src_access + self._access_s(dst))
        out[off] = self.fallback.seconds(src_pt[0], pts[off])
        return _apply_limit(out, off, limit_s)

    def _node_matrix(
        self, sources: NDArray[np.int64], sinks: NDArray[np.int64], limit_s: float | None, reverse: bool
    ) -> NDArray[np.float64]:
        graph = self._backward if reverse else self._forward
        limit = np.inf if limit_s is None else limit_s
        rows = max(1, _MATRIX_CHUNK_CELLS // max(self.node_count, 1))
        out = np.empty((sources.size, sinks.size))
        for start in range(0, sources.size, rows):
            chunk = sources[start : start + rows]
            out[start : start + chunk.size] = csgraph.dijkstra(
                graph, directed=True, indices=chunk, limit=limit
            )[:, sinks]
        return out


def _apply_limit(
    seconds: NDArray[np.float64], estimated: NDArray[np.bool_], limit_s: float | None
) -> TravelTimes:
    if limit_s is not None:
        seconds[seconds > limit_s] = np.inf
    return TravelTimes(seconds, estimated)


def _as_lonlat(point: LonLat | Sequence[float]) -> LonLat:
    return (float(point[0]), float(point[1]))
