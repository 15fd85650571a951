"""API schemas of the core app."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, get_args

from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from ninja import Field, Schema
from pydantic import create_model
from pydantic.fields import FieldInfo

from yingji.core.models import OrgUnitKind
from yingji.core.roles import RoleCode

MAX_ID = 9_223_372_036_854_775_807  # a bigint primary key


def _limits(f: models.Field) -> dict:
    """The bounds Django's validators (and the database) put on a numeric model field, as pydantic constraints."""
    if f.is_relation:
        return {"ge": 1, "le": MAX_ID}
    if not isinstance(f, models.IntegerField | models.DecimalField | models.FloatField):
        return {}
    out: dict = {"allow_inf_nan": False} if isinstance(f, models.FloatField | models.DecimalField) else {}
    for v in f.validators:
        if isinstance(v, MinValueValidator) and not callable(v.limit_value):
            out["ge"] = max(out.get("ge", v.limit_value), v.limit_value)
        elif isinstance(v, MaxValueValidator) and not callable(v.limit_value):
            out["le"] = min(out.get("le", v.limit_value), v.limit_value)
    if isinstance(f, models.DecimalField):
        out.update(max_digits=f.max_digits, decimal_places=f.decimal_places)
    return out


def constrained(schema: type[Schema], model: type[models.Model]) -> type[Schema]:
    """`schema` (made from `model`) stating the numeric limits the model enforces — integer ranges as PostgreSQL
    stores them, decimal digits, validators' bounds, finite floats — and list-valued JSON fields as lists, so
    that clients and the API fuzzer see in the OpenAPI document what the API will refuse or answer."""
    overrides = {}
    for name, info in schema.model_fields.items():
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        limits, annotation = _limits(f), info.annotation
        if isinstance(f, models.JSONField) and f.default is list:  # ninja says dict for every JSONField
            annotation = list[str] | None if type(None) in get_args(annotation) else list[str]
        if limits or annotation is not info.annotation:
            overrides[name] = (annotation, FieldInfo.merge_field_infos(info, Field(**limits)))
    if not overrides:
        return schema
    return create_model(schema.__name__, __base__=schema, __module__=schema.__module__, **overrides)


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: OrgUnitKind
    kind_label: str = Field(..., alias="get_kind_display")
    parent_id: int | None
    depth: int
    lat: float | None
    lng: float | None
    address: str
    contact_name: str
    contact_phone: str
    is_active: bool


class UnitDetailOut(UnitOut):
    boundary: dict | None


class UnitIn(Schema):
    parent_id: int
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrgUnitKind
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    boundary: dict | None = None


class UnitPatch(Schema):
    parent_id: int | None = None
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: OrgUnitKind | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    boundary: dict | None = None
    is_active: bool | None = None


class UnitFilter(Schema):
    within: int | None = Field(None, description="only this unit and its subtree")
    kind: str | None = Field(None, max_length=200, description="comma-separated kinds")
    q: str | None = Field(None, max_length=200, description="name contains / code starts with")


class RoleOut(Schema):
    role: RoleCode
    role_label: str = Field(..., alias="get_role_display")
    unit_id: int
    unit_name: str = Field(..., alias="unit.name")


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    unit_id: int | None
    is_superuser: bool
    roles: list[RoleOut]


class AuditOut(Schema):
    seq: int
    at: datetime
    actor_name: str
    request_id: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    hash: str

    @staticmethod
    def resolve_before(obj) -> Any:
        return json.loads(obj.before) if obj.before else None

    @staticmethod
    def resolve_after(obj) -> Any:
        return json.loads(obj.after) if obj.after else None


class AuditFilter(Schema):
    object_type: str | None = None
    object_id: str | None = None
    actor: str | None = None


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    days: int | None = Field(90, ge=1, le=3650, description="days until expiry; null = never")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="shown once; store it now")


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    email: str
    unit_id: int | None
    is_active: bool
    roles: list[RoleOut] = Field(default_factory=list)

    @staticmethod
    def resolve_roles(obj) -> list:
        return list(obj.role_assignments.all())


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    password: str | None = Field(None, description="omit for an account that cannot log in yet")
    unit_id: int
    display_name: str = ""
    phone: str = ""
    email: str = ""


class UserPatch(Schema):
    display_name: str | None = None
    phone: str | None = None
    email: str | None = None
    is_active: bool | None = None


class UserFilter(Schema):
    within: int | None = Field(None, description="users of this unit and its subtree")
    q: str | None = Field(None, max_length=200, description="username or name contains")


class RoleIn(Schema):
    role: RoleCode
    unit_id: int


class RoleAssignmentOut(RoleOut):
    id: int
    user_id: int
