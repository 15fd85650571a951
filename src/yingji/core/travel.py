"""The travel-time provider the platform uses: the road graph under var/ (`yingji roads import`, or the demo's
roads), loaded once per process and reloaded when the file changes; the labelled straight-line estimate
when there is none. Every module asks here, so an OSRM/Valhalla provider would be one change."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from django.conf import settings

from yingji.domain.routing import EstimateProvider, RoadGraph

__all__ = ["provider", "graph_path", "snap_places"]

_lock = threading.Lock()
_loaded: dict = {}


def graph_path() -> Path:
    return Path(settings.VAR_DIR) / "roads.npz"


def provider():
    path = graph_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return EstimateProvider()
    with _lock:
        if _loaded.get("stamp") != (str(path), stamp):
            _loaded["graph"] = RoadGraph.load(path)
            _loaded["stamp"] = (str(path), stamp)
        return _loaded["graph"]


def snap_places(objs, graph=None):
    """A Snap of Place objects for `graph` (default: the current provider), reusing each row's stored road
    node and re-snapping only rows never snapped, snapped on another graph, or moved since; those rows are
    written back (derived columns, not audited). Returns the points themselves for the estimate provider."""
    graph = graph or provider()
    points = [(o.lng, o.lat) for o in objs]
    if not isinstance(graph, RoadGraph) or not objs:
        return points
    node = np.asarray([-1 if o.road_node is None else o.road_node for o in objs], dtype=np.int64)
    dist = np.asarray([np.nan if o.road_snap_m is None else o.road_snap_m for o in objs], dtype=np.float64)
    stamps = [o.road_graph or None for o in objs]
    snap, redone = graph.restore_snap(points, node=node, distance_m=dist, fingerprint=stamps)
    by_model: dict[type, list] = {}
    for i in np.flatnonzero(redone).tolist():
        o = objs[i]
        o.road_node, o.road_snap_m, o.road_graph = int(snap.node[i]), float(snap.distance_m[i]), graph.fingerprint
        by_model.setdefault(type(o), []).append(o)
    for model, rows in by_model.items():
        model._default_manager.bulk_update(rows, ["road_node", "road_snap_m", "road_graph"], batch_size=500)
    return snap
