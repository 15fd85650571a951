"""The generic API of registered types: list (with filters), search by polygon, GeoJSON, detail, create,
change, delete, import, export and template — the same endpoints for every type of an app.
No `from __future__ import annotations`: ninja reads the loop's schemas at def time."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from yingji.core import crud, privacy, selectors
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.errors import BadRequest
from yingji.core.filters import exact_filter_parameters
from yingji.core.geojson import check_crs
from yingji.core.kinds import importer, search, services
from yingji.core.kinds.geo import feature_collection
from yingji.core.kinds.registry import Kind, all_kinds
from yingji.core.kinds.schemas import ImportReportOut, SearchIn, filter_schema, schemas_for
from yingji.core.roles import Action

__all__ = ["filters_from", "page", "add_kind_routes", "router_for"]


def _foreign_flags(request, kind: Kind) -> None:
    """Another type's own filter (stock `below_min` on teams) is refused, not silently ignored."""
    own = {fl.name for fl in kind.flags}
    for other in all_kinds():
        for fl in other.flags:
            if fl.name not in own and request.GET.get(fl.name) not in (None, ""):
                raise BadRequest(_("不支持的筛选条件：%(n)s") % {"n": fl.name}, code="bad_filter")


def filters_from(request, kind: Kind, f, polygon=None, exact=None) -> search.Filters:
    _foreign_flags(request, kind)
    user = request.auth
    if exact is None:
        exact = {name: request.GET[name] for name in kind.filters if request.GET.get(name) not in (None, "")}
    poly = polygon if polygon is not None else f.polygon
    flags = {fl.name: getattr(f, fl.name, None) for fl in kind.flags}
    return search.Filters(
        within=selectors.unit(user, f.within) if f.within else None,
        q=f.q or None, capability=f.capability or None, hazard=getattr(f, "hazard", None) or None, exact=exact,
        near=search.parse_point(f.near) if f.near else None, radius_km=f.radius_km,
        bbox=search.parse_bbox(f.bbox) if f.bbox else None,
        polygon=search.parse_polygon(poly) if poly else None, flags=flags,
    )


def page(request, kind: Kind, qs, distances, params: PageParams) -> dict:
    """One page of a type's list: ordered (by distance when asked), related rows and availability joined."""
    qs = qs.select_related(*kind.select_related)
    if kind.dispatchable:
        qs = kind.model.with_availability(qs)
    ordering = dict(kind.ordering)
    if distances is not None and params.ordering in ("distance", "-distance"):
        ids = sorted(distances, key=distances.get, reverse=params.ordering.startswith("-"))
        chosen = ids[params.offset: params.offset + params.limit]
        found = qs.in_bulk(chosen)
        items = [found[pk] for pk in chosen if pk in found]
        result = {"count": len(ids), "limit": params.limit, "offset": params.offset, "items": items}
    else:
        result = paginate(qs, params, ordering, default=next(iter(ordering), None))
    if distances is not None:
        for obj in result["items"]:
            obj.distance_m = round(distances.get(obj.pk, 0.0), 1)
    privacy.redact(request.auth, result["items"])
    return result


def add_kind_routes(router: Router, kind: Kind) -> None:
    out, inp, patch = schemas_for(kind)
    key, prefix = kind.key, kind.api_prefix
    Filter = filter_schema(kind)
    exact = {"parameters": exact_filter_parameters(kind.model, kind.filters)}  # so clients and the fuzzer see them

    @router.get(f"/{key}", response={200: page_of(out), **ERROR_RESPONSES}, url_name=f"{prefix}_list",
                summary=f"List {key}", operation_id=f"{prefix}_list", openapi_extra=exact)
    def list_(request: HttpRequest, f: Query[Filter], params: Query[PageParams]):
        qs, distances = search.search(request.auth, kind, filters_from(request, kind, f))
        return page(request, kind, qs, distances, params)

    @router.post(f"/{key}/search", response={200: page_of(out), **ERROR_RESPONSES}, url_name=f"{prefix}_search",
                 summary=f"Search {key} (GeoJSON polygon in the body)", operation_id=f"{prefix}_search")
    def search_(request: HttpRequest, body: SearchIn, params: Query[PageParams]):
        qs, distances = search.search(request.auth, kind,
                                      filters_from(request, kind, body, body.polygon, body.filters))
        return page(request, kind, qs, distances, params)

    @router.get(f"/{key}/export", url_name=f"{prefix}_export", summary=f"Export {key} (xlsx or csv)",
                operation_id=f"{prefix}_export", openapi_extra=exact)
    def export_(request: HttpRequest, f: Query[Filter], format: str = "xlsx"):
        qs, _ = search.search(request.auth, kind, filters_from(request, kind, f), Action.EXPORT)
        return importer.export_response(kind, qs, format, user=request.auth)

    @router.get(f"/{key}/template", url_name=f"{prefix}_template", summary=f"Empty import template for {key}",
                operation_id=f"{prefix}_template")
    def template_(request: HttpRequest, format: str = "xlsx"):
        return importer.template_response(kind, format)

    if kind.geo:
        @router.get(f"/{key}/geojson", url_name=f"{prefix}_geojson", summary=f"{key} as GeoJSON points",
                    operation_id=f"{prefix}_geojson", openapi_extra=exact)
        def geojson_(request: HttpRequest, f: Query[Filter], crs: str = "wgs84"):
            check_crs(crs)
            qs, _ = search.search(request.auth, kind, filters_from(request, kind, f))
            return feature_collection(kind, qs, request.auth, crs)

    @router.get(f"/{key}/{{int:pk}}", response={200: out, **ERROR_RESPONSES}, url_name=f"{prefix}_detail",
                operation_id=f"{prefix}_detail")
    def detail_(request: HttpRequest, pk: int):
        return privacy.redact(request.auth, [crud.get_for(request.auth, kind.model, pk)])[0]

    if kind.importable:
        @router.post(f"/{key}/import", response={200: ImportReportOut, **ERROR_RESPONSES, 422: ImportReportOut},
                     url_name=f"{prefix}_import", summary=f"Import {key} from .xlsx/.csv (all or nothing)",
                     operation_id=f"{prefix}_import")
        def import_(request: HttpRequest, file: File[UploadedFile]):
            report = importer.import_file(request.auth, kind, file.name, file.read())
            return Status(200 if report.ok else 422, report.as_dict())

    if inp is not None:
        @router.post(f"/{key}", response={201: out, **ERROR_RESPONSES}, url_name=f"{prefix}_create",
                     operation_id=f"{prefix}_create")
        def create_(request: HttpRequest, data: inp):
            fields = services.resolve_fks(request.auth, kind, data.dict(exclude_unset=True))
            return Status(201, services.create(request.auth, kind, fields))

        @router.patch(f"/{key}/{{int:pk}}", response={200: out, **ERROR_RESPONSES}, url_name=f"{prefix}_update",
                      operation_id=f"{prefix}_update")
        def update_(request: HttpRequest, pk: int, data: patch):
            obj = crud.get_for(request.auth, kind.model, pk, Action.CHANGE)
            changes = services.resolve_fks(request.auth, kind, data.dict(exclude_unset=True))
            return services.update(request.auth, kind, obj, changes)

        @router.delete(f"/{key}/{{int:pk}}", response={204: None, **ERROR_RESPONSES}, url_name=f"{prefix}_delete",
                       operation_id=f"{prefix}_delete")
        def delete_(request: HttpRequest, pk: int):
            services.delete(request.auth, kind, crud.get_for(request.auth, kind.model, pk, Action.DELETE))
            return Status(204, None)


def router_for(kinds, tag: str) -> Router:
    """A router with every type's generic endpoints (register an app's own routes on it first)."""
    router = Router(tags=[tag])
    for kind in kinds:
        add_kind_routes(router, kind)
    return router
