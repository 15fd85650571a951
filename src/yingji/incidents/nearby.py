"""Shelters and hospitals near an incident, from the registry (read through the generic type search)."""

from __future__ import annotations

from yingji.core.kinds.registry import kind_for
from yingji.core.kinds.search import Filters, search

__all__ = ["places"]


def places(user, inc, radius_km: float = 5.0, limit: int = 8) -> list[dict]:
    out = []
    for key, exact, label in (("shelters", None, "shelter"), ("facilities", {"kind": "hospital"}, "hospital")):
        try:
            kind = kind_for("resources", key)
        except Exception:  # noqa: BLE001 — the registry module may not be installed
            continue
        qs, dist = search(user, kind, Filters(near=(inc.lng, inc.lat), radius_km=radius_km, exact=exact))
        for obj in kind.model._default_manager.filter(pk__in=sorted(dist, key=dist.get)[:limit]):
            out.append({"kind": label, "id": obj.pk, "name": obj.name, "lng": obj.lng, "lat": obj.lat,
                        "distance_m": round(dist[obj.pk]), "url": f"/resources/{key}/{obj.pk}/"})
    return sorted(out, key=lambda r: r["distance_m"])
