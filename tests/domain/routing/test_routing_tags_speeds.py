"""Speed parsing and one-way/access tag rules, as a mapper would tag real streets."""

from __future__ import annotations

import pytest

from yingji.domain.routing import Direction, SpeedTable, is_accessible, parse_maxspeed, way_direction


@pytest.mark.parametrize(
    ("raw", "kmh"),
    [
        ("50", 50.0),
        ("50 mph", 80.4672),
        ("30mph", 48.28032),
        ("10 knots", 18.52),
        ("RU:urban", 50.0),
        ("DE:rural", 80.0),
        ("DE:zone30", 30.0),
        ("DE:zone:20", 20.0),
        ("walk", 6.0),
        ("50;30", 30.0),
        ("60 km/h", 60.0),
    ],
)
def test_parse_maxspeed_understands_common_forms(raw: str, kmh: float) -> None:
    assert parse_maxspeed(raw) == pytest.approx(kmh)


@pytest.mark.parametrize("raw", [None, "", "none", "signals", "variable", "fast", "0", "XX:unknownzone"])
def test_parse_maxspeed_returns_none_when_unusable(raw: str | None) -> None:
    assert parse_maxspeed(raw) is None


def test_speed_table_prefers_tag_then_class_and_clamps() -> None:
    table = SpeedTable()
    assert table.speed_kmh("residential") == 25.0
    assert table.speed_kmh("residential", "40") == 40.0
    assert table.speed_kmh("residential", "signals") == 25.0
    assert table.speed_kmh("primary", "500") == table.max_kmh
    assert not table.is_drivable("footway")
    assert not table.is_drivable(None)
    custom = SpeedTable(class_kmh={"track": 10.0}, use_maxspeed=False)
    assert custom.is_drivable("track")
    assert custom.speed_kmh("track", "80") == 10.0


@pytest.mark.parametrize(
    ("tags", "direction"),
    [
        ({"highway": "residential"}, Direction.BOTH),
        ({"highway": "residential", "oneway": "yes"}, Direction.FORWARD),
        ({"highway": "residential", "oneway": "1"}, Direction.FORWARD),
        ({"highway": "residential", "oneway": "true"}, Direction.FORWARD),
        ({"highway": "residential", "oneway": "-1"}, Direction.BACKWARD),
        ({"highway": "primary", "junction": "roundabout"}, Direction.FORWARD),
        ({"highway": "primary", "junction": "circular"}, Direction.FORWARD),
        ({"highway": "motorway"}, Direction.FORWARD),
        ({"highway": "motorway", "oneway": "no"}, Direction.BOTH),
        ({"highway": "primary", "junction": "roundabout", "oneway": "-1"}, Direction.BACKWARD),
        ({"highway": "secondary", "oneway": "reversible"}, Direction.BOTH),
    ],
)
def test_way_direction(tags: dict[str, str], direction: Direction) -> None:
    assert way_direction(tags) is direction


@pytest.mark.parametrize(
    ("tags", "open_"),
    [
        ({"highway": "service"}, True),
        ({"highway": "service", "access": "private"}, True),
        ({"highway": "service", "access": "no"}, False),
        ({"highway": "service", "access": "no", "motorcar": "yes"}, True),
        ({"highway": "service", "motor_vehicle": "no"}, False),
        ({"highway": "service", "motor_vehicle": "no", "emergency": "yes"}, True),
        ({"highway": "pedestrian", "area": "yes"}, False),
    ],
)
def test_is_accessible(tags: dict[str, str], open_: bool) -> None:
    assert is_accessible(tags) is open_
