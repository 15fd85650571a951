"""GeoJSON of resources for the map, converted to the tile source's coordinate system at display time."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yingji.core.geojson import convert_geometry
from yingji.resources.registry import KINDS, Kind

__all__ = ["feature_collection", "map_layers"]

_STATUS_FIELD = {"warehouses": "level", "teams": "readiness", "equipment": "status", "experts": "category",
                 "shelters": "grade", "facilities": "kind"}


def feature_collection(kind: Kind, qs, crs: str = "wgs84", limit: int = 20000) -> dict:
    status = _STATUS_FIELD.get(kind.key)
    fields = ["pk", "name", "lat", "lng"] + ([status] if status else [])
    features = []
    for row in qs.filter(lat__isnull=False, lng__isnull=False).values(*fields)[:limit]:
        geometry = convert_geometry({"type": "Point", "coordinates": [row["lng"], row["lat"]]}, crs)
        features.append({"type": "Feature", "id": row["pk"], "geometry": geometry,
                         "properties": {"id": row["pk"], "name": row["name"], "kind": kind.key,
                                        "kind_label": str(kind.label), "status": row.get(status, ""),
                                        "url": reverse("resources:detail", args=[kind.key, row["pk"]])}})
    return {"type": "FeatureCollection", "features": features}


def map_layers() -> list[dict]:
    """Layer definitions for the 一张图 map: each with its own GeoJSON URL."""
    on = {"warehouses", "shelters"}
    return [{"kind": key, "label": str(KINDS[key].label), "on": key in on,
             "url": reverse(f"api-1:{key}_geojson")}
            for key in ("warehouses", "teams", "equipment", "experts", "shelters", "facilities")]


LAYER_TITLE = _("应急资源")
