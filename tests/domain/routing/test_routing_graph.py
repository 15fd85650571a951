"""RoadGraph behaviour on small hand-made networks where every right answer can be worked out by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from yingji.domain.routing import (
    EstimateProvider,
    RoadDataError,
    RoadGraph,
    TravelTimeProvider,
    TravelTimes,
    Unreachable,
)

# Four nodes on a west–east line about 111 m apart at the equator, plus an island far to the north-east.
#   0 <-> 1 -> 2 <-> 3        4 <-> 5 (island, 2 nodes)
LON = [0.000, 0.001, 0.002, 0.003, 0.050, 0.051]
LAT = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
P = [(lon, lat) for lon, lat in zip(LON, LAT, strict=True)]


def line_graph(**options: object) -> RoadGraph:
    tails = [0, 1, 1, 2, 3, 4, 5]
    heads = [1, 0, 2, 3, 2, 5, 4]
    seconds = [10.0, 10.0, 20.0, 30.0, 30.0, 5.0, 5.0]
    return RoadGraph.from_arcs(tails, heads, seconds, [100.0] * 7, LON, LAT, snappable=[True] * 6, **options)


def test_one_way_street_is_respected() -> None:
    g = line_graph()
    assert list(g.travel_times(P[0], [P[0], P[1], P[2], P[3]])) == [0.0, 10.0, 30.0, 60.0]
    back = g.travel_times(P[3], [P[2], P[1], P[0]])
    assert back[0] == 30.0
    assert np.isinf(back[1]) and np.isinf(back[2])


def test_travel_times_to_uses_the_reverse_direction() -> None:
    g = line_graph()
    to_3 = g.travel_times_to(P[3], [P[0], P[1], P[2], P[4]])
    assert list(to_3[:3]) == [60.0, 50.0, 30.0]
    assert np.isinf(to_3[3])
    to_0 = g.travel_times_to(P[0], [P[1], P[3]])
    assert to_0[0] == 10.0 and np.isinf(to_0[1])


def test_limit_turns_longer_trips_into_inf() -> None:
    g = line_graph()
    tt = g.travel_times(P[0], [P[1], P[2], P[3]], limit_s=30.0)
    assert tt[0] == 10.0 and tt[1] == 30.0 and np.isinf(tt[2])


def test_matrix_matches_one_to_many_in_both_orientations() -> None:
    g = line_graph()
    origins, targets = P[:4], [P[3], P[0]]
    m = g.matrix(origins, targets)
    assert m.shape == (4, 2)
    for i, o in enumerate(origins):
        np.testing.assert_array_equal(m[i], g.travel_times(o, targets))
    wide = g.matrix(targets, origins)  # fewer origins than targets: the forward direction
    for i, o in enumerate(targets):
        np.testing.assert_array_equal(wide[i], g.travel_times(o, origins))


def test_parallel_arcs_keep_the_fastest() -> None:
    g = RoadGraph.from_arcs([0, 0, 1], [1, 1, 0], [50.0, 20.0, 7.0], [1.0, 2.0, 3.0], LON[:2], LAT[:2])
    assert g.edge_count == 2
    assert g.travel_times(P[0], [P[1]])[0] == 20.0
    assert g.route(P[0], P[1]).metres == pytest.approx(2.0)


def test_route_returns_seconds_metres_and_polyline_and_unpacks() -> None:
    g = line_graph()
    seconds, metres, polyline = g.route(P[0], P[3])
    assert seconds == 60.0
    assert metres == pytest.approx(300.0)
    assert polyline == [P[0], P[0], P[1], P[2], P[3], P[3]]


def test_route_raises_when_unreachable() -> None:
    g = line_graph()
    with pytest.raises(Unreachable):
        g.route(P[3], P[0])
    with pytest.raises(Unreachable):
        g.route(P[0], P[4])


def test_off_road_leg_is_added_at_access_speed() -> None:
    g = line_graph(access_speed_kmh=36.0)  # 10 m/s
    north_of_1 = (0.001, 0.0009)  # about 100 m north of node 1
    tt = g.travel_times(P[0], [north_of_1])
    assert tt[0] == pytest.approx(10.0 + 10.0, abs=0.1)
    assert not tt.estimated[0]


def test_far_point_gets_flagged_estimate_not_a_snapped_answer() -> None:
    fallback = EstimateProvider(speed_kmh=36.0, detour_factor=1.0)
    g = line_graph(max_snap_m=500.0, fallback=fallback)
    far = (0.0, 0.05)  # about 5.5 km north of node 0
    tt = g.travel_times(P[0], [P[1], far])
    assert isinstance(tt, TravelTimes)
    assert list(tt.estimated) == [False, True]
    assert tt[1] == pytest.approx(5559.7 / 10.0, rel=1e-3)
    assert tt[1:].estimated.all() and not tt[:1].estimated.any()
    from_far = g.travel_times(far, [P[0], P[1]])
    assert from_far.estimated.all()
    route = g.route(far, P[1])
    assert route.estimated and route.polyline == [far, P[1]]
    assert g.matrix([P[0], far], [P[1]]).estimated.tolist() == [[False], [True]]


def test_snap_reports_distance_even_beyond_radius() -> None:
    g = line_graph(max_snap_m=500.0)
    snap = g.snap([(0.0, 0.05), P[2]])
    assert snap.on_network.tolist() == [False, True]
    assert snap.node[1] == 2 and snap.node[0] == -1
    assert snap.distance_m[0] == pytest.approx(5559.7, rel=1e-3)


def test_small_islands_are_not_offered_for_snapping() -> None:
    # Default snappable mask: the largest strongly connected component only (no node list given).
    g = RoadGraph.from_arcs([0, 1, 1, 2, 3], [1, 0, 2, 1, 2], [1.0] * 5, [1.0] * 5, LON[:4], LAT[:4])
    assert g.snappable.tolist() == [True, True, True, False]
    # A point right on node 3 (a one-way stub) joins the network at node 2 instead of being stuck.
    assert g.snap([P[3]]).node[0] == 2


def test_save_load_round_trip(tmp_path: Path) -> None:
    g = line_graph()
    path = tmp_path / "roads.npz"
    g.save(path)
    h = RoadGraph.load(path, max_snap_m=250.0)
    assert (h.node_count, h.edge_count) == (g.node_count, g.edge_count)
    assert h.max_snap_m == 250.0
    np.testing.assert_array_equal(h.matrix(P, P), g.matrix(P, P))
    assert h.route(P[0], P[3]) == g.route(P[0], P[3])


def test_load_rejects_foreign_files(tmp_path: Path) -> None:
    bogus = tmp_path / "other.npz"
    np.savez(bogus, header=np.array('{"format": "something-else"}'))
    with pytest.raises(RoadDataError):
        RoadGraph.load(bogus)
    with pytest.raises(RoadDataError):
        RoadGraph.load(tmp_path / "missing.npz")


def test_inconsistent_arrays_are_rejected() -> None:
    with pytest.raises(RoadDataError):
        RoadGraph([0, 1], [0], [1.0], [1.0], [0.0, 1.0], [0.0, 1.0])
    with pytest.raises(RoadDataError):
        RoadGraph.from_arcs([0], [1], [0.0], [1.0], LON[:2], LAT[:2])


def test_both_providers_satisfy_the_protocol() -> None:
    assert isinstance(line_graph(), TravelTimeProvider)
    assert isinstance(EstimateProvider(), TravelTimeProvider)
    assert not line_graph().is_estimate and EstimateProvider().is_estimate


def test_estimate_provider_is_labelled_and_limited() -> None:
    est = EstimateProvider(speed_kmh=36.0, detour_factor=1.5)
    tt = est.travel_times(P[0], [P[1], P[3]], limit_s=20.0)
    assert tt.estimated.all()
    assert tt[0] == pytest.approx(111.19 * 1.5 / 10.0, rel=1e-3)
    assert np.isinf(tt[1])
    np.testing.assert_allclose(est.matrix([P[0]], [P[1], P[3]])[0], est.travel_times(P[0], [P[1], P[3]]))
    np.testing.assert_allclose(est.travel_times_to(P[0], [P[1], P[3]]), est.travel_times(P[0], [P[1], P[3]]))


def test_empty_target_list_gives_empty_result() -> None:
    g = line_graph()
    assert g.travel_times(P[0], []).shape == (0,)
    assert g.matrix([], [P[0]]).shape == (0, 1)


def test_repeated_queries_are_independent_of_earlier_results() -> None:
    # Snapping results are cached between calls; editing one answer must not leak into the next.
    g = line_graph()
    first = g.travel_times(P[0], [P[1], P[3]])
    first[:] = -1.0
    again = g.travel_times(P[0], [P[1], P[3]])
    assert list(again) == [10.0, 60.0]
    with pytest.raises(ValueError):
        g.snap([P[1]]).node[0] = 3
