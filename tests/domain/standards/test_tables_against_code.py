"""Every shipped table row against the function that applies it, and every table's citation.

Thresholds the code holds itself (the weather signal criteria) are checked row by row against the
criterion text of 中国气象局令第16号 in weather_signals.json; values the code loads are checked against the
table's own article text, so the two forms inside a table cannot drift apart either.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources

import pytest

from yingji.domain.standards import accidents, lec, schedule, sphere, weather
from yingji.domain.standards._data import load_table

TABLES = sorted(
    p.name.removesuffix(".json")
    for p in resources.files("yingji.domain.standards").joinpath("data").iterdir()
    if p.name.endswith(".json")
)


@pytest.mark.parametrize("name", TABLES)
def test_every_table_cites_the_official_document(name: str) -> None:
    cited = load_table(name)["cited"]
    assert cited["document"].strip()
    assert cited.get("provisions") or cited.get("table"), "cite the article/clause or the table"
    # Where a value was transcribed from (another project's seed file, a search id) is provenance, not
    # the citation: it may only appear as transcribed_from.
    assert "find_string" not in cited["document"] and "github" not in cited["document"].lower()


def _rows(type_zh: str) -> list[dict]:
    entry = next(e for e in load_table("weather_signals")["signals"] if e["type_zh"] == type_zh)
    return entry["levels"]


def _level(result) -> int:
    return 5 if result is None else result.level  # 5: no signal, less severe than 蓝 (4)


def _check(func, level: int, at: dict, below: dict) -> None:
    assert _level(func(**at)) == level, f"{func.__name__}({at}) should give level {level}"
    assert _level(func(**below)) > level, f"{func.__name__}({below}) should stay below level {level}"


@pytest.mark.parametrize(
    "type_zh,func,arg",
    [("暴雨", weather.rainstorm_signal, "rain"), ("暴雪", weather.blizzard_signal, "snow")],
)
def test_precipitation_rows(type_zh: str, func, arg: str) -> None:
    for row in _rows(type_zh):
        hours, mm = map(
            int, re.search(r"(\d+)小时内降[雨雪]量将达(\d+)毫米以上", row["criterion_zh"]).groups()
        )
        key = f"{arg}_{hours}h_mm"
        _check(func, row["level"], {key: mm}, {key: Decimal(mm) - Decimal("0.1")})


def test_heat_rows() -> None:
    for row in _rows("高温"):
        celsius = int(re.search(r"(\d+)℃以上", row["criterion_zh"]).group(1))
        key = "min_of_next_3_daily_max_c" if "连续三天" in row["criterion_zh"] else "max_next_24h_c"
        _check(weather.heat_signal, row["level"], {key: celsius}, {key: Decimal(celsius) - Decimal("0.1")})


@pytest.mark.parametrize("type_zh,func", [("大风", weather.gale_signal), ("台风", weather.typhoon_signal)])
def test_wind_rows(type_zh: str, func) -> None:
    for row in _rows(type_zh):
        found = re.search(
            r"(\d+)小时内.*?平均风力(?:可)?达(\d+)级以上，或者阵风达?(\d+)级以上", row["criterion_zh"]
        )
        hours, mean, gust = map(int, found.groups())
        _check(func, row["level"], {f"mean_force_{hours}h": mean}, {f"mean_force_{hours}h": mean - 1})
        _check(func, row["level"], {f"gust_force_{hours}h": gust}, {f"gust_force_{hours}h": gust - 1})


def test_cold_wave_rows() -> None:
    pattern = r"(\d+)小时内最低气温将要下降(\d+)℃以上，最低气温小于等于(\d+)℃，陆地平均风力可达(\d+)级以上"
    for row in _rows("寒潮"):
        hours, drop, low, wind = map(int, re.search(pattern, row["criterion_zh"]).groups())
        at = {f"drop_{hours}h_c": drop, "min_temp_c": low, "mean_force": wind}
        _check(
            weather.cold_wave_signal,
            row["level"],
            at,
            {**at, f"drop_{hours}h_c": Decimal(drop) - Decimal("0.1")},
        )
        _check(
            weather.cold_wave_signal, row["level"], at, {**at, "min_temp_c": Decimal(low) + Decimal("0.1")}
        )
        _check(weather.cold_wave_signal, row["level"], at, {**at, "mean_force": wind - 1})


def test_lec_band_edges_are_the_tables() -> None:
    rows = load_table("lec")["D_bands"]
    for row in rows:
        numbers = [int(n) for n in re.findall(r"\d+", row["range_text"])]
        assert row["lower_edge"] is None or row["lower_edge"] == max(numbers) if row["band"] == 1 else True
        if row["lower_edge"] is not None:
            assert row["lower_edge"] == min(numbers)
            assert lec.band_for(row["lower_edge"] + Decimal("0.5")) == row["band"]
            assert lec.band_for(row["lower_edge"]) == row["band"] + 1  # upper-inclusive default
    assert lec.BAND_EDGES == tuple(Decimal(r["lower_edge"]) for r in rows[:-1])


def test_accident_deadlines_are_the_articles() -> None:
    rules = load_table("accident_grading")["reporting_rules"]
    numbers = rules["deadlines"]

    def first(text: str, unit: str) -> int:
        return int(re.search(rf"(\d+)\s*{unit}", text).group(1))

    assert numbers["unit_report_hours"] == first(rules["unit_to_government"], "小时")
    assert numbers["escalation_hours_per_level"] == first(rules["per_level_escalation_limit"], "小时")
    assert numbers["investigation_report_days"] == first(rules["investigation_report_days"], "日")
    assert numbers["approval_days"] == first(rules["approval_days"], "日")
    assert numbers["approval_days_most_severe"] == int(
        re.search(r"特别重大事故 (\d+)日", rules["approval_days"]).group(1)
    )
    one = accidents.grade(deaths=30)
    d = one.report_deadlines
    assert d.unit_report == timedelta(hours=numbers["unit_report_hours"])
    assert d.escalation_per_level == timedelta(hours=numbers["escalation_hours_per_level"])
    assert d.approval == timedelta(days=numbers["approval_days_most_severe"])
    assert accidents.grade(deaths=1).report_deadlines.approval == timedelta(days=numbers["approval_days"])
    windows = rules["casualty_update_window_days"]
    assert accidents.grade(deaths=1).report_deadlines.casualty_update_window == timedelta(
        days=windows["default"]
    )


def test_government_plan_intervals_are_the_2024_rules() -> None:
    plans = load_table("emergency_plan_structure")["government_plans_2024"]
    text = "".join(plans["rules"])
    years = int(re.search(r"专项应急预案、部门应急预案每 (\d+) 年至少进行一次演练", text).group(1))
    assert plans["intervals_months"]["special_and_department_plan_drill"] == 12 * years
    assert schedule.drill_due(date(2024, 1, 31), "government_special") == date(2024 + years, 1, 31)
    review = int(re.search(r"原则上每 (\d+) 年评估一次", text).group(1))
    assert schedule.REVIEW_RULES["government"].interval_months == 12 * review


def test_sphere_defaults_are_the_tables() -> None:
    rows = {row["key"]: row["value"] for row in load_table("sphere")["indicators"]}
    need = sphere.demand(100, days=2)
    assert need["water_l"] == Decimal(rows["water_lpd"]) * 200
    assert (
        need["water_survival_floor_l"]
        == Decimal(rows["water_survival_breakdown"]["total"].split("–")[0]) * 200
    )
    assert need["covered_area_m2"] == Decimal(str(rows["covered_living_space"])) * 100
    assert need["toilets_initial"] == -(-100 // rows["toilets_initial"])
    assert need["toilets_medium"] == -(-100 // rows["toilets_medium_term"])
    assert need["kcal"] == Decimal(rows["energy_kcal"]) * 200
