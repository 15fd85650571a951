"""Where a warning applies: its area as a GeoJSON geometry and the towns whose boundaries intersect it (the
responsible units that must acknowledge it), from the organisation tree's boundaries."""

from __future__ import annotations

import json

import shapely
from django.utils.translation import gettext as _

from yingji.core.errors import ValidationFailed
from yingji.core.geojson import validate_geometry
from yingji.core.models import OrgUnit, OrgUnitKind

__all__ = ["resolve", "towns_in", "centre", "bbox_intersects"]


def _shape(geometry: dict):
    return shapely.geometry.shape(geometry.get("geometry", geometry))


def _towns():
    return [u for u in OrgUnit.objects.filter(kind=OrgUnitKind.TOWN, is_active=True, boundary__isnull=False)
            .only("pk", "name", "code", "boundary", "path") if isinstance(u.boundary, dict) and u.boundary]


def towns_in(geometry: dict | None) -> list[OrgUnit]:
    """Towns whose boundary intersects the area (touching only at an edge does not count)."""
    if not geometry:
        return []
    area = _shape(geometry)
    out = []
    for u in _towns():
        g = _shape(u.boundary)
        if g.intersects(area) and g.intersection(area).area > 0:
            out.append(u)
    return out


def resolve(area, town_ids) -> tuple[dict, list[OrgUnit]]:
    """(area geometry, towns inside): from a polygon, or from towns (their boundaries' union), or both."""
    town_ids = [int(t) for t in (town_ids or []) if str(t).strip()]
    chosen = list(OrgUnit.objects.filter(pk__in=town_ids, kind=OrgUnitKind.TOWN)) if town_ids else []
    if len(chosen) != len(set(town_ids)):
        raise ValidationFailed(details={"towns": [_("所选镇街不存在")]})
    geometry = validate_geometry(area, field="area") if area not in (None, "", {}) else None
    if geometry is None:
        shapes = [_shape(u.boundary) for u in chosen if isinstance(u.boundary, dict) and u.boundary]
        if not shapes:
            raise ValidationFailed(details={"area": [_("请划定预警区域（多边形）或选择有边界的镇街")]})
        geometry = json.loads(json.dumps(shapely.geometry.mapping(shapely.union_all(shapes))))
        geometry = validate_geometry(geometry, field="area")
    towns = {u.pk: u for u in towns_in(geometry)}
    for u in chosen:
        towns.setdefault(u.pk, u)
    return geometry, sorted(towns.values(), key=lambda u: u.path)


def centre(geometry: dict) -> tuple[float, float]:
    """(lng, lat) of a point inside the area."""
    p = _shape(geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


def bbox_intersects(geometry: dict | None, bbox) -> bool:
    if not geometry or bbox is None:
        return True
    return _shape(geometry).intersects(shapely.box(*bbox))
