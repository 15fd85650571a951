"""Reads of the risk module: the links other modules call (risk.features_in_area, risk.features_near,
risk.grid_cell_at — contracts in docs/kernel.md), the four-colour map's layers and the dashboard's figures."""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from django.db.models import Count, Min, Q
from django.utils import timezone
from shapely.ops import nearest_points

from yingji.core import vocabulary
from yingji.core.geojson import convert_geometry, validate_geometry
from yingji.core.kinds.search import in_box, within_radius
from yingji.core.levels import COLOURS, RiskLevel
from yingji.domain.geo.distance import haversine_m
from yingji.risk import geo
from yingji.risk.models import (
    DangerState,
    GridCell,
    GridOfficer,
    HazardArea,
    HazardSource,
    HiddenDanger,
    InspectionPlan,
)
from yingji.risk.models.dangers import OPEN_STATES

__all__ = ["features_in_area", "features_near", "grid_cell_at", "sensors_for", "cell_levels", "cells_geojson",
           "communities_geojson", "areas_geojson", "dashboard"]


def _hazard_q(codes) -> Q:
    cond = Q()
    for code in codes:
        cond |= Q(hazard_index__contains=f",{str(code).strip()},")
    return cond


def _source_feature(s: HazardSource) -> dict:
    return {"kind": "hazard_source", "id": s.pk, "name": s.name, "hazard_types": list(s.hazard_types or []),
            "lat": s.lat, "lng": s.lng, "risk_level": s.risk_level, "owner_unit_id": s.owner_unit_id,
            "url": f"/risk/sources/{s.pk}/"}


def _area_feature(a: HazardArea) -> dict:
    return {"kind": "hazard_area", "id": a.pk, "name": a.name, "hazard_types": list(a.hazard_types or []),
            "lat": a.lat, "lng": a.lng, "risk_level": a.risk_level, "owner_unit_id": a.owner_unit_id,
            "url": f"/risk/areas/{a.pk}/"}


def features_in_area(geometry: dict, hazard_codes=None) -> list[dict]:
    """Hazard sources (points) and hazard areas (polygons) intersecting `geometry` whose hazard types match a
    code or its descendants (None: any). The link `risk.features_in_area`; the caller (warnings) decides who
    may see the result."""
    area = geo.shape_of(validate_geometry(geometry, ("Polygon", "MultiPolygon"), "area"))
    codes = [c for c in (hazard_codes or []) if str(c).strip()]
    if hazard_codes is not None and not codes:
        return []
    w, s, e, n = area.bounds
    sources = in_box(HazardSource.objects.all(), w, s, e, n)
    areas = HazardArea.objects.filter(lat__isnull=False)
    if codes:
        sources, areas = sources.filter(_hazard_q(codes)), areas.filter(_hazard_q(codes))
    out = []
    rows = list(sources.order_by("pk"))
    if rows:
        xs = np.asarray([r.lng for r in rows]), np.asarray([r.lat for r in rows])
        hit = shapely.intersects_xy(area, *xs)
        out += [_source_feature(r) for r, h in zip(rows, hit.tolist(), strict=True) if h]
    shapely.prepare(area)
    for a in areas.order_by("pk"):
        shape = geo.shape_of(a.boundary)
        if shape is not None and area.intersects(shape):
            out.append(_area_feature(a))
    return out


def features_near(lat: float, lng: float, radius_m: float, hazard_codes=None) -> list[dict]:
    """The same dicts plus `distance_m`, nearest first: sources by their point, areas by their nearest edge
    (0 inside). The link `risk.features_near`."""
    codes = [c for c in (hazard_codes or []) if str(c).strip()]
    if hazard_codes is not None and not codes:
        return []
    sources = HazardSource.objects.all()
    areas = HazardArea.objects.filter(lat__isnull=False)
    if codes:
        sources, areas = sources.filter(_hazard_q(codes)), areas.filter(_hazard_q(codes))
    out = []
    dist = within_radius(sources, lng, lat, radius_m)
    for s in HazardSource.objects.filter(pk__in=list(dist)):
        out.append({**_source_feature(s), "distance_m": round(dist[s.pk], 1)})
    point = shapely.Point(lng, lat)
    deg = radius_m / 111_320.0 / max(np.cos(np.radians(lat)), 1e-6)
    for a in in_box(areas, lng - deg - 0.5, lat - deg - 0.5, lng + deg + 0.5, lat + deg + 0.5):
        shape = geo.shape_of(a.boundary)
        if shape is None:
            continue
        if shape.contains(point):
            d = 0.0
        else:
            near = nearest_points(shape, point)[0]
            d = float(haversine_m(lng, lat, near.x, near.y))
        if d <= radius_m:
            out.append({**_area_feature(a), "distance_m": round(d, 1)})
    out.sort(key=lambda f: (f["distance_m"], f["kind"], f["id"]))
    return out


def sensors_for(area: HazardArea) -> list[dict]:
    """[{id, code, name, kind, unit_of_measure, status, last_value, last_at, url}] of the sensors watching the
    area: the monitoring module answers (link `monitoring.sensors_for`); without it, none."""
    from yingji.core import links

    return list(links.call("monitoring.sensors_for", "risk.hazardarea", area.pk, default=[]) or [])


def grid_cell_at(lat: float, lng: float) -> dict | None:
    """The grid cell holding the point: {id, name, code, community_id, officer_ids}, or None. The link
    `risk.grid_cell_at`."""
    pk = geo.cell_id_at(lat, lng)
    if pk is None:
        return None
    cell = GridCell.objects.get(pk=pk)
    officers = sorted(GridOfficer.objects.filter(cell=cell).values_list("user_id", flat=True))
    return {"id": cell.pk, "name": cell.name, "code": cell.code, "community_id": cell.owner_unit_id,
            "officer_ids": officers}


# --- the four-colour map (四色图) ------------------------------------------------------------------------------

def cell_levels(cells_qs=None) -> dict[int, int]:
    """{cell id: the most severe risk level (1 重大 … 4 低) of the hazard sources and areas inside it}."""
    levels: dict[int, int] = {}
    for model in (HazardSource, HazardArea):
        rows = model.objects.filter(grid_cell__isnull=False, risk_level__isnull=False)
        if cells_qs is not None:
            rows = rows.filter(grid_cell__in=cells_qs)
        for cell_id, level in rows.values("grid_cell_id").annotate(m=Min("risk_level")).values_list(
                "grid_cell_id", "m"):
            levels[cell_id] = min(level, levels.get(cell_id, 9))
    return levels


def _style(level: int | None) -> dict:
    if level is None:
        return {"color": "#5f6368", "weight": 1, "fillColor": "#9aa0a6", "fillOpacity": 0.08}
    return {"color": COLOURS[level]["bg"], "weight": 1.5, "fillColor": COLOURS[level]["bg"], "fillOpacity": 0.45}


def _level_text(level: int | None) -> str:
    return str(RiskLevel(level).label) if level else str(_no_risk())


def _no_risk():
    from django.utils.translation import gettext

    return gettext("无评定风险")


def _feature(pk, name, geometry, level, url, rows, crs, kind, kind_label) -> dict:
    return {"type": "Feature", "id": pk, "geometry": convert_geometry(geometry, crs),
            "properties": {"id": pk, "name": name, "kind": kind, "kind_label": kind_label, "url": url,
                           "status": str(level or ""), "risk_level": level, "style": _style(level),
                           "popup": [[label, text, None] for label, text in rows if text not in (None, "")]}}


def cells_geojson(user, crs: str = "wgs84") -> dict:
    from django.utils.translation import gettext as _

    qs = GridCell.objects.restrict(user).exclude(boundary=None).select_related("owner_unit")
    levels = cell_levels()
    label = str(GridCell._meta.verbose_name)
    feats = [_feature(c.pk, c.name, geo.shape_of(c.boundary).__geo_interface__, levels.get(c.pk),
                      f"/risk/cells/{c.pk}/", [(_("风险等级"), _level_text(levels.get(c.pk))),
                                               (_("所属社区"), c.owner_unit.name), (_("网格编码"), c.code)],
                      crs, "cells", label)
             for c in qs]
    return {"type": "FeatureCollection", "features": feats}


def communities_geojson(user, crs: str = "wgs84") -> dict:
    """Each community as the union of its grid cells (or its own boundary), coloured by the highest risk in it."""
    from django.utils.translation import gettext as _

    qs = GridCell.objects.restrict(user).exclude(boundary=None).select_related("owner_unit")
    levels = cell_levels()
    groups: dict[int, list] = {}
    units = {}
    for c in qs:
        groups.setdefault(c.owner_unit_id, []).append(c)
        units[c.owner_unit_id] = c.owner_unit
    feats = []
    label = str(_("社区风险"))
    for unit_id, cells in sorted(groups.items()):
        unit = units[unit_id]
        shape = geo.shape_of(unit.boundary) if unit.boundary else shapely.union_all(
            [geo.shape_of(c.boundary) for c in cells])
        level = min((levels[c.pk] for c in cells if c.pk in levels), default=None)
        feats.append(_feature(unit_id, unit.name, shapely.geometry.mapping(shape), level, f"/units/{unit_id}/",
                              [(_("风险等级"), _level_text(level)), (_("网格数"), str(len(cells)))], crs,
                              "risk-communities", label))
    return {"type": "FeatureCollection", "features": feats}


def areas_geojson(user, crs: str = "wgs84") -> dict:
    from django.utils.translation import gettext as _

    qs = HazardArea.objects.restrict(user).exclude(boundary=None)
    label = str(HazardArea._meta.verbose_name)
    feats = [_feature(a.pk, a.name, geo.shape_of(a.boundary).__geo_interface__, a.risk_level, f"/risk/areas/{a.pk}/",
                      [(_("区域类型"), a.get_area_type_display()), (_("风险等级"), _level_text(a.risk_level)),
                       (_("受威胁人口"), str(a.exposed_population)),
                       (_("灾种"), vocabulary.hazard_labels(a.hazard_types) if a.hazard_types else "")],
                      crs, "areas", label)
             for a in qs]
    return {"type": "FeatureCollection", "features": feats}


# --- dashboard -----------------------------------------------------------------------------------------------

AGE_BANDS = ((0, 7), (8, 30), (31, 90), (91, None))


def dashboard(user, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    sources = HazardSource.objects.restrict(user)
    by_grade = dict(sources.filter(is_major=True).values("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    dangers = HiddenDanger.objects.restrict(user)
    open_ = dangers.filter(state__in=OPEN_STATES)
    ages = []
    for low, high in AGE_BANDS:
        q = open_.filter(reported_at__date__lte=today - dt.timedelta(days=low))
        if high is not None:
            q = q.filter(reported_at__date__gt=today - dt.timedelta(days=high + 1))
        ages.append({"low": low, "high": high, "count": q.count(),
                     "major": q.filter(grade="major").count()})
    plans = InspectionPlan.objects.restrict(user).filter(is_active=True)
    return {
        "major_by_grade": [{"grade": g, "count": by_grade.get(g, 0)} for g in (1, 2, 3, 4)],
        "major_total": sum(by_grade.values()),
        "sources_total": sources.count(),
        "not_major": sources.filter(is_major=False).count(),
        "open_dangers": open_.count(),
        "dangers_by_age": ages,
        "dangers_by_state": dict(dangers.values("state").annotate(n=Count("pk")).values_list("state", "n")),
        "overdue_dangers": open_.filter(state=DangerState.RECTIFYING, deadline__lt=today).count(),
        "inspections_overdue": plans.filter(next_due__lt=today).count(),
        "inspections_due_soon": plans.filter(next_due__gte=today, next_due__lte=today + dt.timedelta(days=7)).count(),
        "areas_total": HazardArea.objects.restrict(user).count(),
        "cells_total": GridCell.objects.restrict(user).count(),
    }
