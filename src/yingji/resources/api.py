"""The resource registry's API, mounted at /api/v1/resources: the same endpoints for every resource type
(list with filters, search by polygon, GeoJSON, detail, create, change, delete, import, export, template)
plus the stock operations. No `from __future__ import annotations`: ninja reads the loop's schemas at def time."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from yingji.core import crud
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.errors import BadRequest
from yingji.core.geojson import check_crs
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.resources import importers, selectors, services
from yingji.resources.geo import feature_collection
from yingji.resources.models import Equipment, MaterialItem, StockBatch, StockMovement, Warehouse
from yingji.resources.registry import KINDS, Kind
from yingji.resources.schemas import (
    SELECT_RELATED,
    AdjustIn,
    ImportReportOut,
    InspectionIn,
    IssueIn,
    ReceiveIn,
    ResourceFilter,
    SearchIn,
    TransferIn,
    schemas_for,
)

router = Router(tags=["resources"])


def filters_from(request, kind: Kind, f: ResourceFilter, polygon=None, exact=None) -> selectors.Filters:
    user = request.auth
    if exact is None:
        exact = {name: request.GET[name] for name in kind.filters if request.GET.get(name) not in (None, "")}
    poly = polygon if polygon is not None else f.polygon
    return selectors.Filters(
        within=crud.get_for(user, OrgUnit, f.within) if f.within else None,
        q=f.q or None, capability=f.capability or None, exact=exact,
        near=selectors.parse_point(f.near) if f.near else None, radius_km=f.radius_km,
        bbox=selectors.parse_bbox(f.bbox) if f.bbox else None,
        polygon=selectors.parse_polygon(poly) if poly else None,
        below_min=f.below_min, expiring_days=f.expiring_days, overdue=f.overdue,
    )


def _page(kind: Kind, qs, distances, page: PageParams) -> dict:
    qs = qs.select_related(*SELECT_RELATED.get(kind.key, ["owner_unit"]))
    ordering = dict(kind.ordering)
    if distances is not None and page.ordering in ("distance", "-distance"):
        ids = sorted(distances, key=distances.get, reverse=page.ordering.startswith("-"))
        items = list(qs.in_bulk(ids[page.offset: page.offset + page.limit]).values())
        items.sort(key=lambda o: ids.index(o.pk))
        result = {"count": len(ids), "limit": page.limit, "offset": page.offset, "items": items}
    else:
        result = paginate(qs, page, ordering, default=next(iter(ordering), None))
    if distances is not None:
        for obj in result["items"]:
            obj.distance_m = round(distances.get(obj.pk, 0.0), 1)
    return result


def _resolve_fks(request, kind: Kind, data: dict) -> dict:
    """Turn `<fk>_id` input into objects the user can see (NotFound otherwise)."""
    out = {}
    for key, value in data.items():
        name = key[:-3] if key.endswith("_id") else key
        field = kind.model._meta.get_field(name)
        if field.is_relation and value is not None:
            out[name] = crud.get_for(request.auth, field.related_model, value)
        else:
            out[name] = value
    return out


def _register(kind: Kind) -> None:
    out, inp, patch = schemas_for(kind)
    key = kind.key

    @router.get(f"/{key}", response={200: page_of(out), **ERROR_RESPONSES}, url_name=f"{key}_list",
                summary=f"List {key}", operation_id=f"resources_{key}_list")
    def list_(request: HttpRequest, f: Query[ResourceFilter], page: Query[PageParams]):
        qs, distances = selectors.search(request.auth, kind, filters_from(request, kind, f))
        return _page(kind, qs, distances, page)

    @router.post(f"/{key}/search", response={200: page_of(out), **ERROR_RESPONSES}, url_name=f"{key}_search",
                 summary=f"Search {key} (GeoJSON polygon in the body)", operation_id=f"resources_{key}_search")
    def search_(request: HttpRequest, body: SearchIn, page: Query[PageParams]):
        qs, distances = selectors.search(request.auth, kind,
                                         filters_from(request, kind, body, body.polygon, body.filters))
        return _page(kind, qs, distances, page)

    @router.get(f"/{key}/export", url_name=f"{key}_export", summary=f"Export {key} (xlsx or csv)",
                operation_id=f"resources_{key}_export")
    def export_(request: HttpRequest, f: Query[ResourceFilter], format: str = "xlsx"):
        qs, _ = selectors.search(request.auth, kind, filters_from(request, kind, f), Action.EXPORT)
        return importers.export_response(kind, qs, format)

    @router.get(f"/{key}/template", url_name=f"{key}_template", summary=f"Empty import template for {key}",
                operation_id=f"resources_{key}_template")
    def template_(request: HttpRequest, format: str = "xlsx"):
        return importers.export_response(kind, kind.model.objects.none(), format, template=True)

    if kind.geo:
        @router.get(f"/{key}/geojson", url_name=f"{key}_geojson", summary=f"{key} as GeoJSON points",
                    operation_id=f"resources_{key}_geojson")
        def geojson_(request: HttpRequest, f: Query[ResourceFilter], crs: str = "wgs84"):
            check_crs(crs)
            qs, _ = selectors.search(request.auth, kind, filters_from(request, kind, f))
            return feature_collection(kind, qs, crs)

    @router.get(f"/{key}/{{int:pk}}", response={200: out, **ERROR_RESPONSES}, url_name=f"{key}_detail",
                operation_id=f"resources_{key}_detail")
    def detail_(request: HttpRequest, pk: int):
        return crud.get_for(request.auth, kind.model, pk)

    if kind.importable:
        @router.post(f"/{key}/import", response={200: ImportReportOut, **ERROR_RESPONSES, 422: ImportReportOut},
                     url_name=f"{key}_import", summary=f"Import {key} from .xlsx/.csv (all or nothing)",
                     operation_id=f"resources_{key}_import")
        def import_(request: HttpRequest, file: File[UploadedFile]):
            report = importers.import_file(request.auth, kind, file.name, file.read())
            return Status(200 if report.ok else 422, report.as_dict())

    if inp is not None:
        @router.post(f"/{key}", response={201: out, **ERROR_RESPONSES}, url_name=f"{key}_create",
                     operation_id=f"resources_{key}_create")
        def create_(request: HttpRequest, data: inp):
            fields = _resolve_fks(request, kind, data.dict(exclude_unset=True))
            return Status(201, services.create(request.auth, kind.model, fields))

        @router.patch(f"/{key}/{{int:pk}}", response={200: out, **ERROR_RESPONSES}, url_name=f"{key}_update",
                      operation_id=f"resources_{key}_update")
        def update_(request: HttpRequest, pk: int, data: patch):
            obj = crud.get_for(request.auth, kind.model, pk, Action.CHANGE)
            return services.update(request.auth, obj, _resolve_fks(request, kind, data.dict(exclude_unset=True)))

        @router.delete(f"/{key}/{{int:pk}}", response={204: None, **ERROR_RESPONSES}, url_name=f"{key}_delete",
                       operation_id=f"resources_{key}_delete")
        def delete_(request: HttpRequest, pk: int):
            services.delete(request.auth, crud.get_for(request.auth, kind.model, pk, Action.DELETE))
            return Status(204, None)


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
        item = MaterialItem.objects.filter(code=data.item_code).first()
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
    return StockBatch.objects.get(pk=pk)


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


@router.get("/readiness", url_name="readiness", summary="Readiness gaps: counts and by owner unit")
def readiness(request: HttpRequest, within: int | None = None):
    unit = crud.get_for(request.auth, OrgUnit, within) if within else None
    data = selectors.readiness(request.auth, unit)
    return {"today": data["today"], "counts": data["counts"], "by_unit": data["by_unit"]}


for _kind in KINDS.values():
    _register(_kind)

__all__ = ["router", "StockMovement"]
