"""Allocation fed by road travel times on the demo city: the river makes the nearest unit the wrong one."""

from __future__ import annotations

import pytest

from yingji.domain.dispatch import Demand, Resource, allocate, rank
from yingji.domain.routing import EstimateProvider, RoadGraph
from yingji.domain.routing.demo import demo_city_graph, demo_point, river_y_m


@pytest.fixture(scope="module")
def city() -> RoadGraph:
    return demo_city_graph()


def test_unit_across_the_river_loses_to_a_farther_one_on_the_same_side(city: RoadGraph) -> None:
    x = -8_000.0  # between the bridges at -12 km and -4 km
    river = float(river_y_m(x))
    incident = demo_point(x, river + 600)
    across = Resource("across", {"engine": 1}, location=demo_point(x, river - 600))
    same_side = Resource("same-side", {"engine": 1}, location=demo_point(x + 1_800, river + 1_800))
    resources = [across, same_side]
    road = city.travel_times_to(incident, [r.location for r in resources])
    straight = EstimateProvider().travel_times_to(incident, [r.location for r in resources])
    assert straight[0] < straight[1], "by straight line the unit across the river looks nearer"
    assert road[1] < road[0], "by road it is not"
    result = allocate([Demand("fire", "engine", 1)], resources, {"fire": road})
    assert [a.resource_id for a in result.assignments] == ["same-side"]
    assert rank("engine", resources, road)[0].resource_id == "same-side"
