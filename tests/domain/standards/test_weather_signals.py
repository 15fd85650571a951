"""中国气象局令第16号 warning signals: each threshold on both sides, nesting of windows, dispatch."""

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.domain.standards import (
    InvalidObservation,
    InvalidQuantity,
    MissingInput,
    StandardsError,
    UnknownHazard,
    weather,
)


def level(result):
    return None if result is None else result.level


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        ({"rain_3h_mm": 100}, 1),
        ({"rain_3h_mm": Decimal("99.9")}, 2),
        ({"rain_3h_mm": 50}, 2),
        ({"rain_3h_mm": Decimal("49.9")}, None),
        ({"rain_6h_mm": 50}, 3),
        ({"rain_6h_mm": Decimal("49.9")}, None),
        ({"rain_12h_mm": 50}, 4),
        ({"rain_12h_mm": Decimal("49.9")}, None),
        ({"rain_6h_mm": 500}, 3),  # a long-window total says nothing about 3 h
        ({"rain_3h_mm": 0, "rain_6h_mm": 0, "rain_12h_mm": 0}, None),
        ({"rain_3h_mm": 100, "rain_6h_mm": 0, "rain_12h_mm": 0}, 1),
        ({"rain_3h_mm": 10, "rain_6h_mm": 20, "rain_12h_mm": 50}, 4),
        ({"rain_3h_mm": "50", "rain_6h_mm": 60.5, "rain_12h_mm": 70}, 2),
    ],
)
def test_rainstorm(obs, expected):
    assert level(weather.rainstorm_signal(**obs)) == expected
    assert level(weather.signal("rainstorm", **obs)) == expected
    assert level(weather.signal("暴雨", **obs)) == expected


def test_rainstorm_positional_and_full_result():
    red = weather.rainstorm_signal(100, 100, 100)
    assert red == weather.WarningLevel(
        hazard="rainstorm",
        hazard_zh="暴雨",
        level=1,
        roman="Ⅰ",
        colour="red",
        colour_zh="红色",
        severity_zh="特别严重",
        name_zh="暴雨红色预警信号",
        name_en="Rainstorm Red Warning",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        red.level = 2


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        ({"max_next_24h_c": 40}, 1),
        ({"max_next_24h_c": Decimal("39.9")}, 2),
        ({"max_next_24h_c": 37}, 2),
        ({"max_next_24h_c": Decimal("36.9")}, None),
        ({"min_of_next_3_daily_max_c": 35}, 3),
        ({"min_of_next_3_daily_max_c": Decimal("34.9")}, None),
        ({"min_of_next_3_daily_max_c": 35, "max_next_24h_c": 36}, 3),
        ({"min_of_next_3_daily_max_c": 34, "max_next_24h_c": 38}, 2),
        ({"min_of_next_3_daily_max_c": 36, "max_next_24h_c": 41}, 1),
        ({"min_of_next_3_daily_max_c": -5, "max_next_24h_c": -2}, None),  # temperatures may be negative
    ],
)
def test_heat(obs, expected):
    assert level(weather.heat_signal(**obs)) == expected
    assert level(weather.signal("heat", **obs)) == expected
    assert level(weather.signal("高温", **obs)) == expected


def test_heat_has_no_blue_and_colours_follow_levels():
    assert weather.heat_signal(max_next_24h_c=40).colour_zh == "红色"
    assert weather.heat_signal(max_next_24h_c=37).colour_zh == "橙色"
    assert weather.heat_signal(min_of_next_3_daily_max_c=35).colour_zh == "黄色"


GALE = [
    ({"mean_force_24h": 6}, 4),
    ({"mean_force_24h": 5, "gust_force_24h": 6}, None),
    ({"gust_force_24h": 7}, 4),
    ({"mean_force_12h": 8}, 3),
    ({"mean_force_12h": 7, "gust_force_12h": 8}, 4),  # 12 h figures also bound 24 h
    ({"gust_force_12h": 9}, 3),
    ({"mean_force_6h": 10}, 2),
    ({"mean_force_6h": 9, "gust_force_6h": 10}, 3),
    ({"gust_force_6h": 11}, 2),
    ({"mean_force_6h": 12}, 1),
    ({"mean_force_6h": 11, "gust_force_6h": 12}, 2),
    ({"gust_force_6h": 13}, 1),
    ({"mean_force_6h": 8}, 3),  # within 6 h is within 12 h
    ({"mean_force_24h": 12}, 4),  # a 24 h forecast only reaches blue
]


@pytest.mark.parametrize(("obs", "expected"), GALE)
def test_gale(obs, expected):
    assert level(weather.gale_signal(**obs)) == expected
    assert level(weather.signal("gale", **obs)) == expected
    assert level(weather.signal("大风", **obs)) == expected


TYPHOON = [
    ({"mean_force_24h": 6}, 4),
    ({"mean_force_24h": 5, "gust_force_24h": 7}, None),
    ({"gust_force_24h": 8}, 4),
    ({"mean_force_24h": 8}, 3),
    ({"mean_force_24h": 7, "gust_force_24h": 9}, 4),
    ({"gust_force_24h": 10}, 3),
    ({"mean_force_12h": 10}, 2),
    ({"mean_force_12h": 9, "gust_force_12h": 11}, 3),
    ({"gust_force_12h": 12}, 2),
    ({"mean_force_6h": 12}, 1),
    ({"mean_force_6h": 11, "gust_force_6h": 13}, 2),
    ({"gust_force_6h": 14}, 1),
]


@pytest.mark.parametrize(("obs", "expected"), TYPHOON)
def test_typhoon(obs, expected):
    assert level(weather.typhoon_signal(**obs)) == expected
    assert level(weather.signal("台风", **obs)) == expected


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        ({"snow_12h_mm": 4}, 4),
        ({"snow_12h_mm": Decimal("3.9")}, None),
        ({"snow_12h_mm": 6}, 3),
        ({"snow_12h_mm": Decimal("5.9")}, 4),
        ({"snow_6h_mm": 10}, 2),
        ({"snow_6h_mm": Decimal("9.9")}, 3),
        ({"snow_6h_mm": 15}, 1),
        ({"snow_6h_mm": Decimal("14.9")}, 2),
        ({"snow_6h_mm": 5}, 4),
    ],
)
def test_blizzard(obs, expected):
    assert level(weather.blizzard_signal(**obs)) == expected
    assert level(weather.signal("暴雪", **obs)) == expected


@pytest.mark.parametrize(
    ("obs", "expected"),
    [
        ({"drop_48h_c": 8, "min_temp_c": 4, "mean_force": 5}, 4),
        ({"drop_48h_c": Decimal("7.9"), "min_temp_c": 4, "mean_force": 5}, None),
        ({"drop_48h_c": 8, "min_temp_c": Decimal("4.1"), "mean_force": 5}, None),
        ({"drop_48h_c": 8, "min_temp_c": 4, "mean_force": 4}, None),
        ({"drop_24h_c": 10, "min_temp_c": 4, "mean_force": 6}, 3),
        ({"drop_24h_c": 10, "min_temp_c": 4, "mean_force": 5}, 4),  # wind too weak for yellow
        ({"drop_24h_c": Decimal("9.9"), "min_temp_c": 4, "mean_force": 6}, 4),
        ({"drop_24h_c": 12, "min_temp_c": 0, "mean_force": 6}, 2),
        ({"drop_24h_c": 12, "min_temp_c": Decimal("0.1"), "mean_force": 6}, 3),
        ({"drop_24h_c": 16, "min_temp_c": -10, "mean_force": 6}, 1),
        ({"drop_24h_c": Decimal("15.9"), "min_temp_c": -10, "mean_force": 6}, 2),
    ],
)
def test_cold_wave(obs, expected):
    assert level(weather.cold_wave_signal(**obs)) == expected
    assert level(weather.signal("寒潮", **obs)) == expected


def test_cold_wave_needs_temperature_and_wind():
    with pytest.raises(MissingInput):
        weather.cold_wave_signal(drop_24h_c=20)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("rainstorm", "rainstorm"),
        (" Rainstorm ", "rainstorm"),
        ("暴雨预警信号", "rainstorm"),
        ("heat", "heat"),
        ("high-temperature", "heat"),
        ("heat wave", "heat"),
        ("gale", "gale"),
        ("typhoon", "typhoon"),
        ("blizzard", "blizzard"),
        ("snowstorm", "blizzard"),
        ("cold_wave", "cold_wave"),
        ("cold-wave", "cold_wave"),
        ("Cold Wave", "cold_wave"),
        ("Heavy Rain", "rainstorm"),
        ("ＲＡＩＮＳＴＯＲＭ", "rainstorm"),
        ("strong wind", "gale"),
        ("台风预警", "typhoon"),
    ],
)
def test_dispatcher_names(name, key):
    func = weather.HAZARDS[key]
    obs = {next(iter(func.__code__.co_varnames)): 100}
    if key == "cold_wave":
        obs = {"drop_24h_c": 20, "min_temp_c": -5, "mean_force": 7}
    assert weather.signal(name, **obs).hazard == key


@pytest.mark.parametrize(
    "name",
    ["fog", "大雾", "haze", "霾", "sandstorm", "沙尘暴", "lightning", "hail", "frost", "道路结冰", "drought"],
)
def test_unverified_types_are_not_evaluated(name):
    with pytest.raises(UnknownHazard, match="未经核实"):
        weather.signal(name, anything=1)


@pytest.mark.parametrize("name", ["tornado", "", 3, None])
def test_unknown_hazard(name):
    with pytest.raises(UnknownHazard):
        weather.signal(name, rain_3h_mm=1)


def test_unknown_observation_is_named():
    with pytest.raises(InvalidObservation, match="rain_1h_mm"):
        weather.signal("rainstorm", rain_1h_mm=100)


@pytest.mark.parametrize("func", [weather.rainstorm_signal, weather.heat_signal, weather.gale_signal])
def test_no_observation_at_all(func):
    with pytest.raises(InvalidObservation):
        func()


@pytest.mark.parametrize(
    "obs", [{"rain_3h_mm": -1}, {"rain_3h_mm": "lots"}, {"rain_3h_mm": True}, {"rain_6h_mm": float("nan")}]
)
def test_bad_rain_values(obs):
    with pytest.raises(InvalidQuantity):
        weather.rainstorm_signal(**obs)


def test_errors_are_standards_errors():
    for exc in (InvalidObservation, UnknownHazard, MissingInput):
        assert issubclass(exc, StandardsError)


@pytest.mark.parametrize("name", ["暴雨", "大雾", "fog", "霾", "道路结冰", "typhoon"])
def test_criteria_text_for_display(name):
    rows = weather.criteria_text(name)
    assert rows and all(text for _, _, text in rows)


RAIN = st.decimals(min_value=0, max_value=300, places=1, allow_nan=False, allow_infinity=False)


@given(RAIN, RAIN, RAIN, RAIN)
def test_more_rain_never_lowers_the_signal(a, b, c, extra):
    before = level(weather.rainstorm_signal(a, b, c)) or 5
    after = level(weather.rainstorm_signal(a + extra, b, c)) or 5
    assert after <= before
