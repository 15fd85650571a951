"""Spherical geometry helpers: great-circle distances in metres and geocentric coordinates for KD-trees."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from yingji.domain.geo.distance import EARTH_RADIUS_M, haversine_m

__all__ = ["EARTH_RADIUS_M", "haversine_m", "to_xyz", "chord_to_arc_m", "as_points"]


def as_points(points: ArrayLike) -> NDArray[np.float64]:
    """Return `points` as an (n, 2) float array of (lon, lat) degrees; a single pair becomes one row."""
    arr = np.asarray(points, dtype=np.float64)
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"expected (lon, lat) pairs, got an array of shape {np.shape(points)}")
    return arr


def to_xyz(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.float64]:
    """Geocentric (x, y, z) in metres on a spherical Earth, shape (n, 3).

    Straight-line (chord) distance in this space orders points exactly like great-circle distance,
    anywhere on the globe, so a KD-tree over it needs no projection zone or centre point.
    """
    lam = np.radians(np.asarray(lon, dtype=np.float64))
    phi = np.radians(np.asarray(lat, dtype=np.float64))
    cos_phi = np.cos(phi)
    return EARTH_RADIUS_M * np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_arc_m(chord_m: ArrayLike) -> NDArray[np.float64]:
    """Convert a chord length in metres to the great-circle (surface) distance in metres."""
    chord = np.asarray(chord_m, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return 2 * EARTH_RADIUS_M * np.arcsin(np.clip(chord / (2 * EARTH_RADIUS_M), 0.0, 1.0))
