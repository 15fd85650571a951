"""API schemas of the risk module. The calculator takes numbers as JSON numbers or strings and answers every
fraction as a decimal string."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

__all__ = ["HoldingIn", "CalculatorIn", "LineOut", "CalculatorOut", "ReportIn", "OrderIn", "RectifyIn", "VerifyIn",
           "ReasonIn", "DangerOut", "GridCellOut", "FeatureCollectionIn"]


class HoldingIn(Schema):
    chemical: int | str | None = Field(None, description="GB 18218 表1: sequence number, CAS number or name")
    category: str | list[str] | None = Field(None, max_length=40, description="表2 hazard symbol(s), e.g. J1, W5.3")
    name: str | None = Field(None, max_length=100, description="the product's name (表2 holdings)")
    symbol: str | list[str] | None = Field(None, max_length=40, description="表4 symbol for a 表1 chemical outside 表3")
    tonnes: str | int | float | None = Field(None, description="design maximum quantity q in tonnes (string for exactness)")


class CalculatorIn(Schema):
    holdings: list[dict[str, Any]] = Field(..., max_length=500,
                                           description="each {chemical, tonnes, symbol?} or {category, tonnes, name?}")
    offsite_population: int | None = Field(None, ge=0, le=2_147_483_647,
                                           description="residents within 500 m outside the boundary")


class LineOut(Schema):
    name: str
    chemical: int | None
    cas: list[str]
    category: str | None
    symbol: str | None
    q: str
    Q: str
    ratio: str
    beta: str | None
    beta_source: str | None
    weighted: str | None


class CalculatorOut(Schema):
    s: str
    is_major: bool
    alpha: str | None
    r: str | None
    grade: int | None
    grade_label: str | None
    lines: list[LineOut]


class ReportIn(Schema):
    name: str = Field(..., max_length=200)
    lng: float
    lat: float
    description: str = Field("", max_length=4000)
    grade: str = "general"
    found_by: str = "grid"
    enterprise: int | None = Field(None, ge=1, le=2_147_483_647)
    hazard_types: list[str] = []


class OrderIn(Schema):
    responsible_unit: int = Field(..., ge=1, le=2_147_483_647)
    responsible_person: str = Field(..., max_length=100)
    deadline: dt.date
    order: str = Field(..., max_length=4000)


class RectifyIn(Schema):
    text: str = Field(..., max_length=4000)


class VerifyIn(Schema):
    passed: bool
    note: str = Field("", max_length=1000)
    new_deadline: dt.date | None = None


class ReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class DangerOut(Schema):
    id: int
    code: str
    name: str
    grade: str
    state: str
    found_by: str
    lat: float | None
    lng: float | None
    owner_unit_id: int
    supervising_unit_id: int | None
    responsible_unit_id: int | None
    responsible_person: str
    deadline: dt.date | None
    task_id: int | None
    grid_cell_id: int | None
    reported_at: dt.datetime
    escalated_at: dt.datetime | None
    is_overdue: bool


class GridCellOut(Schema):
    id: int
    name: str
    code: str
    community_id: int
    officer_ids: list[int]


class FeatureCollectionIn(Schema):
    type: str = Field(..., max_length=40)
    features: list[dict[str, Any]] = Field(..., max_length=5000)
