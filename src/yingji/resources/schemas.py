"""API schemas of the resource registry: generated per type from the model, plus the stock operations."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema
from ninja.orm import create_schema

from yingji.resources.registry import KINDS, Kind

__all__ = ["ResourceFilter", "SearchIn", "schemas_for", "ReceiveIn", "IssueIn", "TransferIn", "AdjustIn",
           "InspectionIn", "ImportReportOut"]

_SKIP_OUT = ["created_at", "updated_at"]


class ResourceFilter(Schema):
    within: int | None = Field(None, description="only resources owned by this unit and its subtree")
    q: str | None = Field(None, description="text search in name/code and similar fields")
    capability: str | None = Field(None, description="capability code(s), comma-separated: all must be offered")
    near: str | None = Field(None, description="'lng,lat' (WGS-84): only within radius_km of this point")
    radius_km: float | None = Field(None, gt=0, le=1000, description="radius for near, km")
    bbox: str | None = Field(None, description="'west,south,east,north' degrees")
    polygon: str | None = Field(None, description="GeoJSON Polygon/MultiPolygon (or use POST …/search)")
    below_min: bool = Field(False, description="stock: only batches below their minimum level")
    expiring_days: int | None = Field(None, ge=0, le=3650, description="stock: expiring within N days")
    overdue: bool = Field(False, description="equipment: inspection overdue")


class SearchIn(ResourceFilter):
    polygon: dict | None = Field(None, description="GeoJSON Polygon/MultiPolygon geometry or Feature")
    filters: dict[str, str] = Field(default_factory=dict, description="exact filters, e.g. {'status': 'available'}")


_CACHE: dict[str, tuple] = {}
# Names next to ids where a client would otherwise need a second request.
_EXTRAS = {
    "stock": {"item_code": "item.code", "item_name": "item.name", "unit_of_measure": "item.unit_of_measure",
              "warehouse_name": "warehouse.name"},
    "movements": {"item_name": "batch.item.name", "warehouse_name": "batch.warehouse.name"},
    "members": {"team_name": "team.name"},
    "equipment": {"team_name": "team.name"},
    "inspections": {"equipment_name": "equipment.name"},
}
SELECT_RELATED = {"stock": ["owner_unit", "item", "warehouse"], "movements": ["owner_unit", "batch__item",
                                                                              "batch__warehouse"],
                  "members": ["owner_unit", "team"], "equipment": ["owner_unit", "team"],
                  "inspections": ["owner_unit", "equipment"]}


def _fields(kind: Kind) -> list[str]:
    return [name for name, _header in kind.columns if name not in ("quantity",) or kind.writable]


def schemas_for(kind: Kind) -> tuple[type[Schema], type[Schema] | None, type[Schema] | None]:
    """(Out, In, Patch) for a resource type; In/Patch are None where changes go through a dedicated service."""
    if kind.key in _CACHE:
        return _CACHE[kind.key]
    name = "".join(p.title() for p in kind.key.split("_"))
    base_out = create_schema(kind.model, name=f"{name}Base", exclude=_SKIP_OUT + ["capability_index"]
                             if kind.capable else _SKIP_OUT)
    annotations = {"distance_m": float | None, "owner_unit_name": str}
    namespace = {"distance_m": None, "owner_unit_name": Field(..., alias="owner_unit.name")}
    for extra, path in _EXTRAS.get(kind.key, {}).items():
        annotations[extra] = str | None
        namespace[extra] = Field(None, alias=path)
    out = type(f"{name}Out", (base_out,), {"__annotations__": annotations, **namespace})
    if kind.writable:
        fields = _fields(kind)
        optional = [f for f in fields if f not in kind.required]
        inp = create_schema(kind.model, name=f"{name}In", fields=fields, optional_fields=optional or None)
        patch = create_schema(kind.model, name=f"{name}Patch", fields=fields, optional_fields="__all__")
    else:
        inp = patch = None
    _CACHE[kind.key] = (out, inp, patch)
    return _CACHE[kind.key]


for _k in KINDS.values():
    schemas_for(_k)


class ReceiveIn(Schema):
    warehouse_id: int
    item_id: int | None = None
    item_code: str | None = Field(None, description="catalogue code instead of item_id")
    quantity: Decimal
    batch_no: str = ""
    production_date: date | None = None
    expiry_date: date | None = None
    min_quantity: Decimal | None = None
    note: str = ""


class IssueIn(Schema):
    quantity: Decimal
    incident_ref: str = ""
    note: str = ""
    kind: str = Field("issue", description="'issue' (to an incident) or 'out'")


class TransferIn(Schema):
    to_warehouse_id: int
    quantity: Decimal
    note: str = ""


class AdjustIn(Schema):
    counted: Decimal
    note: str = ""


class InspectionIn(Schema):
    inspected_on: date
    passed: bool = True
    inspector: str = ""
    note: str = ""


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    ok: bool
    total_rows: int
    created: int
    errors: list[RowErrorOut]
