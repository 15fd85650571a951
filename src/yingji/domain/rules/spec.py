"""Rules as JSON: parse and check a definition into frozen dataclasses the kernel and the oracle evaluate.

A rule fires a warning level when its clauses hold (all or any of them). A clause selects sensors and holds at a
moment when at least `min_sensors` of them are in the condition's state (a sensor's state is its latest
reading's, for `stale_minutes` after it). A condition compares a series with a threshold, needs an inner
condition for N consecutive readings (`persist`), or combines conditions of the same sensor (`all`/`any`). A
series is the reading itself or a window aggregate over the last minutes or hours (sum, max, mean, min, count,
change, rate per hour), optionally of another series:

    {"level": 2, "match": "all", "clauses": [
        {"sensors": {"kind": "rain"}, "min_sensors": 1, "stale_minutes": 60,
         "when": {"of": {"agg": "sum", "hours": 3}, "op": ">=", "value": 50}}]}

Every error names the path of the offending part and carries a stable `code` with its `params`, so the
platform's edge says it in the user's language (monitoring.services); `message` is the Chinese text with an
English gloss, for logs and the command line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["RuleError", "Series", "Compare", "Persist", "Combine", "Clause", "Rule", "parse", "AGGS", "OPS",
           "lookback_ms", "MINUTE_MS"]

MINUTE_MS = 60_000
AGGS = ("sum", "max", "mean", "min", "count", "change", "rate")
OPS = (">=", ">", "<=", "<")
MAX_WINDOW_MINUTES = 31 * 24 * 60
MAX_DEPTH = 6
MAX_ID = 2**63 - 1  # a sensor id is a 64-bit database key


def _g(x) -> str:
    """A limit or value as people write it: 1000, 0.5, 9223372036854775807 (never 9.22337e+18)."""
    return str(x) if isinstance(x, int) else f"{x:g}"


# code → (Chinese, English); str.format fields are the error's params.
MESSAGES = {
    "not_number": ("应为数字，收到 {got}", "must be a number"),
    "not_finite": ("应为有限数字，收到 {got}", "must be finite"),
    "not_integer": ("应为整数，收到 {got}", "must be an integer"),
    "too_small": ("不能小于 {low}，收到 {got}", "must be ≥ {low}"),
    "too_large": ("不能大于 {high}，收到 {got}", "must be ≤ {high}"),
    "not_object": ("应为对象，收到 {got}", "must be an object"),
    "unknown_keys": ("未知字段 {keys}；可用：{allowed}", "unknown keys"),
    "window": ("窗口须给出 minutes 或 hours 之一", "give minutes or hours"),
    "too_deep": ("嵌套超过 {max} 层", "nested too deep"),
    "unknown_agg": ("未知聚合 {got}；可用：{allowed}", "unknown aggregate"),
    "all_or_any": ("all 与 any 只能取其一", "all or any, not both"),
    "empty_list": ("应为非空列表", "must be a non-empty list"),
    "persist_when": ("持续条件须给出 when", "persist needs when"),
    "unknown_op": ("未知比较 {got}；可用：{allowed}", "unknown operator"),
    "no_value": ("须给出阈值", "threshold missing"),
    "no_selector": ("须选择传感器：kind、ids 或 codes", "select sensors"),
    "not_text": ("应为文本", "must be text"),
    "not_text_list": ("应为文本列表", "must be a list of text"),
    "bad_match": ("应为 all 或 any，收到 {got}", "must be all or any"),
    "no_condition": ("须给出条件", "condition missing"),
}


class RuleError(ValueError):
    """A rule definition that cannot be evaluated; `path` names the offending part ("clauses[0].when.op"),
    `code` and `params` what is wrong (MESSAGES), `message` says it in Chinese with an English gloss."""

    def __init__(self, path: str, code: str, **params: Any):
        zh, en = MESSAGES[code]
        message = f"{zh.format(**params)}（{en.format(**params)}）"
        super().__init__(f"{path}: {message}" if path else message)
        self.path, self.code, self.params, self.message = path, code, params, message


@dataclass(frozen=True)
class Series:
    """The raw reading (agg None) or an aggregate over the window (t - window_ms, t] of the inner series."""

    agg: str | None = None
    window_ms: int = 0
    of: Series | None = None


@dataclass(frozen=True)
class Compare:
    series: Series
    op: str
    value: float


@dataclass(frozen=True)
class Persist:
    count: int
    when: Condition


@dataclass(frozen=True)
class Combine:
    mode: str  # "all" | "any"
    parts: tuple[Condition, ...]


Condition = Compare | Persist | Combine


@dataclass(frozen=True)
class Clause:
    sensors: dict
    when: Condition
    min_sensors: int = 1
    stale_ms: int = 60 * MINUTE_MS


@dataclass(frozen=True)
class Rule:
    level: int
    clauses: tuple[Clause, ...]
    match: str = "all"


def _number(raw: Any, path: str, *, integer: bool = False, low: float | None = None,
            high: float | None = None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise RuleError(path, "not_number", got=repr(raw))
    if not math.isfinite(raw):
        raise RuleError(path, "not_finite", got=repr(raw))
    if integer and int(raw) != raw:
        raise RuleError(path, "not_integer", got=repr(raw))
    if low is not None and raw < low:
        raise RuleError(path, "too_small", low=_g(low), got=_g(raw))
    if high is not None and raw > high:
        raise RuleError(path, "too_large", high=_g(high), got=_g(raw))
    return int(raw) if integer else float(raw)


def _object(raw: Any, path: str, allowed: set[str]) -> dict:
    if not isinstance(raw, dict):
        raise RuleError(path, "not_object", got=type(raw).__name__)
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise RuleError(path, "unknown_keys", keys=", ".join(unknown), allowed=", ".join(sorted(allowed)))
    return raw


def _window(raw: dict, path: str) -> int:
    if ("minutes" in raw) == ("hours" in raw):
        raise RuleError(path, "window")
    minutes = _number(raw["minutes"], f"{path}.minutes", low=1, high=MAX_WINDOW_MINUTES) if "minutes" in raw \
        else _number(raw["hours"], f"{path}.hours", low=1 / 60, high=MAX_WINDOW_MINUTES / 60) * 60
    return int(round(minutes * MINUTE_MS))


def _series(raw: Any, path: str, depth: int) -> Series:
    if raw is None or raw == "value":
        return Series()
    if depth > MAX_DEPTH:
        raise RuleError(path, "too_deep", max=MAX_DEPTH)
    raw = _object(raw, path, {"agg", "minutes", "hours", "of"})
    agg = raw.get("agg")
    if agg not in AGGS:
        raise RuleError(f"{path}.agg", "unknown_agg", got=repr(agg), allowed=", ".join(AGGS))
    return Series(agg, _window(raw, path), _series(raw.get("of"), f"{path}.of", depth + 1)
                  if raw.get("of") not in (None, "value") else None)


def _condition(raw: Any, path: str, depth: int) -> Condition:
    if depth > MAX_DEPTH:
        raise RuleError(path, "too_deep", max=MAX_DEPTH)
    if isinstance(raw, dict) and ("all" in raw or "any" in raw):
        raw = _object(raw, path, {"all", "any"})
        if len(raw) != 1:
            raise RuleError(path, "all_or_any")
        mode, parts = next(iter(raw.items()))
        if not isinstance(parts, list) or not parts:
            raise RuleError(f"{path}.{mode}", "empty_list")
        return Combine(mode, tuple(_condition(p, f"{path}.{mode}[{i}]", depth + 1) for i, p in enumerate(parts)))
    if isinstance(raw, dict) and "persist" in raw:
        raw = _object(raw, path, {"persist", "when"})
        count = _number(raw["persist"], f"{path}.persist", integer=True, low=1, high=1000)
        if "when" not in raw:
            raise RuleError(f"{path}.when", "persist_when")
        return Persist(count, _condition(raw["when"], f"{path}.when", depth + 1))
    raw = _object(raw, path, {"of", "op", "value"})
    if raw.get("op") not in OPS:
        raise RuleError(f"{path}.op", "unknown_op", got=repr(raw.get("op")), allowed=" ".join(OPS))
    if "value" not in raw:
        raise RuleError(f"{path}.value", "no_value")
    return Compare(_series(raw.get("of"), f"{path}.of", depth + 1), raw["op"],
                   _number(raw["value"], f"{path}.value"))


def _selector(raw: Any, path: str) -> dict:
    raw = _object(raw, path, {"kind", "ids", "codes"})
    if not raw:
        raise RuleError(path, "no_selector")
    if "kind" in raw and not isinstance(raw["kind"], str):
        raise RuleError(f"{path}.kind", "not_text")
    for key in ("ids", "codes"):
        if key in raw and (not isinstance(raw[key], list) or not raw[key]):
            raise RuleError(f"{path}.{key}", "empty_list")
    if "ids" in raw:
        for i, v in enumerate(raw["ids"]):
            _number(v, f"{path}.ids[{i}]", integer=True, low=1, high=MAX_ID)
    if "codes" in raw and not all(isinstance(c, str) for c in raw["codes"]):
        raise RuleError(f"{path}.codes", "not_text_list")
    return dict(raw)


def parse(raw: Any) -> Rule:
    """Check a JSON rule definition and return it as a Rule; RuleError names the first fault."""
    raw = _object(raw, "", {"level", "match", "clauses"})
    level = _number(raw.get("level"), "level", integer=True, low=1, high=4)
    match = raw.get("match", "all")
    if match not in ("all", "any"):
        raise RuleError("match", "bad_match", got=repr(match))
    clauses = raw.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        raise RuleError("clauses", "empty_list")
    out = []
    for i, c in enumerate(clauses):
        path = f"clauses[{i}]"
        c = _object(c, path, {"sensors", "when", "min_sensors", "stale_minutes"})
        if "when" not in c:
            raise RuleError(f"{path}.when", "no_condition")
        out.append(Clause(
            sensors=_selector(c.get("sensors", {}), f"{path}.sensors"),
            when=_condition(c["when"], f"{path}.when", 1),
            min_sensors=_number(c.get("min_sensors", 1), f"{path}.min_sensors", integer=True, low=1, high=10_000),
            stale_ms=int(_number(c.get("stale_minutes", 60), f"{path}.stale_minutes", low=1,
                                 high=MAX_WINDOW_MINUTES) * MINUTE_MS),
        ))
    return Rule(level=level, clauses=tuple(out), match=match)


def _series_span(s: Series | None) -> int:
    return 0 if s is None or s.agg is None else s.window_ms + _series_span(s.of)


def _cond_span(c: Condition, gap_ms: int) -> int:
    if isinstance(c, Compare):
        return _series_span(c.series)
    if isinstance(c, Persist):
        return c.count * gap_ms + _cond_span(c.when, gap_ms)
    return max(_cond_span(p, gap_ms) for p in c.parts)


def lookback_ms(rule: Rule, gap_ms: int = 60 * MINUTE_MS) -> int:
    """How far before a new reading the data must reach for the rule to see the reading in full context
    (`gap_ms`: the longest expected gap between two readings, for persistence counted in readings)."""
    return max(_cond_span(c.when, gap_ms) + c.stale_ms for c in rule.clauses)
