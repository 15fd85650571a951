"""The demo city's road network and the `yingji roads import` / `yingji demo` entry points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from yingji.domain.routing import RoadGraph
from yingji.domain.routing.demo import BRIDGE_X_M, DEMO_CENTRE, demo_city_graph, demo_point, river_y_m
from yingji.roads_cli import generate_demo_roads, import_roads


@pytest.fixture(scope="module")
def city() -> RoadGraph:
    return demo_city_graph()


def test_demo_city_is_where_and_as_big_as_promised(city: RoadGraph) -> None:
    assert city.lon.mean() == pytest.approx(DEMO_CENTRE[0], abs=0.02)
    assert city.lat.mean() == pytest.approx(DEMO_CENTRE[1], abs=0.02)
    west_east_km = (city.lon.max() - city.lon.min()) * 111.32 * np.cos(np.radians(DEMO_CENTRE[1]))
    south_north_km = (city.lat.max() - city.lat.min()) * 110.57
    assert 38 < west_east_km < 42 and 28 < south_north_km < 32
    assert city.snappable.mean() > 0.9


def test_demo_city_is_deterministic_and_seed_dependent() -> None:
    a, b, c = demo_city_graph(seed=7), demo_city_graph(seed=7), demo_city_graph(seed=8)
    for x, y in zip(a.arcs(), b.arcs(), strict=True):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.lon, b.lon)
    assert not np.array_equal(a.lon, c.lon)


def test_river_can_only_be_crossed_on_bridges(city: RoadGraph) -> None:
    # Straight across the river between two bridges is short as the crow flies, long by road.
    x = (BRIDGE_X_M[0] + BRIDGE_X_M[1]) / 2
    north, south = demo_point(x, float(river_y_m(x)) + 500), demo_point(x, float(river_y_m(x)) - 500)
    seconds, metres, _ = city.route(north, south)
    assert metres > 4_000
    # ...while along a bridge column it is direct.
    bx = BRIDGE_X_M[1]
    direct = city.route(
        demo_point(bx, float(river_y_m(bx)) + 500), demo_point(bx, float(river_y_m(bx)) - 500)
    )
    assert direct.metres < 1_500 and direct.seconds < seconds / 3


def test_old_town_has_one_way_streets(city: RoadGraph) -> None:
    tails, heads, _, _ = city.arcs()
    pairs = set(zip(tails.tolist(), heads.tolist(), strict=True))
    one_way = [(t, h) for t, h in pairs if (h, t) not in pairs]
    assert len(one_way) > 200
    t, h = one_way[0]
    there = city.route((city.lon[t], city.lat[t]), (city.lon[h], city.lat[h]))
    back = city.route((city.lon[h], city.lat[h]), (city.lon[t], city.lat[t]))
    assert back.seconds > there.seconds


def test_generate_demo_roads_writes_a_loadable_file(tmp_path: Path) -> None:
    out = tmp_path / "demo" / "roads.npz"
    summary = generate_demo_roads(str(out), seed=42)
    loaded = RoadGraph.load(out)
    assert summary["nodes"] == loaded.node_count == demo_city_graph(seed=42).node_count
    assert summary["edges"] == loaded.edge_count and summary["bytes"] == out.stat().st_size


def test_import_roads_reports_progress_and_counts(
    tmp_path: Path, helsinki_pbf: str, helsinki: RoadGraph, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "helsinki.npz"
    summary = import_roads(helsinki_pbf, str(out), progress=True)
    assert (summary["nodes"], summary["edges"]) == (helsinki.node_count, helsinki.edge_count)
    err = capsys.readouterr().err
    assert "ways (100.0%)" in err and "wrote" in err
    assert RoadGraph.load(out).meta["source"] == Path(helsinki_pbf).name


def test_import_roads_rejects_a_missing_file(tmp_path: Path) -> None:
    from yingji.domain.routing import RoadDataError

    with pytest.raises(RoadDataError):
        import_roads(str(tmp_path / "nope.osm.pbf"), str(tmp_path / "x.npz"), progress=False)
