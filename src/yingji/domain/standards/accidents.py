"""Production-safety accident levels under 国务院令第493号 art. 3, with the reporting deadlines that follow.

"以上" includes the number and "以下" excludes it; the accident takes the most severe level that any
one criterion (deaths, serious injuries, direct loss) reaches.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from ._data import load_table
from ._numbers import to_count, to_decimal

__all__ = ["AccidentGrade", "ReportDeadlines", "grade", "CRITERIA"]

# Argument names double as criterion keys in AccidentGrade.deciding.
CRITERIA = ("deaths", "serious_injuries", "direct_loss_wan_yuan")
_TABLE_KEYS = {
    "deaths": "deaths",
    "serious_injuries": "serious_injuries_incl_acute_industrial_poisoning",
    "direct_loss_wan_yuan": "direct_economic_loss_wan_yuan",
}


@dataclass(frozen=True)
class ReportDeadlines:
    """Time limits from 493号令 for an accident of a given level (calendar hours/days)."""

    unit_report: timedelta  # art. 9: unit → county-level government, 1 h
    escalation_per_level: timedelta  # art. 11: each level up, at most 2 h
    escalate_to: str  # art. 10
    casualty_update_window: timedelta  # art. 13: 30 d; road traffic and fire 7 d
    investigated_by: str  # art. 19
    investigation_report: timedelta  # art. 29: 60 d
    investigation_extension_max: timedelta  # art. 29: at most 60 d more
    approval: timedelta  # art. 32: 15 d; 特别重大 30 d
    approval_extension_max: timedelta | None  # art. 32: only 特别重大, at most 30 d


@dataclass(frozen=True)
class AccidentGrade:
    """Level 1 特别重大事故 (most severe) … 4 一般事故, which criteria decided it, and deadlines."""

    level: int
    label: str
    deciding: tuple[str, ...]
    criterion_levels: dict[str, int] = field(hash=False)
    report_deadlines: ReportDeadlines


def _level_of(value: Decimal, key: str) -> int:
    for row in load_table("accident_grading")["levels"]:
        band = row[_TABLE_KEYS[key]]
        upper = band["max_exclusive"]
        if value >= band["min_inclusive"] and (upper is None or value < upper):
            return row["level"]
    raise AssertionError(f"493号令 art. 3 does not cover {key}={value}")  # bands cover 0…∞


def _deadlines(level: int, label: str, road_traffic_or_fire: bool) -> ReportDeadlines:
    rules = load_table("accident_grading")["reporting_rules"]
    n = rules["deadlines"]
    windows = rules["casualty_update_window_days"]
    most_severe = level == 1
    return ReportDeadlines(
        unit_report=timedelta(hours=n["unit_report_hours"]),
        escalation_per_level=timedelta(hours=n["escalation_hours_per_level"]),
        escalate_to=rules["escalate_to"][label],
        casualty_update_window=timedelta(
            days=windows["road_traffic_and_fire"] if road_traffic_or_fire else windows["default"]
        ),
        investigated_by=rules["investigating_government"][label],
        investigation_report=timedelta(days=n["investigation_report_days"]),
        investigation_extension_max=timedelta(days=n["investigation_extension_max_days"]),
        approval=timedelta(days=n["approval_days_most_severe"] if most_severe else n["approval_days"]),
        approval_extension_max=(
            timedelta(days=n["approval_extension_max_days_most_severe"]) if most_severe else None
        ),
    )


def grade(
    deaths: object = 0,
    serious_injuries: object = 0,
    direct_loss_wan_yuan: object = 0,
    *,
    missing: object = 0,
    count_missing_as_deaths: bool = False,
    road_traffic_or_fire: bool = False,
) -> AccidentGrade:
    """Grade an accident. Serious injuries include 急性工业中毒; loss is in 万元 (1亿元 = 10000).

    493号令 is silent on missing persons (失踪): by default they are not counted; set
    ``count_missing_as_deaths`` where the local statistics rule says "死亡(含失踪)" (UNVERIFIED).
    """
    values = {
        "deaths": Decimal(to_count(deaths, "死亡人数", "deaths")),
        "serious_injuries": Decimal(to_count(serious_injuries, "重伤人数", "serious_injuries")),
        "direct_loss_wan_yuan": to_decimal(
            direct_loss_wan_yuan, "直接经济损失（万元）", "direct_loss_wan_yuan"
        ),
    }
    missing_count = to_count(missing, "失踪人数", "missing")
    if count_missing_as_deaths:
        values["deaths"] += missing_count
    levels = {key: _level_of(values[key], key) for key in CRITERIA}
    level = min(levels.values())  # 1 is the most severe
    label = next(r["label"] for r in load_table("accident_grading")["levels"] if r["level"] == level)
    return AccidentGrade(
        level=level,
        label=label,
        deciding=tuple(key for key in CRITERIA if levels[key] == level),
        criterion_levels=levels,
        report_deadlines=_deadlines(level, label, road_traffic_or_fire),
    )
