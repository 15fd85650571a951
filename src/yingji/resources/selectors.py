"""Reads of the resource registry beyond the generic lists: the readiness picture and capability supply."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import permissions
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.kinds.search import Filters, search
from yingji.core.kinds.views import plain_number
from yingji.core.models import Availability, Capability, OrgUnit
from yingji.core.roles import Action
from yingji.resources.models import Equipment, EquipmentStatus, Readiness, StockBatch, Team, Warehouse
from yingji.resources.registry import KINDS

__all__ = ["readiness", "capability_supply", "nearest", "material_by_code", "ExpiryWatch", "expiry_watch", "LIMIT"]

LIMIT = 50  # rows per dashboard table; each says how many more there are and links to the full list


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

    def with_units(batches) -> list:
        """Quantities as a duty officer reads them: `120 箱`, never 1.2E+2 or 246.000."""
        out = list(batches)
        for b in out:
            unit = b.item.unit_of_measure
            b.quantity_text = f"{plain_number(b.quantity)} {unit}".strip()
            b.min_quantity_text = f"{plain_number(b.min_quantity)} {unit}".strip()
        return out

    return {
        "today": today,
        "counts": {
            "warehouses": scoped(Warehouse).count(), "stock_lines": scoped(StockBatch).count(),
            "teams": scoped(Team).count(), "equipment": scoped(Equipment).count(),
            "below_min": below.count(), "expiring_30": exp30.count(), "expiring_90": exp90.count(),
            "expired": expired.count(), "overdue": overdue.count(), "not_ready": not_ready.count(),
        },
        "below_min": with_units(below.select_related("warehouse", "item").order_by("warehouse__code")[:LIMIT]),
        "expiring": with_units(exp90.select_related("warehouse", "item").order_by("expiry_date")[:LIMIT]),
        "overdue": overdue.select_related("owner_unit").order_by("next_inspection_due")[:LIMIT],
        "not_ready": not_ready.select_related("owner_unit").order_by("code")[:LIMIT],
        "by_unit": rows[:30], "by_unit_total": len(rows),
        "can_see": permissions.can(user, Action.VIEW, Warehouse),
    }


def capability_supply(user, code: str, f: Filters) -> dict:
    """Who offers capability `code` (teams, equipment, facilities), with quantities and their total — what an
    incident asking for "排涝 5,000 m³/h within 10 km" needs to see. Unavailable providers are listed apart."""
    cap = Capability.objects.filter(code=code).first()
    if cap is None:
        raise NotFound(_("未知的能力代码：%(c)s") % {"c": code})
    providers, total = [], Decimal(0)
    for key in ("teams", "equipment", "facilities"):
        kind = KINDS[key]
        qs, distances = search(user, kind, Filters(within=f.within, capability=code, near=f.near,
                                                   radius_km=f.radius_km, bbox=f.bbox, polygon=f.polygon))
        if kind.dispatchable:
            qs = kind.model.with_availability(qs)
        for obj in qs.select_related("owner_unit")[:2000]:
            qty = obj.capabilities.get(code)
            available = (obj.availability == Availability.AVAILABLE) if kind.dispatchable else True
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


NEAREST_TYPES = ("teams", "equipment", "experts")


def nearest(user, lng: float, lat: float, *, capability: str | None = None, types=NEAREST_TYPES,
            radius_km: float = 50.0, limit: int = 20, candidates: int = 200) -> dict:
    """The duty officer's question: which teams and equipment (with a capability) can get to this point
    first? Candidates within `radius_km` by straight line (the indexed band query), the nearest
    `candidates` of each type timed on the road graph (core.travel), ranked available first, then by
    travel time. Times off the network are straight-line estimates and say so."""
    from yingji.core import privacy, travel
    from yingji.core.models.place import check_point

    errors = check_point(lat, lng)
    if errors:
        raise ValidationFailed(details=errors)
    rows = []
    for key in types:
        kind = KINDS.get(key)
        if kind is None or not kind.dispatchable:
            raise ValidationFailed(details={"types": [_("不支持的资源类型：%(k)s") % {"k": key}]})
        cap = capability if kind.capable else None
        if capability and not kind.capable:
            continue
        qs, distances = search(user, kind, Filters(capability=cap, near=(lng, lat), radius_km=radius_km))
        ids = sorted(distances, key=distances.get)[:candidates]
        objs = kind.model.with_availability(kind.model.objects.filter(pk__in=ids)).select_related("owner_unit")
        for obj in privacy.redacted(user, objs):
            rows.append((key, obj, distances[obj.pk]))
    if not rows:
        return {"point": [lng, lat], "estimated": False, "items": []}
    graph = travel.provider()
    times = graph.travel_times_to((lng, lat), travel.snap_places([o for _k, o, _d in rows], graph))
    items = []
    for (key, obj, dist), secs, est in zip(rows, times.tolist(), times.estimated.tolist(), strict=True):
        items.append({
            "resource_type": key, "resource_id": obj.pk, "name": str(obj), "unit": obj.owner_unit.name,
            "availability": obj.availability, "availability_label": str(obj.get_availability_display()),
            "quantity": (obj.capabilities or {}).get(capability) if capability and hasattr(obj, "capabilities")
            else None,
            "headcount": getattr(obj, "headcount", None), "readiness": getattr(obj, "readiness", None),
            "phone": getattr(obj, "duty_phone", None) or getattr(obj, "phone", None) or "",
            "distance_m": round(dist, 1), "travel_time_s": None if secs == float("inf") else round(secs, 1),
            "estimated": bool(est), "lng": obj.lng, "lat": obj.lat,
            "url": f"/resources/{key}/{obj.pk}/",
        })
    items.sort(key=lambda i: (i["availability"] != Availability.AVAILABLE,
                              i["travel_time_s"] if i["travel_time_s"] is not None else float("inf")))
    return {"point": [lng, lat], "estimated": bool(times.any_estimated), "items": items[:limit]}


def material_by_code(user, code: str):
    """A catalogue item by its 7-digit code, or None."""
    from yingji.resources.models import MaterialItem

    return MaterialItem.objects.restrict(user).filter(code=code).first()


@dataclass
class ExpiryWatch:
    """What one owner unit must act on: batches expiring soon (or expired) and equipment overdue for inspection.
    Rows are (id, label, date, url)."""

    unit: OrgUnit
    batches: list[tuple[int, str, dt.date, str]]
    equipment: list[tuple[int, str, dt.date, str]]


def expiry_watch(today: dt.date | None = None, days: int = 30) -> list[ExpiryWatch]:
    """Every unit's expiring stock (within `days`, quantity left) and overdue inspections, for the periodic scan.

    A system read (the scan runs as the system, for every unit), so it is not narrowed by a user."""
    from django.urls import reverse

    today = today or timezone.localdate()
    by_unit: dict[int, ExpiryWatch] = {}
    units = {}

    def slot(unit_id: int) -> ExpiryWatch:
        if unit_id not in by_unit:
            by_unit[unit_id] = ExpiryWatch(units[unit_id], [], [])
        return by_unit[unit_id]

    batches = list(StockBatch.objects.select_related("item", "owner_unit")
                   .filter(quantity__gt=0, expiry_date__lte=today + dt.timedelta(days=days))
                   .order_by("expiry_date", "pk"))
    equipment = list(Equipment.objects.select_related("owner_unit").filter(next_inspection_due__lt=today)
                     .exclude(status=EquipmentStatus.RETIRED).order_by("next_inspection_due", "pk"))
    for obj in [*batches, *equipment]:
        units[obj.owner_unit_id] = obj.owner_unit
    for b in batches:
        slot(b.owner_unit_id).batches.append(
            (b.pk, str(b), b.expiry_date, reverse("resources:detail", kwargs={"key": "stock", "pk": b.pk})))
    for e in equipment:
        slot(e.owner_unit_id).equipment.append(
            (e.pk, str(e), e.next_inspection_due, reverse("resources:detail", kwargs={"key": "equipment", "pk": e.pk})))
    return [by_unit[k] for k in sorted(by_unit)]
