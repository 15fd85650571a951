"""API shapes of /api/v1/tasks (the contract of issue 9: reference, title, state, lead, co_handlers, feedback)."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class TaskFilter(Schema):
    q: str = Field("", description="title or reference number contains")
    state: str = Field("", description="a state, or several separated by commas")
    unit: str = Field("", description="a unit's id or code, as lead or co-handling unit")
    overdue: bool = Field(False, description="only tasks with a handling unit past its deadline")


class HandlerOut(Schema):
    id: int
    unit: str
    unit_id: int
    deadline: dt.date
    state: str
    result_code: str | None
    replied_at: dt.datetime | None
    signed_at: dt.datetime | None
    on_time: bool | None


class FeedbackOut(Schema):
    scores: dict[str, int]
    satisfaction: str | None


class TaskOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    urgency: int
    requester_unit: str
    owner_unit: str
    lead: HandlerOut | None
    co_handlers: list[HandlerOut]
    feedback: FeedbackOut | None
    is_exercise: bool


class TaskIn(Schema):
    title: str
    reference: str = ""
    description: str = ""
    source: str = ""
    requester_unit: str = Field(..., description="unit id or code")
    owner_unit: str = Field("", description="the supervising unit (id or code); default: the caller's unit")
    requester_name: str = ""
    urgency: int = 3


class HandlerIn(Schema):
    unit: str = Field(..., description="unit id or code")
    deadline: dt.date


class AssignIn(Schema):
    lead: HandlerIn
    co_handlers: list[HandlerIn] = []


class ReplyIn(Schema):
    result_code: str
    text: str = ""
    comm_mode: str = ""
    comm_at: dt.datetime | None = None


class FeedbackIn(Schema):
    scores: dict[str, int | str]
    satisfaction: str
    text: str = ""


class ReasonIn(Schema):
    reason: str = ""


class ProgressIn(Schema):
    text: str
