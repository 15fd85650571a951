"""When each information report (信息报送) of an incident is due: the local rules (e.g. 初报 30 min by phone, 1 h in
writing) and, for production-safety accidents, the limits of 国务院令第493号 from the standards library, whichever
is earlier. Plain data in, plain data out (no database), so the rule is tested on its own."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yingji.domain.standards import accidents

__all__ = ["LocalRule", "Due", "initial_due", "follow_up_due", "final_due", "DEFAULT_RULES"]


@dataclass(frozen=True)
class LocalRule:
    kind: str        # initial | follow_up | final
    channel: str     # phone | written
    minutes: int
    max_level: int = 4  # applies to events of this level or more severe (1 is the most severe)
    basis: str = ""


@dataclass(frozen=True)
class Due:
    kind: str
    channel: str
    due_at: dt.datetime
    basis: str


# Local defaults (editable in the 报送时限 table): 初报 by phone within 30 minutes and in writing within 1 hour;
# 续报 every 24 hours while the response lasts (major events every 4 hours); 终报 within 24 hours of the response
# ending.
DEFAULT_RULES = (
    LocalRule("initial", "phone", 30, 4, "本地规定：电话初报 30 分钟内"),
    LocalRule("initial", "written", 60, 4, "本地规定：书面初报 1 小时内"),
    LocalRule("follow_up", "written", 1440, 4, "本地规定：处置期间每日续报"),
    LocalRule("follow_up", "written", 240, 2, "本地规定：重大以上事件每 4 小时续报"),
    LocalRule("final", "written", 1440, 4, "本地规定：应急处置结束后 24 小时内终报"),
)


def _applicable(rules, kind: str, level: int | None):
    level = level or 4
    return [r for r in rules if r.kind == kind and level <= r.max_level]


def _earliest_per_channel(start: dt.datetime, rules) -> dict[str, Due]:
    out: dict[str, Due] = {}
    for r in rules:
        due = Due(r.kind, r.channel, start + dt.timedelta(minutes=r.minutes), r.basis)
        if r.channel not in out or due.due_at < out[r.channel].due_at:
            out[r.channel] = due
    return out


def initial_due(reported_at: dt.datetime, level: int | None, rules=DEFAULT_RULES, *,
                production_safety: bool = False, deaths: int = 0, serious_injuries: int = 0,
                direct_loss_wan_yuan=0) -> list[Due]:
    """初报 due times per channel. For a production-safety accident the written report is due no later than the
    unit-report limit of 493号令 art. 9 (1 hour), counted from the report of the accident."""
    dues = _earliest_per_channel(reported_at, _applicable(rules, "initial", level))
    if production_safety:
        g = accidents.grade(deaths, serious_injuries, direct_loss_wan_yuan)
        limit = reported_at + g.report_deadlines.unit_report
        written = dues.get("written")
        if written is None or limit < written.due_at:
            dues["written"] = Due("initial", "written", limit, "《生产安全事故报告和调查处理条例》第九条：1 小时内报告")
    return sorted(dues.values(), key=lambda d: (d.due_at, d.channel))


def follow_up_due(last_report_at: dt.datetime, level: int | None, rules=DEFAULT_RULES) -> Due | None:
    """The next 续报: the shortest applicable interval after the last report sent."""
    dues = _earliest_per_channel(last_report_at, _applicable(rules, "follow_up", level))
    return min(dues.values(), key=lambda d: d.due_at) if dues else None


def final_due(response_ended_at: dt.datetime, level: int | None, rules=DEFAULT_RULES) -> Due | None:
    dues = _earliest_per_channel(response_ended_at, _applicable(rules, "final", level))
    return min(dues.values(), key=lambda d: d.due_at) if dues else None
