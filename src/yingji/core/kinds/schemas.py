"""API schemas of registered types, generated from the model and the Kind: output (with names next to ids,
distance, availability and the exercise label), input, patch, the list filters and the import report."""

from ninja import Field, Schema
from ninja.orm import create_schema
from pydantic import create_model

from yingji.core.kinds.registry import Kind
from yingji.core.schemas import constrained

__all__ = ["ResourceFilter", "SearchIn", "schemas_for", "filter_schema", "ImportReportOut", "RowErrorOut"]

_SKIP_OUT = ["created_at", "updated_at"]
# Derived columns kept for indexes, never shown or accepted.
_DERIVED = ["capability_index", "hazard_index", "lat_band", "road_node", "road_snap_m", "road_graph"]


class ResourceFilter(Schema):
    within: int | None = Field(None, description="only resources owned by this unit and its subtree")
    q: str | None = Field(None, max_length=200, description="text search in name/code and similar fields")
    capability: str | None = Field(None, max_length=500,
                                   description="capability code(s), comma-separated: all must be offered")
    near: str | None = Field(None, max_length=100, description="'lng,lat' (WGS-84): only within radius_km of this point")
    radius_km: float | None = Field(None, gt=0, le=1000, description="radius for near, km")
    bbox: str | None = Field(None, max_length=200, description="'west,south,east,north' degrees")
    polygon: str | None = Field(None, description="GeoJSON Polygon/MultiPolygon (or use POST …/search)")
    hazard: str | None = Field(None, max_length=500, description="hazard type code(s), comma-separated; a category finds its subtypes")


class SearchIn(ResourceFilter):
    polygon: dict | None = Field(None, description="GeoJSON Polygon/MultiPolygon geometry or Feature")
    filters: dict[str, str] = Field(default_factory=dict, description="exact filters, e.g. {'status': 'available'}")


_CACHE: dict[str, tuple] = {}
_FILTERS: dict[str, type] = {}


def filter_schema(kind: Kind) -> type[Schema]:
    """The list filters of one type: the common ones plus the type's own flags (stock `below_min` …)."""
    if kind.api_prefix not in _FILTERS:
        fields = {}
        for fl in kind.flags:
            if fl.type is bool:
                fields[fl.name] = (bool, Field(False, description=str(fl.label)))
            else:
                fields[fl.name] = (int | None, Field(None, ge=0, le=fl.maximum, description=str(fl.label)))
        name = "".join(p.title() for p in kind.api_prefix.split("_")) + "Filter"
        _FILTERS[kind.api_prefix] = create_model(name, __base__=ResourceFilter, **fields) if fields else ResourceFilter
    return _FILTERS[kind.api_prefix]


def _fields(kind: Kind) -> list[str]:
    return [name for name in kind.input_fields if name not in ("quantity",) or kind.writable]


def schemas_for(kind: Kind) -> tuple[type[Schema], type[Schema] | None, type[Schema] | None]:
    """(Out, In, Patch) for a resource type; In/Patch are None where changes go through a dedicated service."""
    if kind.api_prefix in _CACHE:
        return _CACHE[kind.api_prefix]
    name = "".join(p.title() for p in kind.key.split("_"))
    if kind.app != "resources":  # the registry's schema names predate the kernel and stay as they were
        name = "".join(p.title() for p in kind.api_prefix.split("_"))
    names = {f.name for f in kind.model._meta.concrete_fields}
    skip = [n for n in [*_SKIP_OUT, *_DERIVED] if n in names]
    base_out = constrained(create_schema(kind.model, name=f"{name}Base", exclude=skip), kind.model)
    annotations, namespace = {"distance_m": float | None}, {"distance_m": None}
    if "owner_unit" in names:
        annotations["owner_unit_name"] = str
        namespace["owner_unit_name"] = Field(..., alias="owner_unit.name")
    if kind.dispatchable:
        annotations["availability"] = str
        namespace["availability"] = Field(..., description="available | committed | unavailable (derived)")
    for extra, path in kind.extras.items():
        annotations[extra] = str | None
        namespace[extra] = Field(None, alias=path)
    out = type(f"{name}Out", (base_out,), {"__annotations__": annotations, **namespace})
    if kind.writable:
        fields = _fields(kind)
        optional = [f for f in fields if f not in kind.required]
        inp = constrained(create_schema(kind.model, name=f"{name}In", fields=fields, optional_fields=optional or None),
                          kind.model)
        patch = constrained(create_schema(kind.model, name=f"{name}Patch", fields=fields, optional_fields="__all__"),
                            kind.model)
    else:
        inp = patch = None
    _CACHE[kind.api_prefix] = (out, inp, patch)
    return _CACHE[kind.api_prefix]


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    ok: bool
    total_rows: int
    created: int
    errors: list[RowErrorOut]
