"""Driving speeds: the per-highway-class table (km/h) and parsing of OSM `maxspeed` values."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["DEFAULT_CLASS_SPEEDS_KMH", "ZONE_SPEEDS_KMH", "SpeedTable", "parse_maxspeed"]

# Typical speeds (km/h) an emergency vehicle actually reaches in city traffic on each OSM highway class.
# A class missing from the table is not drivable (footway, cycleway, steps, track, construction...).
DEFAULT_CLASS_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "motorway": 90.0,
        "motorway_link": 45.0,
        "trunk": 70.0,
        "trunk_link": 40.0,
        "primary": 50.0,
        "primary_link": 35.0,
        "secondary": 40.0,
        "secondary_link": 30.0,
        "tertiary": 35.0,
        "tertiary_link": 25.0,
        "unclassified": 25.0,
        "residential": 25.0,
        "road": 20.0,
        "living_street": 10.0,
        "service": 15.0,
    }
)

# Implicit limits written as "<country>:<zone>" (e.g. "RU:urban", "DE:zone30"), in km/h. Country-specific
# values differ by a few km/h; these are common European/Chinese figures and only used when no number is tagged.
ZONE_SPEEDS_KMH: Mapping[str, float] = MappingProxyType(
    {
        "urban": 50.0,
        "rural": 80.0,
        "trunk": 90.0,
        "motorway": 110.0,
        "living_street": 10.0,
        "walk": 6.0,
        "bicycle_road": 30.0,
        "school": 30.0,
    }
)

_UNIT_TO_KMH = {"": 1.0, "km/h": 1.0, "kmh": 1.0, "kph": 1.0, "mph": 1.609344, "knots": 1.852}
_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)
_ZONE_NUMBER = re.compile(r"zone:?(\d+)$", re.IGNORECASE)


def parse_maxspeed(value: str | None) -> float | None:
    """Parse an OSM `maxspeed` value to km/h, or None when it gives no usable number.

    Handles "50", "50 mph", "30 knots", "RU:urban", "DE:zone30", "walk" and lists such as "50;30"
    (the lowest wins, because the slower part limits a vehicle that has to drive it). "none",
    "signals" and "variable" return None so the caller falls back to the class speed.
    """
    if not value:
        return None
    speeds = [s for s in (_parse_one(part) for part in value.split(";")) if s is not None]
    return min(speeds) if speeds else None


def _parse_one(text: str) -> float | None:
    text = text.strip()
    match = _NUMBER.match(text)
    if match:
        kmh = float(match.group(1)) * _UNIT_TO_KMH[(match.group(2) or "").lower()]
        return kmh if kmh > 0 else None
    zone = text.split(":", 1)[1] if ":" in text else text
    zone = zone.strip().lower()
    numbered = _ZONE_NUMBER.match(zone)
    if numbered:
        return float(numbered.group(1))
    return ZONE_SPEEDS_KMH.get(zone)


@dataclass(frozen=True)
class SpeedTable:
    """Which highway classes are drivable and how fast (km/h); `maxspeed` tags override the class speed.

    `use_maxspeed` scales a tagged limit by `maxspeed_factor` (1.0: drive at the limit) and never goes
    above `max_kmh` or below `min_kmh`, so a typo like "maxspeed=500" cannot create a wormhole.
    """

    class_kmh: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CLASS_SPEEDS_KMH))
    use_maxspeed: bool = True
    maxspeed_factor: float = 1.0
    min_kmh: float = 5.0
    max_kmh: float = 130.0

    def is_drivable(self, highway: str | None) -> bool:
        """True when the OSM `highway` class is in the table."""
        return highway is not None and highway in self.class_kmh

    def speed_kmh(self, highway: str, maxspeed: str | None = None) -> float:
        """Speed in km/h for a way of class `highway` with an optional raw `maxspeed` tag."""
        kmh = self.class_kmh[highway]
        if self.use_maxspeed:
            tagged = parse_maxspeed(maxspeed)
            if tagged is not None:
                kmh = tagged * self.maxspeed_factor
        return min(max(kmh, self.min_kmh), self.max_kmh)
