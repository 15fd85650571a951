"""Meteorological warning signals under 中国气象局令第16号 (2007): the highest level whose criterion holds.

Implemented for the verified types: 暴雨, 高温, 大风, 台风, 暴雪, 寒潮. Each observation is the forecast
(or already observed) extreme within its window; "以上" includes the threshold.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ._data import load_table
from ._numbers import normalise_text, to_decimal
from .errors import InvalidObservation, MissingInput, UnknownHazard

__all__ = [
    "WarningLevel",
    "signal",
    "rainstorm_signal",
    "heat_signal",
    "gale_signal",
    "typhoon_signal",
    "blizzard_signal",
    "cold_wave_signal",
    "criteria_text",
    "HAZARDS",
]

_EN_NAMES = {
    "rainstorm": "Rainstorm",
    "heat": "Heat Wave",
    "gale": "Gale",
    "typhoon": "Typhoon",
    "blizzard": "Snowstorm",
    "cold_wave": "Cold Wave",
}
_ZH_NAMES = {
    "rainstorm": "暴雨",
    "heat": "高温",
    "gale": "大风",
    "typhoon": "台风",
    "blizzard": "暴雪",
    "cold_wave": "寒潮",
}
# Single-source transcriptions in weather_signals.json, not evaluated (see docs/standards.md).
_UNVERIFIED = {
    "sandstorm": "沙尘暴",
    "drought": "干旱",
    "lightning": "雷电",
    "hail": "冰雹",
    "frost": "霜冻",
    "fog": "大雾",
    "haze": "霾",
    "road_icing": "道路结冰",
}
_ALIASES = {
    "heavy_rain": "rainstorm",
    "high_temperature": "heat",
    "heat_wave": "heat",
    "strong_wind": "gale",
    "wind": "gale",
    "snowstorm": "blizzard",
    "heavy_snow": "blizzard",
    "dust_storm": "sandstorm",
    "thunder": "lightning",
    "thunderstorm": "lightning",
    "road_ice": "road_icing",
}


@dataclass(frozen=True)
class WarningLevel:
    """A signal: level 1 (红色, most severe) … 4 (蓝色), its colours and names in both languages."""

    hazard: str
    hazard_zh: str
    level: int
    roman: str
    colour: str
    colour_zh: str
    severity_zh: str
    name_zh: str
    name_en: str


def _warning(hazard: str, level: int) -> WarningLevel:
    row = next(r for r in load_table("warning_levels")["warning_levels"]["levels"] if r["level"] == level)
    return WarningLevel(
        hazard=hazard,
        hazard_zh=_ZH_NAMES[hazard],
        level=level,
        roman=row["roman"],
        colour=row["color"],
        colour_zh=row["color_zh"],
        severity_zh=row["label_2006"],
        name_zh=f"{_ZH_NAMES[hazard]}{row['color_zh']}预警信号",
        name_en=f"{_EN_NAMES[hazard]} {row['color'].capitalize()} Warning",
    )


def _values(hazard: str, negative_ok: bool = False, **given: object) -> dict[str, Decimal | None]:
    """Parse the observations that were given; at least one is required."""
    if all(v is None for v in given.values()):
        raise InvalidObservation(
            f"{_ZH_NAMES[hazard]}信号至少需要一个观测值：{', '.join(given)}（no observation given）"
        )
    return {
        k: None
        if v is None
        else to_decimal(v, f"{_ZH_NAMES[hazard]}观测值 {k}", k, allow_negative=negative_ok)
        for k, v in given.items()
    }


def _nested(*values: Decimal | None) -> Decimal | None:
    """Extreme over a window from the extremes of windows inside it: a 6 h figure bounds 12 h and 24 h."""
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _at_least(value: Decimal | None, threshold: int) -> bool:
    return value is not None and value >= threshold


def _highest(hazard: str, met: dict[int, bool]) -> WarningLevel | None:
    for level in (1, 2, 3, 4):
        if met.get(level):
            return _warning(hazard, level)
    return None


def rainstorm_signal(
    rain_3h_mm: object = None, rain_6h_mm: object = None, rain_12h_mm: object = None
) -> WarningLevel | None:
    """暴雨: 3 h ≥ 100 mm 红; 3 h ≥ 50 橙; 6 h ≥ 50 黄; 12 h ≥ 50 蓝."""
    v = _values("rainstorm", rain_3h_mm=rain_3h_mm, rain_6h_mm=rain_6h_mm, rain_12h_mm=rain_12h_mm)
    h3 = v["rain_3h_mm"]
    h6 = _nested(h3, v["rain_6h_mm"])
    h12 = _nested(h6, v["rain_12h_mm"])
    return _highest(
        "rainstorm",
        {1: _at_least(h3, 100), 2: _at_least(h3, 50), 3: _at_least(h6, 50), 4: _at_least(h12, 50)},
    )


def heat_signal(
    min_of_next_3_daily_max_c: object = None, max_next_24h_c: object = None
) -> WarningLevel | None:
    """高温 (no blue): 24 h max ≥ 40 ℃ 红; ≥ 37 ℃ 橙; three consecutive daily maxima all ≥ 35 ℃ 黄."""
    v = _values(
        "heat",
        negative_ok=True,
        min_of_next_3_daily_max_c=min_of_next_3_daily_max_c,
        max_next_24h_c=max_next_24h_c,
    )
    day = v["max_next_24h_c"]
    return _highest(
        "heat",
        {1: _at_least(day, 40), 2: _at_least(day, 37), 3: _at_least(v["min_of_next_3_daily_max_c"], 35)},
    )


def _wind(hazard: str, thresholds: dict[int, tuple[int, int, int]], **given: object) -> WarningLevel | None:
    """Shared by gale and typhoon: level → (window h, mean force, gust force), mean OR gust."""
    v = _values(hazard, **given)
    mean = {6: v["mean_force_6h"], 12: v["mean_force_12h"], 24: v["mean_force_24h"]}
    gust = {6: v["gust_force_6h"], 12: v["gust_force_12h"], 24: v["gust_force_24h"]}
    for series in (mean, gust):
        series[12] = _nested(series[6], series[12])
        series[24] = _nested(series[12], series[24])
    return _highest(
        hazard,
        {
            level: _at_least(mean[window], m) or _at_least(gust[window], g)
            for level, (window, m, g) in thresholds.items()
        },
    )


def gale_signal(
    mean_force_6h: object = None,
    gust_force_6h: object = None,
    mean_force_12h: object = None,
    gust_force_12h: object = None,
    mean_force_24h: object = None,
    gust_force_24h: object = None,
) -> WarningLevel | None:
    """大风 (Beaufort 级): 24 h mean ≥ 6 or gust ≥ 7 蓝; 12 h 8/9 黄; 6 h 10/11 橙; 6 h 12/13 红."""
    thresholds = {4: (24, 6, 7), 3: (12, 8, 9), 2: (6, 10, 11), 1: (6, 12, 13)}
    return _wind(
        "gale",
        thresholds,
        mean_force_6h=mean_force_6h,
        gust_force_6h=gust_force_6h,
        mean_force_12h=mean_force_12h,
        gust_force_12h=gust_force_12h,
        mean_force_24h=mean_force_24h,
        gust_force_24h=gust_force_24h,
    )


def typhoon_signal(
    mean_force_6h: object = None,
    gust_force_6h: object = None,
    mean_force_12h: object = None,
    gust_force_12h: object = None,
    mean_force_24h: object = None,
    gust_force_24h: object = None,
) -> WarningLevel | None:
    """台风 (under a tropical cyclone): 24 h 6/8 蓝; 24 h 8/10 黄; 12 h 10/12 橙; 6 h 12/14 红."""
    thresholds = {4: (24, 6, 8), 3: (24, 8, 10), 2: (12, 10, 12), 1: (6, 12, 14)}
    return _wind(
        "typhoon",
        thresholds,
        mean_force_6h=mean_force_6h,
        gust_force_6h=gust_force_6h,
        mean_force_12h=mean_force_12h,
        gust_force_12h=gust_force_12h,
        mean_force_24h=mean_force_24h,
        gust_force_24h=gust_force_24h,
    )


def blizzard_signal(snow_6h_mm: object = None, snow_12h_mm: object = None) -> WarningLevel | None:
    """暴雪 (water equivalent): 12 h ≥ 4 mm 蓝; 12 h ≥ 6 黄; 6 h ≥ 10 橙; 6 h ≥ 15 红."""
    v = _values("blizzard", snow_6h_mm=snow_6h_mm, snow_12h_mm=snow_12h_mm)
    h6 = v["snow_6h_mm"]
    h12 = _nested(h6, v["snow_12h_mm"])
    return _highest(
        "blizzard", {1: _at_least(h6, 15), 2: _at_least(h6, 10), 3: _at_least(h12, 6), 4: _at_least(h12, 4)}
    )


def cold_wave_signal(
    drop_24h_c: object = None, drop_48h_c: object = None, min_temp_c: object = None, mean_force: object = None
) -> WarningLevel | None:
    """寒潮: a fall in minimum temperature AND a low minimum AND land mean wind, all together.

    蓝 48 h fall ≥ 8 ℃, min ≤ 4 ℃, wind ≥ 5级; 黄 24 h ≥ 10, ≤ 4, ≥ 6; 橙 24 h ≥ 12, ≤ 0, ≥ 6; 红 24 h ≥ 16, ≤ 0, ≥ 6.
    """
    v = _values("cold_wave", drop_24h_c=drop_24h_c, drop_48h_c=drop_48h_c)
    if min_temp_c is None or mean_force is None:
        raise MissingInput(
            "寒潮信号需要 min_temp_c 和 mean_force（cold wave needs min_temp_c and mean_force）"
        )
    low = to_decimal(min_temp_c, "最低气温", "min_temp_c", allow_negative=True)
    wind = to_decimal(mean_force, "平均风力", "mean_force")
    d24 = v["drop_24h_c"]
    d48 = _nested(d24, v["drop_48h_c"])
    return _highest(
        "cold_wave",
        {
            1: _at_least(d24, 16) and low <= 0 and wind >= 6,
            2: _at_least(d24, 12) and low <= 0 and wind >= 6,
            3: _at_least(d24, 10) and low <= 4 and wind >= 6,
            4: _at_least(d48, 8) and low <= 4 and wind >= 5,
        },
    )


HAZARDS: dict[str, Callable[..., WarningLevel | None]] = {
    "rainstorm": rainstorm_signal,
    "heat": heat_signal,
    "gale": gale_signal,
    "typhoon": typhoon_signal,
    "blizzard": blizzard_signal,
    "cold_wave": cold_wave_signal,
}


def _compact(text: str) -> str:
    """Fold case, full-width forms, spaces, hyphens and underscores: "Cold-Wave" → "coldwave"."""
    return normalise_text(text).replace("-", "").replace("_", "")


def _names() -> dict[str, str]:
    """Every accepted spelling (compacted) → English key."""
    names = {_compact(en): en for en in (*_ZH_NAMES, *_UNVERIFIED)}
    names |= {_compact(alias): en for alias, en in _ALIASES.items()}
    names |= {zh: en for en, zh in (_ZH_NAMES | _UNVERIFIED).items()}
    return names


def _resolve(hazard: object) -> str:
    """English key, alias or Chinese name (暴雨, 暴雨预警信号…) → English key of any of the 14 types."""
    if not isinstance(hazard, str):
        raise UnknownHazard(f"灾种必须是文本：{hazard!r}（hazard must be a string）")
    key = _compact(hazard)
    for suffix in ("预警信号", "信号", "预警"):
        key = key.removesuffix(suffix)
    if key in _names():
        return _names()[key]
    known = ", ".join(f"{en}/{zh}" for en, zh in _ZH_NAMES.items())
    raise UnknownHazard(f"未知灾种 {hazard!r}，可用：{known}（unknown hazard）")


def _hazard_key(hazard: object) -> str:
    """Like _resolve, but only for the types this module evaluates."""
    key = _resolve(hazard)
    if key in _UNVERIFIED:
        raise UnknownHazard(
            f"{_UNVERIFIED[key]}预警信号的判定标准仅有单一来源转录、未经核实，本模块不自动判定；"
            f"可用 criteria_text({hazard!r}) 查看原文（{key}: unverified, not evaluated）"
        )
    return key


def signal(hazard: str, **observations: object) -> WarningLevel | None:
    """Dispatch by hazard (e.g. "rainstorm" or "暴雨") to the matching ``*_signal`` function."""
    key = _hazard_key(hazard)
    func = HAZARDS[key]
    accepted = inspect.signature(func).parameters
    unknown = sorted(set(observations) - set(accepted))
    if unknown:
        raise InvalidObservation(
            f"{_ZH_NAMES[key]}信号不接受观测项 {', '.join(unknown)}；可用：{', '.join(accepted)}"
            f"（unknown observation for {key}）"
        )
    return func(**observations)


def criteria_text(hazard: str) -> tuple[tuple[int, str, str], ...]:
    """Verbatim 16号令 criteria (level, colour, text) for any of the 14 types, for display only."""
    zh = (_ZH_NAMES | _UNVERIFIED)[_resolve(hazard)]
    entry = next(e for e in load_table("weather_signals")["signals"] if e["type_zh"] == zh)
    return tuple((lv["level"], lv["colour"], lv["criterion_zh"]) for lv in entry["levels"])
