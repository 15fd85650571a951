"""Core API: units, the current user, API tokens, the audit log."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from yingji.core import crud, selectors, services
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.geojson import units_feature_collection
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.core.schemas import (
    AuditFilter,
    AuditOut,
    MeOut,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UnitDetailOut,
    UnitFilter,
    UnitIn,
    UnitOut,
    UnitPatch,
)

router = Router(tags=["core"])

UNIT_ORDERING = {"name": "name", "code": "code", "kind": "kind", "path": "path", "id": "id"}


def _unit(request, pk: int, action: str = Action.VIEW) -> OrgUnit:
    return crud.get_for(request.auth, OrgUnit, pk, action)


@router.get("/units", response={200: page_of(UnitOut), **ERROR_RESPONSES}, summary="List units")
def list_units(request: HttpRequest, filters: Query[UnitFilter], page: Query[PageParams]):
    within = _unit(request, filters.within) if filters.within else None
    qs = selectors.units(request.auth, within=within, kind=filters.kind, q=filters.q)
    return paginate(qs, page, UNIT_ORDERING, default="path")


@router.get("/units/geojson", summary="Units as GeoJSON (boundaries, or points where no boundary)")
def units_geojson(request: HttpRequest, filters: Query[UnitFilter], crs: str = "wgs84"):
    within = _unit(request, filters.within) if filters.within else None
    qs = selectors.units(request.auth, within=within, kind=filters.kind, q=filters.q)
    return units_feature_collection(qs, crs)


@router.get("/units/{pk}", response={200: UnitDetailOut, **ERROR_RESPONSES})
def get_unit(request: HttpRequest, pk: int):
    return _unit(request, pk)


@router.post("/units", response={201: UnitDetailOut, **ERROR_RESPONSES})
def create_unit(request: HttpRequest, data: UnitIn):
    parent = _unit(request, data.parent_id)
    fields = data.dict(exclude={"parent_id"})
    return Status(201, services.create_unit(request.auth, parent=parent, **fields))


@router.patch("/units/{pk}", response={200: UnitDetailOut, **ERROR_RESPONSES})
def update_unit(request: HttpRequest, pk: int, data: UnitPatch):
    unit = _unit(request, pk, Action.CHANGE)
    changes = data.dict(exclude_unset=True)
    if "parent_id" in changes:
        pid = changes.pop("parent_id")
        changes["parent"] = _unit(request, pid) if pid is not None else None
    return services.update_unit(request.auth, unit, changes)


@router.delete("/units/{pk}", response={204: None, **ERROR_RESPONSES})
def delete_unit(request: HttpRequest, pk: int):
    services.delete_unit(request.auth, _unit(request, pk, Action.DELETE))
    return Status(204, None)


@router.get("/units/{pk}/history", response={200: page_of(AuditOut), **ERROR_RESPONSES})
def unit_history(request: HttpRequest, pk: int, page: Query[PageParams]):
    unit = _unit(request, pk)
    return paginate(selectors.object_history(request.auth, unit), page, {"at": "at"}, default="-at")


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES})
def me(request: HttpRequest):
    user = request.auth
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "unit_id": user.unit_id,
        "is_superuser": user.is_superuser,
        "roles": list(user.role_assignments.select_related("unit")),
    }


@router.get("/audit", response={200: page_of(AuditOut), **ERROR_RESPONSES})
def list_audit(request: HttpRequest, filters: Query[AuditFilter], page: Query[PageParams]):
    qs = selectors.audit_entries(request.auth, **filters.dict())
    return paginate(qs, page, {"at": "at"}, default="-at")


@router.get("/tokens", response={200: list[TokenOut], **ERROR_RESPONSES})
def list_tokens(request: HttpRequest):
    return list(selectors.own_tokens(request.auth))


@router.post("/tokens", response={201: TokenCreatedOut, **ERROR_RESPONSES})
def create_token(request: HttpRequest, data: TokenIn):
    token, plaintext = services.issue_token(request.auth, request.auth, data.name, data.days)
    token.token = plaintext
    return Status(201, token)


@router.delete("/tokens/{pk}", response={204: None, **ERROR_RESPONSES})
def revoke_token(request: HttpRequest, pk: int):
    token = selectors.own_token(request.auth, pk)
    services.revoke_token(request.auth, token)
    return Status(204, None)
