"""Seed data: the capability vocabulary and the material catalogue after GB/T 38565-2020.

The standard codes materials in four levels and seven digits (大类 1 digit: 1 基本生活保障物资, 2 应急装备及配套物资,
3 工程材料与机械加工设备; 中类, 小类, 细类 two digits each; 99 is the catch-all). Its full code table was not at
hand: the three top classes are the standard's (`code_status = standard`); everything below keeps the structure
but is locally assigned (`code_status = local`) until checked against the published table.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources as pkg

from django.db import transaction

from yingji.core import crud
from yingji.core.models import Capability, OrgUnit
from yingji.resources.models import CodeStatus, MaterialItem

__all__ = ["capability_rows", "material_rows", "seed_catalogue"]


@cache
def capability_rows() -> list[list[str]]:
    return json.loads(pkg.files("yingji.resources").joinpath("data/capabilities.json").read_text("utf-8"))


@cache
def material_rows() -> list[dict]:
    return json.loads(pkg.files("yingji.resources").joinpath("data/materials.json").read_text("utf-8"))


def seed_catalogue(owner: OrgUnit, actor=None) -> tuple[int, int]:
    """Create missing capabilities and catalogue entries (owned by `owner`, the city); returns what was created."""
    with transaction.atomic():
        have = set(Capability.objects.values_list("code", flat=True))
        caps = [Capability(owner_unit=owner, code=c, name=n, category=cat, quantity_unit=u)
                for c, n, cat, u in capability_rows() if c not in have]
        crud.bulk_create(actor, caps)
        by_code = {m.code: m for m in MaterialItem.objects.all()}
        created = 0
        for level in (1, 2, 3, 4):
            batch = []
            for row in material_rows():
                code = row["code"]
                if code in by_code or MaterialItem.level_of(code) != level:
                    continue
                parent_code = MaterialItem.parent_code(code)
                batch.append(MaterialItem(
                    owner_unit=owner, code=code, name=row["name"], level=level,
                    parent=by_code.get(parent_code) if parent_code else None,
                    unit_of_measure=row.get("unit") or "", shelf_life_days=row.get("shelf_life_days"),
                    capability_codes=row.get("capabilities") or [],
                    code_status=row.get("code_status", CodeStatus.LOCAL)))
            for m in crud.bulk_create(actor, batch):
                by_code[m.code] = m
            created += len(batch)
    return len(caps), created
