"""Coordinate systems used in China (WGS-84/CGCS2000, GCJ-02, BD-09) and small geometry helpers."""

from yingji.domain.geo.coords import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    in_china,
    looks_swapped,
    to_display,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)
from yingji.domain.geo.distance import haversine_m

__all__ = [
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "in_china",
    "looks_swapped",
    "to_display",
    "haversine_m",
]
