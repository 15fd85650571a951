"""GeoJSON in and out: geometry validation on the way in, the point/box/polygon query parameters, and map layers
converted to the tile source's coordinate system at display time."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable

import shapely
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _

from yingji.core import jsontext
from yingji.core.errors import BadRequest, ValidationFailed
from yingji.domain.geo import to_display

__all__ = ["convert_geometry", "units_feature_collection", "CRS_CHOICES", "check_crs", "validate_geometry",
           "clean_geometry", "geometry_of", "parse_point", "parse_bbox", "parse_polygon", "MAX_VERTICES"]

CRS_CHOICES = ("wgs84", "gcj02", "bd09")
GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon")
MAX_VERTICES = 100_000  # a district boundary has a few thousand; more is a mistake or an attack


def _invalid(reason: str, field: str) -> ValidationFailed:
    return ValidationFailed(_("%(field)s 不是有效的 GeoJSON 几何：%(reason)s") % {"field": field, "reason": reason},
                            details={field: [reason]}, code="bad_geometry")


def _positions(coords, depth: int):
    """Every position of a coordinates array `depth` levels deep (Point 0, LineString 1, Polygon 2 …)."""
    if depth == 0:
        yield coords
        return
    if not isinstance(coords, list | tuple):
        raise TypeError
    for c in coords:
        yield from _positions(c, depth - 1)


_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2, "MultiPolygon": 3}


def geometry_of(value: dict | None) -> dict | None:
    """The geometry inside a GeoJSON Feature, or the value itself."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        return value.get("geometry")
    return value


def validate_geometry(value, allowed: Iterable[str] = ("Polygon", "MultiPolygon"), field: str = "geometry") -> dict:
    """The normalised GeoJSON geometry of `value` (a geometry, a Feature, or their JSON text), WGS-84 lng/lat.

    Raises ValidationFailed (details under `field`) unless it is one of the `allowed` types, with finite
    coordinates in range, at most MAX_VERTICES positions, and valid (shapely: closed rings, no self-intersection).
    """
    allowed = tuple(allowed)
    if isinstance(value, str):
        try:
            value = jsontext.loads(value)
        except jsontext.JsonTextError as exc:
            raise _invalid(exc.message, field) from None  # says what is wrong: too deep, malformed …
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in GEOMETRY_TYPES:
        raise _invalid(_("须为 GeoJSON 几何对象（type 与 coordinates）"), field)
    kind = value["type"]
    if kind not in allowed:
        raise _invalid(_("类型须为 %(allowed)s") % {"allowed": "/".join(allowed)}, field)
    try:
        positions = list(_positions(value.get("coordinates"), _DEPTH[kind]))
        if len(positions) > MAX_VERTICES:
            raise _invalid(_("顶点过多（最多 %(n)s 个）") % {"n": MAX_VERTICES}, field)
        for p in positions:
            if not isinstance(p, list | tuple) or len(p) not in (2, 3) or isinstance(p[0], bool) \
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in p):
                raise TypeError
            if not all(math.isfinite(v) for v in p) or not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
                raise _invalid(_("坐标超出范围：经度 -180~180，纬度 -90~90"), field)
        geom = shapely.geometry.shape({"type": kind, "coordinates": value["coordinates"]})
    except ValidationFailed:
        raise
    except Exception:  # noqa: BLE001 — shapely and our walk reject malformed coordinates in many ways
        raise _invalid(_("坐标结构不正确"), field) from None
    if geom.is_empty:
        raise _invalid(_("几何为空"), field)
    if not geom.is_valid:
        raise _invalid(_("几何无效（%(why)s）") % {"why": shapely.is_valid_reason(geom)}, field)
    return json.loads(json.dumps(shapely.geometry.mapping(geom)))


def clean_geometry(value, field: str, allowed: Iterable[str] = ("Polygon", "MultiPolygon")) -> dict | None:
    """validate_geometry for a model's clean(): None stays None, errors become Django's ValidationError."""
    if value is None:
        return None
    try:
        return validate_geometry(value, allowed, field)
    except ValidationFailed as exc:
        raise DjangoValidationError({field: exc.details[field]}) from None


def parse_point(text: str, name: str = "near") -> tuple[float, float]:
    """'lng,lat' (WGS-84) → (lng, lat)."""
    try:
        lng, lat = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(_("%(name)s 格式应为 经度,纬度") % {"name": name}, code=f"bad_{name}") from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):  # NaN fails every comparison, so it lands here too
        raise BadRequest(_("%(name)s 坐标超出范围") % {"name": name}, code=f"bad_{name}")
    return lng, lat


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """'west,south,east,north' degrees → a tuple; every value finite and in range, west ≤ east, south ≤ north."""
    try:
        w, s, e, n = (float(v) for v in text.split(","))
    except ValueError:
        raise BadRequest(_("bbox 格式应为 西,南,东,北"), code="bad_bbox") from None
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise BadRequest(_("bbox 格式应为 西,南,东,北，经度 -180~180，纬度 -90~90"), code="bad_bbox")
    return w, s, e, n


def parse_polygon(geojson) -> shapely.Geometry:
    """A GeoJSON Polygon/MultiPolygon (geometry, Feature or JSON text) → a valid shapely geometry."""
    try:
        geometry = validate_geometry(geojson, field="polygon")
    except ValidationFailed as exc:
        raise BadRequest(exc.message, details=exc.details, code="bad_polygon") from None
    return shapely.geometry.shape(geometry)


def _convert_coords(coords, crs: str):
    if coords and isinstance(coords[0], int | float):
        return list(to_display(coords[0], coords[1], crs))
    return [_convert_coords(c, crs) for c in coords]


def convert_geometry(geometry: dict, crs: str) -> dict:
    if crs == "wgs84":
        return geometry
    if geometry.get("type") == "GeometryCollection":
        return {**geometry, "geometries": [convert_geometry(g, crs) for g in geometry["geometries"]]}
    return {**geometry, "coordinates": _convert_coords(geometry["coordinates"], crs)}


def check_crs(crs: str) -> str:
    if crs not in CRS_CHOICES:
        raise BadRequest(details={"crs": list(CRS_CHOICES)}, code="bad_crs")
    return crs


def _stored_geometry(boundary) -> dict | None:
    """A stored boundary as a geometry, or None when it is not one (data written before validation existed)."""
    if not isinstance(boundary, dict):
        return None
    geometry = boundary.get("geometry") if boundary.get("type") == "Feature" else boundary
    try:
        return validate_geometry(geometry, allowed=GEOMETRY_TYPES)
    except ValidationFailed:
        return None


def units_feature_collection(units: Iterable, crs: str = "wgs84") -> dict:
    check_crs(crs)
    features = []
    for u in units:
        geometry = _stored_geometry(u.boundary) if u.boundary else None
        if geometry is None and u.lat is not None and u.lng is not None:
            geometry = {"type": "Point", "coordinates": [u.lng, u.lat]}
        if geometry is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": u.pk,
                "geometry": convert_geometry(geometry, crs),
                "properties": {"id": u.pk, "name": u.name, "code": u.code, "kind": u.kind,
                               "kind_label": str(u.get_kind_display()), "parent_id": u.parent_id},
            }
        )
    return {"type": "FeatureCollection", "features": features}
