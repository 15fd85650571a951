"""Pre-snapped points: registry resources are snapped once and stored, queries then skip snapping."""

from __future__ import annotations

import numpy as np
import pytest
from test_routing_graph import LAT, LON, P, line_graph

from yingji.domain.routing import EstimateProvider, RoadGraph, Snap, StaleSnap

FAR = (0.0, 0.05)  # about 5.5 km from every road of the line graph


def test_a_snap_answers_exactly_like_the_points_it_came_from() -> None:
    g = line_graph(max_snap_m=500.0)
    targets = [P[1], P[3], FAR, P[4]]
    snap = g.snap(targets)
    for limit in (None, 45.0):
        for ours, plain in (
            (g.travel_times(P[0], snap, limit), g.travel_times(P[0], targets, limit)),
            (g.travel_times_to(P[3], snap, limit), g.travel_times_to(P[3], targets, limit)),
            (g.matrix(snap, snap, limit), g.matrix(targets, targets, limit)),
            (g.travel_times(g.snap([P[0]]), snap, limit), g.travel_times(P[0], targets, limit)),
        ):
            np.testing.assert_array_equal(ours, plain)
            np.testing.assert_array_equal(ours.estimated, plain.estimated)


def test_stored_nodes_are_used_as_stored_without_snapping_again() -> None:
    g = line_graph()
    # Stored earlier: the point on node 1 was joined to node 2, 111 m away (say node 1 was closed then).
    # A fresh snap would pick node 1; the stored node must be what the query uses.
    snap, refreshed = g.restore_snap([P[1]], node=[2], distance_m=[111.19], fingerprint=g.fingerprint)
    assert not refreshed.any()
    assert snap.node.tolist() == [2]
    access = 111.19 / (20.0 / 3.6)
    assert g.travel_times(P[0], snap)[0] == pytest.approx(30.0 + access, rel=1e-4)
    assert g.travel_times(P[0], [P[1]])[0] == 10.0


def test_rows_stored_against_another_graph_or_never_snapped_are_snapped_again() -> None:
    g = line_graph(max_snap_m=500.0)
    points = [P[1], P[3], FAR, P[2], P[0]]
    stored_on = [g.fingerprint, "an-older-graph", g.fingerprint, None, g.fingerprint]
    snap, refreshed = g.restore_snap(
        points, node=[1, 0, -1, None, 5], distance_m=[0.0, 0.0, 5559.7, None, 0.0], fingerprint=stored_on
    )
    # Row 4 claims node 5 at 0 m although node 5 is 5 km away (the place moved, say): redone too.
    assert refreshed.tolist() == [False, True, False, True, True]
    fresh = g.snap(points)
    np.testing.assert_array_equal(snap.node, fresh.node)
    np.testing.assert_allclose(snap.distance_m[refreshed], fresh.distance_m[refreshed])
    assert snap.graph == g.fingerprint


def test_fingerprint_follows_the_nodes_not_the_speeds() -> None:
    g = line_graph()
    assert g.fingerprint == line_graph().fingerprint
    tails, heads, seconds, metres = g.arcs()
    slower = RoadGraph.from_arcs(tails, heads, seconds * 2, metres, LON, LAT, snappable=[True] * 6)
    assert slower.fingerprint == g.fingerprint  # new speeds: stored snaps stay valid
    moved = RoadGraph.from_arcs(tails, heads, seconds, metres, LON, [0.0001] + LAT[1:], snappable=[True] * 6)
    assert moved.fingerprint != g.fingerprint
    assert line_graph(max_snap_m=250.0).fingerprint != g.fingerprint


def test_a_snap_from_another_graph_is_refused() -> None:
    g = line_graph()
    tails, heads, seconds, metres = g.arcs()
    other = RoadGraph.from_arcs(tails, heads, seconds, metres, LON, [0.0001] + LAT[1:], snappable=[True] * 6)
    with pytest.raises(StaleSnap):
        g.travel_times(P[0], other.snap([P[1]]))
    with pytest.raises(StaleSnap):
        g.matrix(Snap(np.array([1]), np.array([0.0]), np.array([True])), [P[1]])


def test_take_selects_rows_and_estimates_accept_a_snap() -> None:
    g = line_graph(max_snap_m=500.0)
    snap = g.snap([P[1], FAR, P[3]])
    part = snap.take([2, 0])
    assert len(part) == 2
    np.testing.assert_array_equal(g.travel_times(P[0], part), g.travel_times(P[0], [P[3], P[1]]))
    est = EstimateProvider()
    np.testing.assert_array_equal(est.travel_times(P[0], snap), est.travel_times(P[0], [P[1], FAR, P[3]]))
