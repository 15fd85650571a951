"""Grid cells: import from GeoJSON (all-or-nothing, every fault of every feature), the cell rules (inside the
community, no overlap) for every write, officers, and relocating every located risk object to its cell."""

from __future__ import annotations

import shapely
from django.db import transaction
from django.utils.translation import gettext as _

from yingji.core import crud, permissions
from yingji.core.errors import ValidationFailed
from yingji.core.geojson import validate_geometry
from yingji.core.models import OrgUnit, User
from yingji.core.models.place import prepare
from yingji.core.roles import Action
from yingji.risk import geo
from yingji.risk.models import GridCell, GridOfficer, HazardArea, HazardSource, HiddenDanger

__all__ = ["check_cell", "import_cells", "relocate"]

MAX_FEATURES = 5000


def check_cell(actor, cell: GridCell, changed) -> dict:
    """Kind.check for the generic pages and API: the polygon rules, when the polygon or the community changes."""
    if changed is not None and not {"boundary", "owner_unit"} & set(changed):
        return {}
    return geo.cell_errors(cell)


def _community(actor, ref, cache) -> OrgUnit | None:
    if ref in cache:
        return cache[ref]
    qs = OrgUnit.objects.filter(kind="community", is_active=True)
    unit = qs.filter(code=str(ref)).first() or (qs.filter(pk=ref).first() if str(ref).isdigit() else None)
    cache[ref] = unit
    return unit


def import_cells(actor, collection: dict) -> dict:
    """Create the cells of a GeoJSON FeatureCollection: each feature a Polygon with properties `code`, `name`,
    `community` (unit code or id), optional `officers` (usernames), `patrol_duties`, `population`. Every fault
    of every feature is reported ({"features.3.boundary": [...]}) and then nothing is written."""
    if not isinstance(collection, dict) or collection.get("type") != "FeatureCollection" or \
            not isinstance(collection.get("features"), list):
        raise ValidationFailed(_("应为 GeoJSON FeatureCollection"), details={"type": [_("应为 FeatureCollection")]})
    features = collection["features"]
    if not features or len(features) > MAX_FEATURES:
        raise ValidationFailed(details={"features": [_("须有 1 至 %(n)s 个要素") % {"n": MAX_FEATURES}]})
    errors: dict[str, list[str]] = {}
    cells, shapes, officers, communities = [], [], [], {}
    codes_seen = {}
    taken = set(GridCell.objects.filter(code__in=[str((f.get("properties") or {}).get("code") or "").strip()
                                                 for f in features if isinstance(f, dict)
                                                 and isinstance(f.get("properties"), dict)]).values_list("code", flat=True))
    users_by_name: dict = {}
    for i, feature in enumerate(features):
        def err(field, message, i=i):
            errors.setdefault(f"features.{i}.{field}", []).append(str(message))

        props = feature.get("properties") or {} if isinstance(feature, dict) else {}
        if not isinstance(feature, dict) or not isinstance(props, dict):
            err("type", _("应为 Feature"))
            continue
        try:
            geometry = validate_geometry(feature.get("geometry"), ("Polygon",), "boundary")
        except ValidationFailed as exc:
            for msgs in (exc.details or {}).values():
                for m in msgs if isinstance(msgs, list) else [msgs]:
                    err("boundary", m)
            geometry = None
        code, name = str(props.get("code") or "").strip(), str(props.get("name") or "").strip()
        if not code:
            err("code", _("请填写网格编码"))
        elif code in codes_seen:
            err("code", _("与第 %(n)s 个要素的编码重复") % {"n": codes_seen[code] + 1})
        elif code in taken:
            err("code", _("网格编码 %(c)s 已存在") % {"c": code})
        codes_seen.setdefault(code, i)
        if not name:
            err("name", _("请填写名称"))
        community = _community(actor, props.get("community"), communities) if props.get("community") else None
        if community is None:
            err("community", _("找不到社区/村：%(c)s") % {"c": props.get("community") or "—"})
        elif actor is not None and not permissions.can(actor, Action.ADD, GridCell, unit=community):
            err("community", _("无权在 %(u)s 添加网格") % {"u": community.name})
        users = []
        for username in props.get("officers") or []:
            user = users_by_name.get(str(username)) if str(username) in users_by_name else \
            users_by_name.setdefault(str(username), User.objects.filter(username=str(username), is_active=True).first())
            if user is None:
                err("officers", _("找不到用户：%(u)s") % {"u": username})
            else:
                users.append(user)
        population = props.get("population")
        if population is not None and (isinstance(population, bool) or not isinstance(population, int)
                                       or population < 0):
            err("population", _("常住人口应为非负整数"))
            population = None
        if geometry is None or community is None or not code:
            continue
        lng, lat = geo.inside_point(geometry)
        cell = GridCell(owner_unit=community, code=code, name=name[:100], boundary=geometry, lng=lng, lat=lat,
                        patrol_duties=str(props.get("patrol_duties") or ""), population=population)
        try:
            crud.full_clean(cell, exclude=("owner_unit", "code"))  # both checked above, for the whole batch
        except ValidationFailed as exc:
            for field, msgs in (exc.details or {}).items():
                for m in msgs:
                    err(field, m)
            continue
        cells.append((i, cell))
        shapes.append(geo.shape_of(geometry))
        officers.append(users)
    # Overlaps among the new cells (an STRtree), and with the stored ones and the community's area.
    if shapes:
        tree = shapely.STRtree(shapes)
        a, b = tree.query(shapes, predicate="intersects")
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            if x < y and geo.overlap_m2(shapes[x], shapes[y]) > geo.OVERLAP_M2:
                errors.setdefault(f"features.{cells[y][0]}.boundary", []).append(
                    _("与网格 %(c)s 重叠") % {"c": cells[x][1].code})
        stored, containers = geo.stored_cells(), {}
        for (i, cell) in cells:
            for field, msgs in geo.cell_errors(cell, stored=stored, containers=containers).items():
                errors.setdefault(f"features.{i}.{field}", []).extend(msgs)
    if errors:
        raise ValidationFailed(_("网格数据有误，未导入任何网格"), details=errors)
    with transaction.atomic():
        made = [c for _i, c in cells]
        prepare(made)
        crud.bulk_create(actor, made)
        rows = [GridOfficer(owner_unit=c.owner_unit, cell=c, user=u) for c, us in zip(made, officers, strict=True)
                for u in us]
        if rows:
            crud.bulk_create(actor, rows)
        relocate()
    return {"created": len(made), "officers": len(rows)}


def relocate() -> int:
    """Point every located risk object at the grid cell its point is in now (a derived column, like the town)."""
    changed = 0
    for model in (HazardSource, HazardArea, HiddenDanger):
        rows = list(model.objects.filter(lat__isnull=False, lng__isnull=False).values_list("pk", "lng", "lat",
                                                                                            "grid_cell_id"))
        if not rows:
            continue
        found = geo.cells_at([r[1] for r in rows], [r[2] for r in rows])
        by_cell: dict[int | None, list[int]] = {}
        for (pk, _x, _y, old), new in zip(rows, found, strict=True):
            if old != new:
                by_cell.setdefault(new, []).append(pk)
        for cell_id, pks in by_cell.items():
            changed += model.objects.filter(pk__in=pks).update(grid_cell_id=cell_id)
    return changed
