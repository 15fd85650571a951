"""Reads of the resource registry, always restricted; the geographic filters and the readiness picture.

Distance: an indexed lat/lng bounding box in SQL first, then the exact haversine in Python (numpy) on the few
rows left. Polygon: the polygon's bounds in SQL, then shapely's vectorised point-in-polygon.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import shapely
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import permissions
from yingji.core.errors import BadRequest
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.domain.geo.distance import EARTH_RADIUS_M, haversine_m
from yingji.resources.models import Equipment, EquipmentStatus, Readiness, StockBatch, Team, Warehouse
from yingji.resources.models.base import band_of
from yingji.resources.registry import Kind

__all__ = ["Filters", "parse_point", "parse_bbox", "parse_polygon", "search", "in_box", "within_radius", "readiness",
           "capability_supply"]



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
    below_min: bool = False
    expiring_days: int | None = None
    overdue: bool = False


def parse_point(text: str) -> tuple[float, float]:
    try:
        lng, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(_("near 格式应为 经度,纬度"), code="bad_near") from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        raise BadRequest(_("near 坐标超出范围"), code="bad_near")
    return lng, lat


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(_("bbox 格式应为 西,南,东,北"), code="bad_bbox") from None
    if not (w <= e and s <= n):
        raise BadRequest(_("bbox 格式应为 西,南,东,北"), code="bad_bbox")
    return w, s, e, n


def parse_polygon(geojson) -> object:
    import json

    try:
        data = json.loads(geojson) if isinstance(geojson, str) else geojson
        data = data.get("geometry", data)
        geom = shapely.geometry.shape(data)
    except Exception:  # noqa: BLE001 — anything unparsable is the caller's input
        raise BadRequest(_("polygon 不是有效的 GeoJSON 面"), code="bad_polygon") from None
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
        raise BadRequest(_("polygon 不是有效的 GeoJSON 面"), code="bad_polygon")
    return geom


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


def _scope_field(model) -> str:
    return "owner_unit__path"


def search(user, kind: Kind, f: Filters, action: str = Action.VIEW) -> tuple[QuerySet, dict[int, float] | None]:
    """The restricted, filtered queryset of one resource type, and distances in metres when `near` was given."""
    qs = kind.model._default_manager.restrict(user, action)
    if f.within is not None:
        qs = qs.filter(**{f"{_scope_field(kind.model)}__startswith": f.within.path})
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
        values = value.split(",") if isinstance(value, str) and "," in value else [value]
        qs = qs.filter(**{f"{name}__in": values})
    if f.capability:
        if not kind.capable:
            raise BadRequest(_("该类资源没有能力标签"), code="bad_filter")
        for code in f.capability.split(","):
            qs = qs.filter(capability_index__contains=f",{code.strip()},")
    if f.below_min:
        qs = qs.filter(quantity__lt=F("min_quantity"))
    if f.expiring_days is not None:
        today = timezone.localdate()
        qs = qs.filter(expiry_date__lte=today + dt.timedelta(days=f.expiring_days), quantity__gt=0)
    if f.overdue:
        qs = qs.filter(next_inspection_due__lt=timezone.localdate()).exclude(status=EquipmentStatus.RETIRED)
    geo_filter = f.near is not None or f.bbox is not None or f.polygon is not None
    if geo_filter and not kind.geo:
        raise BadRequest(_("该类资源没有位置，不能按位置筛选"), code="bad_filter")
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


def readiness(user, within: OrgUnit | None = None, today: dt.date | None = None) -> dict:
    """The gaps the readiness dashboard shows: below-minimum stock, expiring batches, overdue inspections,
    teams not ready — overall and by owner unit."""
    today = today or timezone.localdate()

    def scoped(model):
        qs = model.objects.restrict(user)
        return qs.filter(owner_unit__path__startswith=within.path) if within is not None else qs

    below = scoped(StockBatch).filter(quantity__lt=F("min_quantity"))
    exp30 = scoped(StockBatch).filter(quantity__gt=0, expiry_date__lte=today + dt.timedelta(days=30))
    exp90 = scoped(StockBatch).filter(quantity__gt=0, expiry_date__lte=today + dt.timedelta(days=90))
    expired = scoped(StockBatch).filter(quantity__gt=0, expiry_date__lt=today)
    overdue = scoped(Equipment).filter(next_inspection_due__lt=today).exclude(status=EquipmentStatus.RETIRED)
    not_ready = scoped(Team).filter(readiness__in=[Readiness.NOT_READY])
    by_unit: dict[int, dict] = {}

    def tally(qs, key):
        for unit_id, name in qs.values_list("owner_unit_id", "owner_unit__name"):
            row = by_unit.setdefault(unit_id, {"unit_id": unit_id, "unit": name, "below_min": 0, "expiring_30": 0,
                                               "overdue": 0, "not_ready": 0})
            row[key] += 1

    tally(below, "below_min")
    tally(exp30, "expiring_30")
    tally(overdue, "overdue")
    tally(not_ready, "not_ready")
    rows = sorted(by_unit.values(), key=lambda r: -(r["below_min"] + r["expiring_30"] + r["overdue"] + r["not_ready"]))
    return {
        "today": today,
        "counts": {
            "warehouses": scoped(Warehouse).count(), "stock_lines": scoped(StockBatch).count(),
            "teams": scoped(Team).count(), "equipment": scoped(Equipment).count(),
            "below_min": below.count(), "expiring_30": exp30.count(), "expiring_90": exp90.count(),
            "expired": expired.count(), "overdue": overdue.count(), "not_ready": not_ready.count(),
        },
        "below_min": below.select_related("warehouse", "item").order_by("warehouse__code")[:50],
        "expiring": exp90.select_related("warehouse", "item").order_by("expiry_date")[:50],
        "overdue": overdue.select_related("owner_unit").order_by("next_inspection_due")[:50],
        "not_ready": not_ready.select_related("owner_unit").order_by("code")[:50],
        "by_unit": rows[:30],
        "can_see": permissions.can(user, Action.VIEW, Warehouse),
    }


def capability_supply(user, code: str, f: Filters) -> dict:
    """Who offers capability `code` (teams, equipment, facilities), with quantities and their total — what an
    incident asking for "排涝 5,000 m³/h within 10 km" needs to see. Unavailable providers are listed apart."""
    from yingji.resources.models import Capability
    from yingji.resources.registry import KINDS

    cap = Capability.objects.filter(code=code).first()
    if cap is None:
        from yingji.core.errors import NotFound

        raise NotFound(_("未知的能力代码：%(c)s") % {"c": code})
    providers, total = [], Decimal(0)
    for key in ("teams", "equipment", "facilities"):
        kind = KINDS[key]
        qs, distances = search(user, kind, Filters(within=f.within, capability=code, near=f.near,
                                                   radius_km=f.radius_km, bbox=f.bbox, polygon=f.polygon))
        for obj in qs.select_related("owner_unit")[:2000]:
            qty = obj.capabilities.get(code)
            available = _available(obj)
            if available and qty is not None:
                total += Decimal(qty)
            providers.append({
                "type": key, "id": obj.pk, "name": obj.name, "unit": obj.owner_unit.name,
                "quantity": qty, "available": available,
                "distance_m": round(distances[obj.pk], 1) if distances else None,
            })
    providers.sort(key=lambda p: (not p["available"], p["distance_m"] if p["distance_m"] is not None else 0))
    return {"code": cap.code, "name": cap.name, "quantity_unit": cap.quantity_unit, "available_total": total,
            "providers": providers}


def _available(obj) -> bool:
    status = getattr(obj, "readiness", None) or getattr(obj, "status", None)
    return status in (None, "", Readiness.READY, Readiness.STANDBY, EquipmentStatus.AVAILABLE)
