"""Great-circle distance on the WGS-84 mean sphere, for scalars or numpy arrays alike."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["EARTH_RADIUS_M", "haversine_m"]

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean Earth radius, metres


def haversine_m(lng1: ArrayLike, lat1: ArrayLike, lng2: ArrayLike, lat2: ArrayLike) -> NDArray[np.float64]:
    """Great-circle distance in metres between (lng1, lat1) and (lng2, lat2), all in degrees; broadcasts."""
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(a, dtype=np.float64)) for a in (lng1, lat1, lng2, lat2))
    h = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
