"""Material lots for an incident (物资调拨): the nearest warehouses' stock of an item, first-expiring first.

Stock belongs to the registry (yingji.resources); it is read here through its registered Kind, never its
models. Dispatching a lot is `dispatching.dispatch(resource_type="stock", …)`: the warehouse accepts, then
the lot is issued through the ledger.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from yingji.core.kinds.registry import kind_for
from yingji.core.kinds.search import within_radius
from yingji.incidents.models import Incident

__all__ = ["lots_near", "RADIUS_KM"]

RADIUS_KM = 100
MAX_QUERY = 50


def lots_near(user, inc: Incident, query: str, limit: int = 12) -> list[dict]:
    """Lots (quantity > 0, not expired, active warehouse) of catalogue items whose name or code matches `query`,
    nearest warehouse first, then first-expiring first within a warehouse. Without the incident's position the
    order is by expiry alone (distance unknown)."""
    query = (query or "").strip()[:MAX_QUERY].replace("\x00", "")
    if not query:
        return []
    stock = kind_for("resources", "stock").model
    warehouse_model = stock._meta.get_field("warehouse").related_model
    today = timezone.localdate()
    qs = (stock._default_manager.restrict(user)
          .filter(quantity__gt=0, warehouse__is_active=True)
          .filter(Q(expiry_date__isnull=True) | Q(expiry_date__gte=today))
          .filter(Q(item__name__icontains=query) | Q(item__code__startswith=query)))
    dist: dict[int, float] | None = None
    if inc.lng is not None and inc.lat is not None:
        dist = within_radius(warehouse_model._default_manager.filter(is_active=True), inc.lng, inc.lat,
                             RADIUS_KM * 1000)
        qs = qs.filter(warehouse_id__in=list(dist))
    rows = list(qs.select_related("item", "warehouse", "warehouse__owner_unit")[:500])
    far = float("inf")
    rows.sort(key=lambda b: ((dist or {}).get(b.warehouse_id, far), b.expiry_date or today.replace(year=9999),
                             b.pk))
    out = []
    for b in rows[:limit]:
        metres = (dist or {}).get(b.warehouse_id)
        out.append({"id": b.pk, "item": b.item.name, "code": b.item.code, "unit_of_measure": b.item.unit_of_measure,
                    "quantity": b.quantity, "warehouse": b.warehouse.name,
                    "owner": b.warehouse.owner_unit.name if b.warehouse.owner_unit_id else "",
                    "expiry_date": b.expiry_date, "distance_km": round(metres / 1000, 1) if metres is not None
                    else None})
    return out
