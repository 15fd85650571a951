"""Conversions between WGS-84 (≈ CGCS2000), GCJ-02 (Gaode/Tencent tiles) and BD-09 (Baidu tiles).

Storage is always WGS-84; these run at display time only. Arguments and results are (lng, lat) degrees.
GCJ-02 is an obfuscation defined only inside China: points outside pass through unchanged.
"""

from __future__ import annotations

import math

__all__ = [
    "in_china",
    "looks_swapped",
    "wgs84_to_gcj02",
    "gcj02_to_wgs84",
    "gcj02_to_bd09",
    "bd09_to_gcj02",
    "wgs84_to_bd09",
    "bd09_to_wgs84",
    "to_display",
]

_A = 6378245.0  # Krasovsky 1940 semi-major axis, metres, as the GCJ-02 algorithm uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0

# Rough bounding box of China used by the GCJ-02 algorithm itself, degrees.
_LNG_MIN, _LNG_MAX, _LAT_MIN, _LAT_MAX = 73.66, 135.05, 3.86, 53.55


def in_china(lng: float, lat: float) -> bool:
    return _LNG_MIN <= lng <= _LNG_MAX and _LAT_MIN <= lat <= _LAT_MAX


def looks_swapped(lat: float, lng: float) -> bool:
    """True when (lat, lng) falls outside China but the same numbers read the other way fall inside."""
    return not in_china(lng, lat) and in_china(lat, lng)


def _shift(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    if not in_china(lng, lat):
        return lng, lat
    dlng, dlat = _shift(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float, tolerance: float = 1e-10) -> tuple[float, float]:
    """Exact inverse by fixed-point iteration (the one-step inverse in common use is off by up to ~1 m)."""
    if not in_china(lng, lat):
        return lng, lat
    w_lng, w_lat = lng, lat
    for _ in range(30):
        g_lng, g_lat = wgs84_to_gcj02(w_lng, w_lat)
        d_lng, d_lat = g_lng - lng, g_lat - lat
        w_lng, w_lat = w_lng - d_lng, w_lat - d_lat
        if abs(d_lng) < tolerance and abs(d_lat) < tolerance:
            break
    return w_lng, w_lat


def gcj02_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    z = math.hypot(lng, lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006


def bd09_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.hypot(x, y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.cos(theta), z * math.sin(theta)


def wgs84_to_bd09(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_bd09(*wgs84_to_gcj02(lng, lat))


def bd09_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    return gcj02_to_wgs84(*bd09_to_gcj02(lng, lat))


_TO = {"wgs84": lambda lng, lat: (lng, lat), "gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def to_display(lng: float, lat: float, crs: str) -> tuple[float, float]:
    """Convert a stored WGS-84 point for a map whose tiles use `crs` ('wgs84', 'gcj02' or 'bd09')."""
    try:
        return _TO[crs](lng, lat)
    except KeyError:
        raise ValueError(f"unknown coordinate system {crs!r}; expected one of {sorted(_TO)}") from None
