"""Rule templates for the meteorological signals, with thresholds read from `yingji.domain.standards.weather`.

The standard's signal functions are the single source: for each observation a function accepts, the template
finds (by bisection over whole units) the least value at which the function alone gives each level, and turns
it into a window aggregate over the observation's window. 暴雨 3 h ≥ 100 mm 红 becomes
`{"of": {"agg": "sum", "hours": 3}, "op": ">=", "value": 100}` on rain gauges.
"""

from __future__ import annotations

from collections.abc import Callable

from yingji.domain.standards import weather

__all__ = ["least_value", "rainstorm", "heat", "TEMPLATES"]


def least_value(fn: Callable, param: str, level: int, high: int = 1000, low: int = -100) -> int | None:
    """The least whole value of `param` alone for which `fn` gives `level` or a more severe one."""

    def meets(x: int) -> bool:
        got = fn(**{param: x})
        return got is not None and got.level <= level

    if not meets(high):
        return None
    while high - low > 1:
        mid = (low + high) // 2
        if meets(mid):
            high = mid
        else:
            low = mid
    return high


def _rule(level: int, sensors: dict, parts: list[dict], stale_minutes: int) -> dict:
    when = parts[0] if len(parts) == 1 else {"any": parts}
    return {"level": level, "match": "all",
            "clauses": [{"sensors": sensors, "min_sensors": 1, "stale_minutes": stale_minutes, "when": when}]}


def rainstorm(sensors: dict | None = None) -> list[dict]:
    """暴雨 signals on rain gauges (readings are the rain in mm since the previous reading): 3, 6, 12 h sums."""
    sensors = sensors or {"kind": "rain"}
    windows = {"rain_3h_mm": 3, "rain_6h_mm": 6, "rain_12h_mm": 12}
    out = []
    for level in (1, 2, 3, 4):
        found = [(hours, v) for param, hours in windows.items()
                 if (v := least_value(weather.rainstorm_signal, param, level)) is not None]
        # Rain is never negative, so a sum over a shorter window at a higher value implies a longer window's
        # lower one (3 h ≥ 50 implies 6 h ≥ 50): keep only the weakest parts.
        parts = [{"of": {"agg": "sum", "hours": h}, "op": ">=", "value": v} for h, v in found
                 if not any((h2, v2) != (h, v) and h <= h2 and v >= v2 for h2, v2 in found)]
        if parts:
            out.append(_rule(level, sensors, parts, stale_minutes=60))
    return out


def heat(sensors: dict | None = None) -> list[dict]:
    """高温 signals on thermometers: the 24 h maximum, and for 黄 the least of three days' rolling maxima."""
    sensors = sensors or {"kind": "temperature"}
    out = []
    for level in (1, 2, 3):
        parts = []
        v = least_value(weather.heat_signal, "max_next_24h_c", level)
        if v is not None:
            parts.append({"of": {"agg": "max", "hours": 24}, "op": ">=", "value": v})
        v3 = least_value(weather.heat_signal, "min_of_next_3_daily_max_c", level)
        if v3 is not None:
            parts.append({"of": {"agg": "min", "hours": 48, "of": {"agg": "max", "hours": 24}},
                          "op": ">=", "value": v3})
        if parts:
            out.append(_rule(level, sensors, parts, stale_minutes=180))
    return out


TEMPLATES: dict[str, Callable[..., list[dict]]] = {"rainstorm": rainstorm, "heat": heat}
