"""API schemas of the incidents module (the contract of issue 11 plus the workflow around it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

__all__ = ["IncidentIn", "IncidentPatch", "IncidentOut", "DispatchIn", "DispatchOut", "StatusIn", "EntryOut",
           "RecommendationOut", "ReportIn", "RequestIn", "MergeIn", "PhaseIn", "NoteIn", "CloseIn", "ReviewIn"]

INT = Field(None, ge=0, le=2_000_000_000)


class IncidentIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    hazard_type: str = Field(..., min_length=1, max_length=40)
    lng: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)
    occurred_at: dt.datetime | None = None
    deaths: int | None = INT
    missing: int | None = INT
    serious_injuries: int | None = INT
    injuries: int | None = INT
    trapped: int | None = INT
    affected: int | None = INT
    direct_loss_wan_yuan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    is_exercise: bool = False
    source: str = Field("system", max_length=12)
    source_ref: str = Field("", max_length=100)
    caller_name: str = Field("", max_length=100)
    callback_phone: str = Field("", max_length=50)
    address: str = Field("", max_length=300)
    description: str = Field("", max_length=5000)
    owner_unit_id: int | None = Field(None, ge=1, le=2**63 - 1)


class IncidentPatch(Schema):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    address: str | None = Field(None, max_length=300)
    deaths: int | None = INT
    missing: int | None = INT
    serious_injuries: int | None = INT
    injuries: int | None = INT
    trapped: int | None = INT
    affected: int | None = INT
    direct_loss_wan_yuan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    reason: str = Field("", max_length=300)


class IncidentOut(Schema):
    id: int
    reference: str
    title: str
    hazard_type: str
    lng: float | None
    lat: float | None
    address: str
    occurred_at: dt.datetime
    reported_at: dt.datetime
    deaths: int
    missing: int
    serious_injuries: int
    injuries: int
    trapped: int
    affected: int
    direct_loss_wan_yuan: Decimal
    level: int | None
    level_label: str
    level_basis: str
    phase: str
    is_exercise: bool
    owner_unit: int
    owner_unit_name: str
    merged_into: int | None
    url: str
    duplicates: list[dict] = []


class RecommendationItem(Schema):
    resource_type: str
    resource_id: int
    name: str
    unit: str
    quantity: float
    travel_time_s: float
    estimated: bool
    distance_m: float
    cumulative: float
    meets_demand: bool


class RecommendationOut(Schema):
    capability: str
    quantity: float
    estimated: bool
    items: list[RecommendationItem]


class DispatchIn(Schema):
    resource_type: str = Field(..., max_length=20)
    resource_id: int = Field(..., ge=1, le=2**63 - 1)
    capability: str = Field("", max_length=40)
    quantity: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=3)
    note: str = Field("", max_length=300)


class DispatchOut(Schema):
    id: int
    incident: int
    resource_type: str
    resource_id: int
    resource_name: str
    resource_unit: str
    capability: str
    quantity: Decimal | None
    status: str
    status_label: str
    eta_s: float | None
    dispatched_at: dt.datetime
    accepted_at: dt.datetime | None
    en_route_at: dt.datetime | None
    on_scene_at: dt.datetime | None
    released_at: dt.datetime | None
    declined_at: dt.datetime | None
    is_exercise: bool


class StatusIn(Schema):
    status: str = Field(..., max_length=12)
    note: str = Field("", max_length=300)


class EntryOut(Schema):
    seq: int
    at: dt.datetime
    kind: str
    text: str
    actor: str
    data: dict | None
    hash: str
    prev_hash: str
    incident: int


class ReportIn(Schema):
    text: str = Field(..., min_length=1, max_length=10000)
    recipient: str = Field("", max_length=200)


class RequestIn(Schema):
    capability: str = Field(..., max_length=40)
    quantity: Decimal = Field(..., gt=0, max_digits=14, decimal_places=3)
    priority: int = Field(3, ge=1, le=5)
    note: str = Field("", max_length=300)


class MergeIn(Schema):
    other_id: int = Field(..., ge=1, le=2**63 - 1)


class PhaseIn(Schema):
    phase: str = Field(..., max_length=12)
    note: str = Field("", max_length=300)


class NoteIn(Schema):
    text: str = Field(..., min_length=1, max_length=2000)


class CloseIn(Schema):
    note: str = Field("", max_length=300)


class FollowUpIn(Schema):
    unit_id: int = Field(..., ge=1, le=2**63 - 1)
    title: str = Field(..., min_length=1, max_length=200)
    due: dt.date


class ReviewIn(Schema):
    lessons: str = Field(..., min_length=1, max_length=10000)
    follow_ups: list[FollowUpIn] = []
