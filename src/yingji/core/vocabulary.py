"""Reads and seeding of the shared vocabularies (hazard types, capabilities), cached per process.

The hazard taxonomy ships as package data (`core/data/hazard_types.json`, with its sources) and is loaded by
`seed_hazard_types()` (migrate and the demo call it; running it again changes nothing). Local extensions are
ordinary rows added by administrators. Lookups (`with_ancestors`, `hazard_labels`, `capability_labels`) load
each vocabulary once per version, so a list page of 50 teams costs no query per row.
"""

from __future__ import annotations

import json
import threading
import time
from importlib import resources

from django.db.models import Count, Max

__all__ = ["seed_hazard_types", "with_ancestors", "hazard_labels", "capability_labels", "hazard_tree",
           "capability_names", "hazard_names", "parse_hazards", "invalidate"]

_lock = threading.Lock()
_cache: dict = {}


def _taxonomy() -> list[dict]:
    data = resources.files("yingji.core").joinpath("data/hazard_types.json").read_text(encoding="utf-8")
    return json.loads(data)["nodes"]


def seed_hazard_types() -> int:
    """Create the shipped taxonomy's missing nodes (parents first); returns how many were created. A shipped
    node stored without an English name (the accident types once were) gets the one shipped now."""
    from yingji.core.models import HazardType

    have = set(HazardType.objects.values_list("code", flat=True))
    by_code = {h.code: h for h in HazardType.objects.all()}
    created = 0
    named = 0
    for i, node in enumerate(_taxonomy()):
        if node["code"] in have:
            if node["name_en"]:
                named += HazardType.objects.filter(code=node["code"], is_local=False, name_en="").update(
                    name_en=node["name_en"])
            continue
        parent = by_code.get(node["parent"]) if node["parent"] else None
        h = HazardType.objects.create(
            code=node["code"], name=node["name"], name_en=node["name_en"], parent=parent,
            category=node["category"], depth=(parent.depth + 1) if parent else 0,
            standard_code=node["standard_code"], code_status=node["code_status"], is_local=False, sort=i)
        by_code[h.code] = h
        created += 1
    if named:
        invalidate()
    return created


def _version(model):
    agg = model.objects.aggregate(n=Count("pk"), m=Max("pk"))
    return (agg["n"], agg["m"])


_RECHECK_S = 1.0  # how stale another process's change may be seen here; this process invalidates at once


def invalidate() -> None:
    with _lock:
        _cache.clear()


def _load(name: str, model, build):
    from django.db import connection

    key = (name, connection.alias, str(connection.settings_dict.get("NAME")))
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and now - hit[2] < _RECHECK_S:
        return hit[1]
    version = _version(model)
    with _lock:
        hit = _cache.get(key)
        if hit is None or hit[0] != version:
            hit = (version, build(), now)
        else:
            hit = (hit[0], hit[1], now)
        _cache[key] = hit
    return hit[1]


def _hazards() -> dict:
    from yingji.core.models import HazardType

    def build():
        rows = list(HazardType.objects.values("code", "name", "name_en", "parent__code", "category", "depth"))
        return {r["code"]: r for r in rows}

    return _load("hazards", HazardType, build)


def _capabilities() -> dict:
    from yingji.core.models import Capability

    def build():
        return {r["code"]: r for r in Capability.objects.values("code", "name", "quantity_unit", "category")}

    return _load("capabilities", Capability, build)


def with_ancestors(codes) -> set[str]:
    table = _hazards()
    out = set()
    for code in codes:
        while code and code not in out:
            out.add(code)
            code = table.get(code, {}).get("parent__code")
    return out


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("en")


def hazard_names() -> dict[str, str]:
    """{code: label in the user's language}."""
    return dict(_labels(_english()))  # a copy: callers may add to it


_label_memo: dict[bool, tuple[dict, dict]] = {}  # en → (the rows they were made from, the labels)


def _labels(en: bool) -> dict[str, str]:
    """The labels, made again only when the cached rows change (pickers and every imported row read them)."""
    rows = _hazards()
    hit = _label_memo.get(en)
    if hit is not None and hit[0] is rows:
        return hit[1]
    names = {c: (r["name_en"] if en and r["name_en"] else r["name"]) for c, r in rows.items()}
    # A name two types share (滑坡: the geological disaster, and GB 6441's accident type WSA10025) stays plain
    # for the one nearer the top, as parse_hazards reads it; the others add their category (the taxonomy's top
    # node), so no picker offers the same words twice and an export reads back as the same type.
    first: dict[str, str] = {}
    for code, _r in sorted(rows.items(), key=lambda kv: (kv[1]["depth"], kv[0])):
        first.setdefault(names[code], code)
    out = dict(names)
    for code, name in names.items():
        top = rows.get(rows[code]["category"])
        if first[name] != code and top is not None:
            out[code] = f"{name} ({names[top['code']]})" if en else f"{name}（{names[top['code']]}）"
    _label_memo[en] = (rows, out)
    return out


def capability_names() -> dict[str, dict]:
    return _capabilities()


def hazard_labels(codes) -> str:
    names = hazard_names()
    return "、".join(names.get(c, c) for c in codes or [])


def capability_labels(caps: dict | None) -> str:
    """'排涝 500 m³/h、水上救援' for {code: qty}."""
    table = _capabilities()
    parts = []
    for code, qty in sorted((caps or {}).items()):
        row = table.get(code)
        name = row["name"] if row else code
        unit = row["quantity_unit"] if row else ""
        parts.append(f"{name} {qty}{(' ' + unit) if unit else ''}" if qty not in (None, "") else name)
    return "、".join(parts)


def hazard_tree() -> list[dict]:
    """The taxonomy as nested {code, name, children} for pickers and the API."""
    names = hazard_names()
    nodes = {c: {"code": c, "name": names[c], "category": r["category"], "children": []}
             for c, r in _hazards().items()}
    roots = []
    for code, r in _hazards().items():
        parent = r["parent__code"]
        (nodes[parent]["children"] if parent in nodes else roots).append(nodes[code])
    return roots


def parse_hazards(text: str) -> list[str]:
    """'山洪、滑坡' or 'flash_flood;landslide' (names in either language, or codes) → codes; unknown kept."""
    table = _hazards()
    by_name: dict[str, str] = {}
    for code, r in sorted(table.items(), key=lambda kv: kv[1]["depth"]):  # a name shared by two nodes: the
        by_name.setdefault(r["name"], code)                               # one nearer the top (滑坡 the hazard,
        if r["name_en"]:                                                   # not the GB 6441 accident type)
            by_name.setdefault(r["name_en"].lower(), code)
    for en in (False, True):  # labels told apart by their category (滑坡（事故灾难）)
        for code, label in _labels(en).items():
            by_name.setdefault(label, code)
            by_name.setdefault(label.lower(), code)
    out = []
    for part in str(text).replace("；", ";").replace("、", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip()
        if part:
            out.append(part if part in table else by_name.get(part, by_name.get(part.lower(), part)))
    return out
