"""Generic reads of any registered type, always restricted: text, exact, capability, hazard, unit, flag and
geographic filters (distance, box, polygon).

Distance: an indexed lat/lng bounding box in SQL first, then the exact haversine in Python (numpy) on the few
rows left. Polygon: the polygon's bounds in SQL, then shapely's vectorised point-in-polygon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from yingji.core import permissions
from yingji.core.errors import BadRequest
from yingji.core.filters import exact_q
from yingji.core.geojson import parse_bbox, parse_point, parse_polygon  # noqa: F401 — re-exported
from yingji.core.kinds.registry import Kind
from yingji.core.models import OrgUnit
from yingji.core.models.place import band_of
from yingji.core.roles import Action
from yingji.domain.geo.distance import EARTH_RADIUS_M, haversine_m

__all__ = ["Filters", "parse_point", "parse_bbox", "parse_polygon", "search", "in_box", "within_radius"]



@dataclass
class Filters:
    within: OrgUnit | None = None
    q: str | None = None
    capability: str | None = None
    exact: dict | None = None
    near: tuple[float, float] | None = None  # (lng, lat)
    radius_km: float | None = None
    bbox: tuple[float, float, float, float] | None = None  # (west, south, east, north)
    polygon: object | None = None  # shapely geometry
    hazard: str | None = None
    flags: dict | None = None  # {flag name: value} for the type's own filters (Kind.flags)


def _box_around(lng: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * coslat)))
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


MAX_BANDS = 2000


def in_box(qs: QuerySet, w: float, s: float, e: float, n: float) -> QuerySet:
    """Rows of `qs` inside the box, through the (lat_band, lng, lat) index: one index range per band."""
    qs = qs.filter(lat__gte=s, lat__lte=n, lng__gte=w, lng__lte=e)
    first, last = band_of(s), band_of(n)
    if last - first < MAX_BANDS:
        qs = qs.filter(lat_band__in=RawSQL(",".join(str(b) for b in range(first, last + 1)), []))
    return qs


def within_radius(qs: QuerySet, lng: float, lat: float, radius_m: float) -> dict[int, float]:
    """{pk: metres} of rows of `qs` within `radius_m` of the point: SQL bounding box, then exact haversine."""
    w, s, e, n = _box_around(lng, lat, radius_m)
    rows = list(in_box(qs, w, s, e, n).order_by().values_list("pk", "lat", "lng"))
    if not rows:
        return {}
    arr = np.asarray(rows, dtype=float)
    dist = haversine_m(lng, lat, arr[:, 2], arr[:, 1])
    keep = dist <= radius_m
    return dict(zip(arr[keep, 0].astype(np.int64).tolist(), dist[keep].tolist(), strict=True))


def _only_ids(qs: QuerySet, ids) -> QuerySet:
    """`qs` narrowed to `ids` (ints we computed): inlined, because preparing thousands of parameters one by one
    costs more than the spatial query itself."""
    text = ",".join(str(int(i)) for i in ids)
    if not text:
        return qs.none()
    return qs.filter(pk__in=RawSQL(text, []))


def search(user, kind: Kind, f: Filters, action: str = Action.VIEW) -> tuple[QuerySet, dict[int, float] | None]:
    """The restricted, filtered queryset of one resource type, and distances in metres when `near` was given."""
    qs = kind.model._default_manager.restrict(user, action)
    if f.within is not None:
        qs = qs.filter(permissions.scope_q(kind.model, [f.within.path]))
    if f.q:
        cond = Q()
        for name in kind.search:
            cond |= Q(**{f"{name}__icontains": f.q})
        qs = qs.filter(cond)
    for name, value in (f.exact or {}).items():
        if name not in kind.filters:
            raise BadRequest(_("不支持的筛选条件：%(n)s") % {"n": name}, code="bad_filter")
        if value in (None, ""):
            continue
        qs = qs.filter(exact_q(kind.model, name, value))
    if f.capability:
        if not kind.capable:
            raise BadRequest(_("该类数据没有能力标签"), code="bad_filter")
        for code in f.capability.split(","):
            qs = qs.filter(capability_index__contains=f",{code.strip()},")
    if f.hazard:
        if not kind.hazard_tagged:
            raise BadRequest(_("该类数据没有灾种标签"), code="bad_filter")
        for code in f.hazard.split(","):
            qs = qs.filter(hazard_index__contains=f",{code.strip()},")
    flags = {fl.name: fl for fl in kind.flags}
    for name, value in (f.flags or {}).items():
        if name not in flags:
            raise BadRequest(_("不支持的筛选条件：%(n)s") % {"n": name}, code="bad_filter")
        if value not in (None, False, ""):
            qs = flags[name].apply(qs, value)
    geo_filter = f.near is not None or f.bbox is not None or f.polygon is not None
    if geo_filter and not kind.geo:
        raise BadRequest(_("该类数据没有位置，不能按位置筛选"), code="bad_filter")
    if f.bbox is not None:
        qs = in_box(qs, *f.bbox)
    if f.polygon is not None:
        w, s, e, n = f.polygon.bounds
        rows = list(in_box(qs, w, s, e, n).order_by().values_list("pk", "lng", "lat"))
        if rows:
            arr = np.asarray(rows, dtype=float)
            inside = shapely.contains_xy(f.polygon, arr[:, 1], arr[:, 2]) | shapely.intersects_xy(
                f.polygon.boundary, arr[:, 1], arr[:, 2])
            ids = [int(pk) for pk in arr[inside, 0]]
        else:
            ids = []
        qs = _only_ids(qs, ids)
    distances = None
    if f.near is not None:
        if not f.radius_km or f.radius_km <= 0:
            raise BadRequest(_("按距离筛选需要 radius_km（大于零）"), code="bad_near")
        distances = within_radius(qs, f.near[0], f.near[1], f.radius_km * 1000)
        qs = _only_ids(qs, distances)
    return qs, distances
