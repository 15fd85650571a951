"""Entry points behind `yingji roads import FILE.osm.pbf` and the demo road network used by `yingji demo`."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from yingji.domain.routing import RoadGraph
from yingji.domain.routing.demo import demo_city_graph

__all__ = ["import_roads", "generate_demo_roads"]


def import_roads(path: str, out: str, progress: bool = True) -> dict[str, Any]:
    """Read drivable roads from the OSM PBF file `path` and write the road graph to `out` (.npz).

    Progress goes to stderr. Returns a summary: node and edge counts, snappable nodes, seconds taken,
    output path and size in bytes.
    """
    started = time.perf_counter()
    graph = RoadGraph.from_pbf(path, progress=progress)
    return _save(graph, out, started, progress)


def generate_demo_roads(out: str, seed: int = 42) -> dict[str, Any]:
    """Generate the synthetic demo city's roads (deterministic for `seed`) and write them to `out` (.npz)."""
    started = time.perf_counter()
    return _save(demo_city_graph(seed=seed), out, started, progress=False)


def _save(graph: RoadGraph, out: str, started: float, progress: bool) -> dict[str, Any]:
    directory = os.path.dirname(os.path.abspath(out))
    os.makedirs(directory, exist_ok=True)
    graph.save(out)
    summary = {
        "nodes": graph.node_count,
        "edges": graph.edge_count,
        "snappable_nodes": int(graph.snappable.sum()),
        "seconds": round(time.perf_counter() - started, 3),
        "out": os.path.abspath(out),
        "bytes": os.path.getsize(out),
    }
    if progress:
        print(f"roads: wrote {summary['nodes']:,} nodes, {summary['edges']:,} arcs to {out}", file=sys.stderr)
    return summary
