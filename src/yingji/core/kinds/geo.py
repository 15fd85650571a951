"""GeoJSON of registered types for the map, converted to the tile source's coordinate system at display time,
and the map layer definitions every app offers from its Kinds: symbol, status colours, popup, order.

One mechanism for every type: a Kind names its `status_field`, `status_colours`, `symbol` and `popup`; the
features carry the status and the popup rows already rendered in the user's language (personal fields masked
by yingji.core.privacy), and the map script draws whatever the layer definition says.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _

from yingji.core import privacy, vocabulary
from yingji.core.geojson import convert_geometry
from yingji.core.kinds.registry import Kind, Symbol, kinds_of
from yingji.core.models import Availability

__all__ = ["STATUS_COLOURS", "feature_collection", "map_layers", "statuses", "symbol_of"]

# The status colours of every map symbol (white letters on them keep a 4.5:1 contrast).
STATUS_COLOURS = {"ok": "#1b7a35", "warn": "#b45309", "bad": "#b91c1c", "off": "#5f6368"}
AVAILABILITY = "availability"
_URL_PK = 987654321


def _key(value) -> str:
    """A status value as the features and the legend spell it ('true'/'false' for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _value_labels(kind: Kind, name: str) -> dict[str, str]:
    """{value key: label in the user's language} of a field with choices, a boolean, or availability."""
    if name == AVAILABILITY:
        return {v: str(label) for v, label in Availability.choices}
    f = kind.model._meta.get_field(name)
    if f.choices:
        return {_key(v): str(label) for v, label in f.flatchoices}
    if isinstance(f, models.BooleanField):
        return {"true": _("是"), "false": _("否")}
    return {}


def statuses(kind: Kind) -> list[dict]:
    """The legend's status rows of a type, [{value, label, colour}], in the order the Kind declares them."""
    labels = _value_labels(kind, kind.status_field) if kind.status_field else {}
    out = []
    for value, spec in kind.status_colours.items():
        colour, label = spec if isinstance(spec, tuple) else (spec, None)
        key = _key(value)
        out.append({"value": key, "label": str(label or labels.get(key, key)),
                    "colour": STATUS_COLOURS.get(colour, colour)})
    return out


def symbol_of(kind: Kind) -> dict:
    s = kind.symbol or Symbol(letter=str(kind.label)[:1])
    return {"shape": s.shape, "letter": s.letter or str(kind.label)[:1], "colour": s.colour}


class _Popup:
    """The popup rows of one type: which values to read and how each is shown."""

    def __init__(self, kind: Kind):
        self.kind = kind
        self.model = kind.model
        self.personal = frozenset(getattr(self.model, "personal_fields", ()))
        self.rows = []  # (name, value key, label, value labels)
        for name in kind.popup:
            if name == AVAILABILITY:
                self.rows.append((name, name, _("可调用状态"), _value_labels(kind, name)))
                continue
            f = self.model._meta.get_field(name)
            key = name
            if f.is_relation:
                has_name = any(r.name == "name" for r in f.related_model._meta.fields)
                key = f"{name}__name" if has_name else f"{name}_id"
            self.rows.append((name, key, str(f.verbose_name), _value_labels(kind, name) if not f.is_relation else {}))

    def fields(self) -> list[str]:
        keys = [key for name, key, _l, _v in self.rows if name != AVAILABILITY]
        if self.personal & set(self.kind.popup):
            keys.append(self.model.scope_path_field)
        return keys

    def render(self, user, row: dict, availability: str | None) -> list[list]:
        """[[label, text, href or None], …] with empty values left out and personal numbers masked."""
        out = []
        see = None
        for name, key, label, value_labels in self.rows:
            value = availability if name == AVAILABILITY else row.get(key)
            if value in (None, "", [], {}):
                continue
            href = None
            if name == "capabilities":
                text = vocabulary.capability_labels(value)
            elif name == "hazard_types":
                text = vocabulary.hazard_labels(value)
            elif value_labels:
                text = value_labels.get(_key(value), str(value))
            elif isinstance(value, Decimal):
                text = format(value.normalize(), "f")  # 1500.000 → 1500
            else:
                text = str(value)
            masked = False
            if name in self.personal:
                if see is None:
                    see = privacy.may_see_contacts_at(user, row[self.model.scope_path_field], self.kind.otype)
                masked = not see
                text = privacy.mask_phone(text) if masked else text
            if name.endswith("phone") and not masked:
                digits = re.sub(r"[^\d+]", "", text)
                href = f"tel:{digits}" if digits else None
            out.append([label, text, href])
        return out


def feature_collection(kind: Kind, qs, user, crs: str = "wgs84", limit: int = 20000) -> dict:
    """The type's points for `user`: each with its status, its popup rows and its page's URL."""
    status = kind.status_field
    popup = _Popup(kind)
    fields = ["pk", "name", "lat", "lng"]
    if status and status != AVAILABILITY:
        fields.append(status)
    fields += [f for f in popup.fields() if f not in fields]
    wants_availability = kind.dispatchable and (status == AVAILABILITY or AVAILABILITY in kind.popup)
    if wants_availability:
        qs = kind.model.with_availability(qs)
        fields += ["is_ready", "is_committed"]
    if kind.exercise:
        fields.append("is_exercise")
    url = reverse(f"{kind.app}:detail", args=[kind.key, _URL_PK])
    features = []
    for row in qs.filter(lat__isnull=False, lng__isnull=False).values(*fields)[:limit]:
        availability = None
        if wants_availability:
            availability = (Availability.UNAVAILABLE if not row["is_ready"] else
                            Availability.COMMITTED if row["is_committed"] else Availability.AVAILABLE).value
        value = availability if status == AVAILABILITY else row.get(status) if status else None
        geometry = convert_geometry({"type": "Point", "coordinates": [row["lng"], row["lat"]]}, crs)
        props = {"id": row["pk"], "name": row["name"], "kind": kind.key, "kind_label": str(kind.label),
                 "status": _key(value), "url": url.replace(str(_URL_PK), str(row["pk"])),
                 "popup": popup.render(user, row, availability)}
        if row.get("is_exercise"):
            props["exercise"] = True
        features.append({"type": "Feature", "id": row["pk"], "geometry": geometry, "properties": props})
    return {"type": "FeatureCollection", "features": features}


def map_layers(app: str) -> list[dict]:
    """Layer definitions for the 一张图 map, one per type with a place, in the app's declared order: its GeoJSON
    URL, symbol and status colours (the legend), drawn above the units."""
    return [{"kind": k.key, "label": str(k.label), "on": k.map_on, "group": "resources",
             "url": reverse(f"api-1:{k.api_prefix}_geojson"), "symbol": symbol_of(k), "statuses": statuses(k)}
            for k in kinds_of(app).values() if k.geo and k.status_field is not None]
