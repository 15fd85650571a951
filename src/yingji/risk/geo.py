"""Grid-cell geometry: which cell a point lies in (an STRtree over every cell, rebuilt when the cells change),
a point inside a polygon for labels and lists, and the rules a cell's polygon must keep (inside its community,
overlapping no other cell)."""

from __future__ import annotations

import threading

import numpy as np
import shapely
from django.db.models import Count, Max
from django.utils.translation import gettext as _

__all__ = ["shape_of", "inside_point", "cell_id_at", "cells_at", "cell_errors", "overlap_m2", "container_of",
           "OVERLAP_M2"]

# Two cells may share edges; an overlap larger than about this many square metres is refused, unless it is a
# sliver thinner than SLIVER_DEG (≈ 0.1 m: coordinates rounded on either side of a shared edge).
OVERLAP_M2 = 1.0
SLIVER_DEG = 1e-6
_DEG2_PER_M2 = 1 / (111_320.0 ** 2)


def shape_of(geometry: dict | None):
    if not geometry:
        return None
    return shapely.geometry.shape(geometry.get("geometry", geometry))


def inside_point(geometry: dict) -> tuple[float, float]:
    """(lng, lat) of a point surely inside the polygon, rounded to 6 decimals."""
    p = shape_of(geometry).representative_point()
    return round(p.x, 6), round(p.y, 6)


class _Index:
    def __init__(self, version, rows):
        self.version = version
        self.ids = np.asarray([pk for pk, _g in rows], dtype=np.int64)
        self.geoms = [g for _pk, g in rows]
        self.tree = shapely.STRtree(self.geoms) if self.geoms else None

    def find(self, lngs, lats) -> list[int | None]:
        out: list[int | None] = [None] * len(lngs)
        if self.tree is None or not len(lngs):
            return out
        pairs = self.tree.query(shapely.points(lngs, lats), predicate="intersects")
        for i, g in zip(pairs[0].tolist(), pairs[1].tolist(), strict=True):
            if out[i] is None:
                out[i] = int(self.ids[g])
        return out


_lock = threading.Lock()
_cache: dict[str, _Index] = {}


def _index() -> _Index:
    from django.db import connection

    from yingji.risk.models import GridCell

    key = connection.alias + ":" + str(connection.settings_dict.get("NAME"))
    agg = GridCell.objects.aggregate(n=Count("pk"), at=Max("updated_at"), top=Max("pk"))
    version = (agg["n"], agg["at"], agg["top"])
    with _lock:
        index = _cache.get(key)
        if index is None or index.version != version:
            rows = [(pk, shape_of(b)) for pk, b in GridCell.objects.exclude(boundary=None).values_list("pk", "boundary")
                    if b]
            index = _cache[key] = _Index(version, rows)
    return index


def cells_at(lngs, lats) -> list[int | None]:
    """The grid cell of each point (None outside every cell): one vectorised query."""
    lngs, lats = np.asarray(lngs, dtype=float), np.asarray(lats, dtype=float)
    if not len(lngs) or not (np.isfinite(lngs).all() and np.isfinite(lats).all()):
        return [None] * len(lngs)
    return _index().find(lngs, lats)


def cell_id_at(lat, lng) -> int | None:
    if lat is None or lng is None:
        return None
    return cells_at([lng], [lat])[0]


def _area_m2(geom) -> float:
    if geom.is_empty:
        return 0.0
    return geom.area / _DEG2_PER_M2 * max(np.cos(np.radians(geom.centroid.y)), 1e-6)


def overlap_m2(a, b) -> float:
    return _significant(a.intersection(b))


def _significant(geom) -> float:
    """The area (m²) of an overlap or overhang that counts: 0 for nothing and for slivers along an edge."""
    area = _area_m2(geom)
    if area <= OVERLAP_M2 or geom.buffer(-SLIVER_DEG).is_empty:
        return 0.0
    return area


def container_of(community):
    """The area a community's cells must lie in: its own boundary, else the nearest ancestor's that has one
    (communities of the demo city are points inside their towns)."""
    units = [community, *reversed(community.ancestors())]
    for unit in units:
        if unit.boundary:
            return unit, shape_of(unit.boundary)
    return None, None


def stored_cells(exclude_pk=None) -> list[tuple]:
    """(id, code, shape) of every stored cell with a polygon."""
    from yingji.risk.models import GridCell

    qs = GridCell.objects.exclude(boundary=None)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [(pk, code, shape_of(b)) for pk, code, b in qs.values_list("pk", "code", "boundary") if b]


def cell_errors(cell, others=(), *, stored=None, containers=None) -> dict[str, list[str]]:
    """The rules of one cell's polygon: a community owns it, it lies inside that community (or, when the community
    has no boundary, inside its town), and it overlaps no other cell — stored ones and `others` (id, code, shape)
    being imported with it. `stored` and `containers` ({community id: (unit, shape)}) are caches for a batch."""
    errors: dict[str, list[str]] = {}
    unit = cell.owner_unit if cell.owner_unit_id else None
    if unit is not None and unit.kind != "community":
        errors["owner_unit"] = [_("网格必须属于一个社区/村")]
    geom = shape_of(cell.boundary) if cell.boundary else None
    if geom is None:
        errors["boundary"] = [_("请填写网格范围（GeoJSON 多边形）")]
        return errors
    if unit is not None and unit.kind == "community":
        if containers is not None and unit.pk in containers:
            holder, area = containers[unit.pk]
        else:
            holder, area = container_of(unit)
            if containers is not None:
                containers[unit.pk] = (holder, area)
        if area is not None and _significant(geom.difference(area)) > OVERLAP_M2:
            errors.setdefault("boundary", []).append(
                _("网格超出了%(u)s的范围") % {"u": holder.name})
    w, s, e, n = geom.bounds
    candidates = stored_cells(cell.pk) if stored is None else stored
    for pk, code, other in [*candidates, *others]:
        if other is None or (pk is not None and pk == cell.pk) or code == cell.code:
            continue
        ow, os_, oe, on = other.bounds
        if ow > e or oe < w or os_ > n or on < s:
            continue
        if _significant(geom.intersection(other)) > OVERLAP_M2:
            errors.setdefault("boundary", []).append(_("与网格 %(c)s 重叠") % {"c": code})
    return errors
