"""Users and their roles: unit administrators manage the people of their own subtree."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router
from ninja.responses import Status

from yingji.core import crud, selectors, services
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.models import OrgUnit, RoleAssignment, User
from yingji.core.roles import Action
from yingji.core.schemas import RoleAssignmentOut, RoleIn, UserFilter, UserIn, UserOut, UserPatch

router = Router(tags=["users"])


def _users(request):
    return selectors.users(request.auth)


@router.get("/users", response={200: page_of(UserOut), **ERROR_RESPONSES})
def list_users(request: HttpRequest, filters: Query[UserFilter], page: Query[PageParams]):
    within = selectors.unit(request.auth, filters.within) if filters.within else None
    qs = selectors.users(request.auth, within=within, q=filters.q or None)
    return paginate(qs, page, {"username": "username", "id": "id"}, default="username")


@router.get("/users/{pk}", response={200: UserOut, **ERROR_RESPONSES})
def get_user(request: HttpRequest, pk: int):
    return crud.get_for(request.auth, User, pk)


@router.post("/users", response={201: UserOut, **ERROR_RESPONSES})
def create_user(request: HttpRequest, data: UserIn):
    unit = crud.get_for(request.auth, OrgUnit, data.unit_id)
    user = services.create_user(request.auth, username=data.username, password=data.password, unit=unit,
                                display_name=data.display_name, phone=data.phone, email=data.email)
    return Status(201, user)


@router.patch("/users/{pk}", response={200: UserOut, **ERROR_RESPONSES})
def update_user(request: HttpRequest, pk: int, data: UserPatch):
    user = crud.get_for(request.auth, User, pk, Action.CHANGE)
    return services.update_user(request.auth, user, data.dict(exclude_unset=True))


@router.post("/users/{pk}/roles", response={201: RoleAssignmentOut, **ERROR_RESPONSES})
def assign_role(request: HttpRequest, pk: int, data: RoleIn):
    user = crud.get_for(request.auth, User, pk)
    unit = crud.get_for(request.auth, OrgUnit, data.unit_id)
    return Status(201, services.assign_role(request.auth, user, data.role, unit))


@router.delete("/roles/{pk}", response={204: None, **ERROR_RESPONSES})
def revoke_role(request: HttpRequest, pk: int):
    services.revoke_role(request.auth, crud.get_for(request.auth, RoleAssignment, pk, Action.DELETE))
    return Status(204, None)
