"""Due dates for recurring duties (plan drills and evaluations): last date + N months, clamped to month end.

The regulations only say 每年/每半年/每两年/每三年; counting whole calendar months from the last
date, and clamping 31 Aug + 6 months to 28/29 Feb, is this project's reading (documented).
"""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from ._data import load_table
from ._numbers import normalise_text, to_count
from .errors import InvalidDate, InvalidQuantity, UnknownRule

__all__ = [
    "Rule",
    "next_due",
    "add_months",
    "drill_due",
    "plan_review_due",
    "is_overdue",
    "DRILL_RULES",
    "REVIEW_RULES",
]


@dataclass(frozen=True)
class Rule:
    """An interval in months and the clause that sets it."""

    key: str
    interval_months: int
    basis: str
    description: str


def _as_date(value: object, what: str) -> date:
    if isinstance(value, datetime):  # a datetime is a date too; the duty is per calendar day
        return value.date()
    if isinstance(value, date):
        return value
    raise InvalidDate(f"{what} 必须是日期：{value!r}（{what} must be a date）")


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months; a day that does not exist becomes the month's last day."""
    start = _as_date(start, "start")
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise InvalidDate(f"日期超出范围：{start} + {months} 个月（date out of range）")
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


def next_due(last_done: date, interval_months: int) -> date:
    """When a duty done on ``last_done`` falls due again, ``interval_months`` (≥ 1) later."""
    months = to_count(interval_months, "间隔月数", "interval_months")
    if months < 1:
        raise InvalidQuantity(f"间隔月数必须至少为 1：{interval_months!r}（interval_months must be ≥ 1）")
    return add_months(_as_date(last_done, "last_done"), months)


def is_overdue(due: date, today: date) -> bool:
    """True once ``today`` is after ``due``; the due day itself is still on time."""
    return _as_date(today, "today") > _as_date(due, "due")


def _rule_88(rule_id: str) -> int:
    """Interval (months) of a rule of 生产安全事故应急预案管理办法, from the shipped table."""
    rules = load_table("emergency_plan_structure")["management_rules_production_safety"]["rules"]
    return next(r["interval_months"] for r in rules if r["id"] == rule_id)


def _gov_2024(key: str) -> int:
    """Interval (months) from 突发事件应急预案管理办法 (国办发〔2024〕5号), from the shipped table."""
    return load_table("emergency_plan_structure")["government_plans_2024"]["intervals_months"][key]


_ORDER_88 = "生产安全事故应急预案管理办法（安监总局令第88号，应急管理部令第2号修正）"
_GOV_2024 = "突发事件应急预案管理办法（国办发〔2024〕5号）"

DRILL_RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule(
            "comprehensive",
            _rule_88("art33-1"),
            f"{_ORDER_88}第三十三条",
            "生产经营单位综合应急预案演练，每年至少一次",
        ),
        Rule(
            "special",
            _rule_88("art33-1"),
            f"{_ORDER_88}第三十三条",
            "生产经营单位专项应急预案演练，每年至少一次",
        ),
        Rule("onsite", _rule_88("art33-1b"), f"{_ORDER_88}第三十三条", "现场处置方案演练，每半年至少一次"),
        Rule(
            "high_risk",
            _rule_88("art33-2"),
            f"{_ORDER_88}第三十三条第二款；生产安全事故应急条例（国务院令第708号）第八条",
            "高危行业及人员密集场所经营单位，每半年至少一次并报送演练情况",
        ),
        Rule(
            "government",
            _rule_88("art32"),
            f"{_ORDER_88}第三十二条；国务院令第708号第八条",
            "地方各级人民政府应急管理部门（生产安全事故应急预案），至少每两年一次",
        ),
        Rule(
            "government_special",
            _gov_2024("special_and_department_plan_drill"),
            _GOV_2024,
            "政府专项应急预案、部门应急预案，每3年至少一次",
        ),
    )
}
REVIEW_RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule(
            "enterprise",
            _rule_88("art35"),
            f"{_ORDER_88}第三十五条",
            "高危及中型规模以上单位应急预案评估，每三年一次",
        ),
        Rule(
            "government",
            _gov_2024("local_government_plan_review"),
            _GOV_2024,
            "县级以上地方人民政府及其部门应急预案，原则上每3年评估一次",
        ),
    )
}
_ALIASES = {
    "综合": "comprehensive",
    "综合应急预案": "comprehensive",
    "专项": "special",
    "专项应急预案": "special",
    "现场处置": "onsite",
    "现场处置方案": "onsite",
    "on_site": "onsite",
    "高危": "high_risk",
    "政府": "government",
    "政府专项": "government_special",
    "部门": "government_special",
    "department": "government_special",
    "企业": "enterprise",
    "生产经营单位": "enterprise",
}


def _rule(table: dict[str, Rule], key: object, what: str) -> Rule:
    name = normalise_text(key).replace("-", "_") if isinstance(key, str) else ""
    name = _ALIASES.get(name, name)
    if name not in table:
        raise UnknownRule(f"未知{what}规则 {key!r}，可用：{', '.join(table)}（unknown {what} rule）")
    return table[name]


def drill_due(last_drill: date, rule: str = "comprehensive") -> date:
    """Next drill date for a plan under ``rule`` (a DRILL_RULES key such as "onsite", or 现场处置)."""
    return next_due(last_drill, _rule(DRILL_RULES, rule, "演练").interval_months)


def plan_review_due(last_review: date, rule: str = "enterprise") -> date:
    """Next plan evaluation (评估) date: "enterprise" (88号令 art. 35) or "government" (国办发〔2024〕5号)."""
    return next_due(last_review, _rule(REVIEW_RULES, rule, "评估").interval_months)
