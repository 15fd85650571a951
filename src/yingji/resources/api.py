"""The resource registry's API, mounted at /api/v1/resources: the kernel's generic endpoints for every type
(yingji.core.kinds.api) plus the stock operations, inspections, capability supply and readiness."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from yingji.core import crud
from yingji.core.api_utils import ERROR_RESPONSES
from yingji.core.errors import BadRequest
from yingji.core.kinds.api import add_kind_routes, filters_from
from yingji.core.kinds.schemas import ResourceFilter, schemas_for
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.resources import selectors, services
from yingji.resources.models import Equipment, MaterialItem, StockBatch, StockMovement, Warehouse
from yingji.resources.registry import KINDS
from yingji.resources.schemas import AdjustIn, InspectionIn, IssueIn, ReceiveIn, TransferIn

router = Router(tags=["resources"])
_STOCK_OUT = schemas_for(KINDS["stock"])[0]
_MOVE_OUT = schemas_for(KINDS["movements"])[0]
_INSPECTION_OUT = schemas_for(KINDS["inspections"])[0]


# Stock operations are registered before the generic routes so `/stock/{pk}/…` is not shadowed.
@router.post("/stock", response={201: _STOCK_OUT, **ERROR_RESPONSES}, url_name="stock_receive",
             summary="Receive stock (入库) into a new or existing batch")
def receive(request: HttpRequest, data: ReceiveIn):
    warehouse = crud.get_for(request.auth, Warehouse, data.warehouse_id)
    if data.item_id:
        item = crud.get_for(request.auth, MaterialItem, data.item_id)
    elif data.item_code:
        item = selectors.material_by_code(request.auth, data.item_code)
        if item is None:
            raise BadRequest(details={"item_code": [_("未知的物资编码")]}, code="unknown_item")
    else:
        raise BadRequest(details={"item_id": [_("需要 item_id 或 item_code")]}, code="missing_item")
    batch = services.receive(request.auth, warehouse, item, data.quantity, batch_no=data.batch_no,
                             production_date=data.production_date, expiry_date=data.expiry_date,
                             min_quantity=data.min_quantity, note=data.note)
    return Status(201, batch)


@router.post("/stock/{int:pk}/issue", response={201: _MOVE_OUT, **ERROR_RESPONSES}, url_name="stock_issue",
             summary="Issue stock (出库 / 事件调用); refuses to overdraw")
def issue(request: HttpRequest, pk: int, data: IssueIn):
    return Status(201, services.issue(request.auth, pk, data.quantity, incident_ref=data.incident_ref,
                                      note=data.note, kind=data.kind))


@router.post("/stock/{int:pk}/transfer", response={201: _STOCK_OUT, **ERROR_RESPONSES}, url_name="stock_transfer")
def transfer(request: HttpRequest, pk: int, data: TransferIn):
    target = crud.get_for(request.auth, Warehouse, data.to_warehouse_id)
    return Status(201, services.transfer(request.auth, pk, target, data.quantity, note=data.note))


@router.post("/stock/{int:pk}/adjust", response={200: _STOCK_OUT, **ERROR_RESPONSES}, url_name="stock_adjust")
def adjust(request: HttpRequest, pk: int, data: AdjustIn):
    services.adjust(request.auth, pk, data.counted, note=data.note)
    return crud.get_for(request.auth, StockBatch, pk)


@router.post("/stock/{int:pk}/write-off", response={201: _MOVE_OUT, **ERROR_RESPONSES}, url_name="stock_write_off")
def write_off(request: HttpRequest, pk: int):
    return Status(201, services.write_off_expired(request.auth, pk))


@router.post("/equipment/{int:pk}/inspections", response={201: _INSPECTION_OUT, **ERROR_RESPONSES},
             url_name="equipment_inspect")
def inspect(request: HttpRequest, pk: int, data: InspectionIn):
    equipment = crud.get_for(request.auth, Equipment, pk, Action.CHANGE)
    return Status(201, services.record_inspection(request.auth, equipment, data.inspected_on, passed=data.passed,
                                                  inspector=data.inspector, note=data.note))


@router.get("/capabilities/{code}/supply", url_name="capability_supply",
            summary="Who offers a capability (teams, equipment, facilities), quantities and the available total")
def capability_supply(request: HttpRequest, code: str, f: Query[ResourceFilter]):
    filters = filters_from(request, KINDS["teams"], f, exact={})
    return selectors.capability_supply(request.auth, code, filters)


class NearestQuery(Schema):
    lng: float = Field(..., ge=-180, le=180, description="longitude (WGS-84)")
    lat: float = Field(..., ge=-90, le=90, description="latitude (WGS-84)")
    capability: str | None = Field(None, max_length=40, description="capability code, e.g. pumping")
    types: str = Field("teams,equipment,experts", max_length=60, description="comma-separated resource types")
    radius_km: float = Field(50, gt=0, le=500)
    limit: int = Field(20, ge=1, le=200)


@router.get("/nearest", url_name="resources_nearest",
            summary="Nearest resources to a point by road travel time, available first (the duty officer's question)")
def nearest(request: HttpRequest, q: Query[NearestQuery]):
    types = tuple(t.strip() for t in q.types.split(",") if t.strip())
    return selectors.nearest(request.auth, q.lng, q.lat, capability=q.capability or None, types=types,
                             radius_km=q.radius_km, limit=q.limit)


@router.get("/readiness", url_name="readiness", summary="Readiness gaps: counts and by owner unit")
def readiness(request: HttpRequest, within: int | None = None):
    unit = crud.get_for(request.auth, OrgUnit, within) if within else None
    data = selectors.readiness(request.auth, unit)
    return {"today": data["today"], "counts": data["counts"], "by_unit": data["by_unit"]}


# Stock operations are registered before the generic routes so `/stock/{pk}/…` is not shadowed.
for _kind in KINDS.values():
    add_kind_routes(router, _kind)

__all__ = ["router", "StockMovement"]
