"""The four colours of risk (重大/较大/一般/低 → 红/橙/黄/蓝, core.levels.RiskLevel) and how each method's
result maps onto them, and review due dates. The mappings are configurable: setting
YINGJI["RISK_LEVEL_MAPPING"] = {"gb18218": {grade: level}, "lec": {band: level}, "matrix": {level: level}},
and YINGJI["RISK_REVIEW_MONTHS"] = {"major_source": 36, "source": 36, "assessment": 12}.

Defaults: GB 18218 一级/二级 → 重大风险, 三级 → 较大风险, 四级 → 一般风险 (common provincial practice; the standard
itself grades sources, not risks); LEC bands 1–5 → 1, 2, 3, 4, 4 (the LEC four-colour mapping is UNVERIFIED and
varies by province, docs/standards.md); the 5×5 matrix's own levels unchanged."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from yingji.domain.standards import schedule

__all__ = ["DEFAULT_MAPPING", "DEFAULT_REVIEW_MONTHS", "level_for", "review_due", "most_severe"]

DEFAULT_MAPPING = {
    "gb18218": {1: 1, 2: 1, 3: 2, 4: 3},
    "lec": {1: 1, 2: 2, 3: 3, 4: 4, 5: 4},
    "matrix": {1: 1, 2: 2, 3: 3, 4: 4},
}
DEFAULT_REVIEW_MONTHS = {"major_source": 36, "source": 36, "assessment": 12}


def _conf(name: str, default: dict) -> dict:
    return {**default, **(getattr(settings, "YINGJI", {}).get(name) or {})}


def level_for(method: str, value: int | None) -> int | None:
    """The risk level (1 重大 … 4 低) a method's result maps to, or None."""
    if value is None:
        return None
    table = _conf("RISK_LEVEL_MAPPING", DEFAULT_MAPPING)[method]
    level = table.get(int(value), table.get(str(value)))
    return int(level) if level is not None else None


def review_due(last: dt.date, what: str) -> dt.date:
    """The next review date: whole calendar months after the last (domain.standards.schedule.next_due)."""
    return schedule.next_due(last, int(_conf("RISK_REVIEW_MONTHS", DEFAULT_REVIEW_MONTHS)[what]))


def most_severe(*levels: int | None) -> int | None:
    present = [int(v) for v in levels if v is not None]
    return min(present) if present else None
