"""GeoJSON output for map layers, converted to the tile source's coordinate system at display time."""

from __future__ import annotations

from collections.abc import Iterable

from yingji.core.errors import BadRequest
from yingji.domain.geo import to_display

__all__ = ["convert_geometry", "units_feature_collection", "CRS_CHOICES"]

CRS_CHOICES = ("wgs84", "gcj02", "bd09")


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


def units_feature_collection(units: Iterable, crs: str = "wgs84") -> dict:
    check_crs(crs)
    features = []
    for u in units:
        if u.boundary:
            geometry = u.boundary.get("geometry", u.boundary) if u.boundary.get("type") == "Feature" else u.boundary
        elif u.lat is not None and u.lng is not None:
            geometry = {"type": "Point", "coordinates": [u.lng, u.lat]}
        else:
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
