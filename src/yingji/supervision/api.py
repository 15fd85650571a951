"""Supervision API at /api/v1/tasks: the list of the contract, and the workflow (create, assign, sign, progress,
reply, return, feedback, close, reopen, cancel). Thin: services decide, selectors read."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.errors import ValidationFailed
from yingji.core.kinds.api import add_kind_routes
from yingji.core.models import OrgUnit
from yingji.supervision import selectors, services
from yingji.supervision.registry import KINDS
from yingji.supervision.schemas import (
    AssignIn,
    FeedbackIn,
    HandlerOut,
    ProgressIn,
    ReasonIn,
    ReplyIn,
    TaskFilter,
    TaskIn,
    TaskOut,
)

router = Router(tags=["supervision"])


def handler_out(a) -> dict:
    return {"id": a.pk, "unit": a.owner_unit.name, "unit_id": a.owner_unit_id, "deadline": a.deadline,
            "state": a.state, "result_code": a.result_code.code if a.result_code_id else None,
            "replied_at": a.replied_at, "signed_at": a.signed_at, "on_time": on_time(a)}


def on_time(a) -> bool | None:
    from django.utils import timezone

    if a.replied_at is None:
        return None
    return timezone.localdate(a.replied_at) <= a.deadline


def task_out(t) -> dict:
    lead = t.lead
    return {
        "id": t.pk, "reference": t.reference, "title": t.title, "state": t.state, "urgency": t.urgency,
        "requester_unit": t.requester_unit.name, "owner_unit": t.owner_unit.name,
        "lead": handler_out(lead) if lead else None,
        "co_handlers": [handler_out(a) for a in t.co_handlers if a.state != "cancelled"],
        "feedback": {"scores": t.scores, "satisfaction": t.satisfaction} if t.satisfaction else None,
        "is_exercise": t.is_exercise,
    }


def unit_of(value: str, field: str) -> OrgUnit:
    value = (value or "").strip()
    # a NUL byte is no unit code (and PostgreSQL refuses it in a query): unknown, as on SQLite
    unit = None if "\x00" in value else OrgUnit.objects.filter(code=value, is_active=True).first()
    # isascii too: '³' passes isdigit() but not int(); a huge id must not overflow the database's integer
    if unit is None and value.isascii() and value.isdigit() and len(value) <= 18:
        unit = OrgUnit.objects.filter(pk=int(value), is_active=True).first()
    if unit is None:
        raise ValidationFailed(_("单位不存在：%(u)s") % {"u": value.replace("\x00", "")}, details={field: [_("单位不存在")]})
    return unit


@router.get("", response={200: page_of(TaskOut), **ERROR_RESPONSES}, url_name="tasks",
            summary="Tasks visible to the caller (filters q, state, unit, overdue)")
def list_tasks(request: HttpRequest, filters: Query[TaskFilter], page: Query[PageParams]):
    qs = selectors.tasks(request.auth, q=filters.q, state=filters.state, unit=filters.unit, overdue=filters.overdue)
    result = paginate(qs, page, {"created": "created_at", "reference": "reference"}, default="-created")
    result["items"] = [task_out(t) for t in result["items"]]
    return result


@router.post("", response={201: TaskOut, **ERROR_RESPONSES}, url_name="task_create", summary="Register a task")
def create(request: HttpRequest, data: TaskIn):
    user = request.auth
    owner = unit_of(data.owner_unit, "owner_unit") if data.owner_unit else _home_unit(user)
    t = services.create_task(user, owner_unit=owner, requester_unit=unit_of(data.requester_unit, "requester_unit"),
                             title=data.title, description=data.description, reference=data.reference,
                             source=data.source, requester_name=data.requester_name, urgency=data.urgency)
    return Status(201, task_out(selectors.task(user, t.pk)))


def _home_unit(user) -> OrgUnit:
    units = selectors.my_units(user)
    if not units:
        raise ValidationFailed(_("请指定督办单位"), details={"owner_unit": [_("请指定督办单位")]})
    return OrgUnit.objects.get(pk=units[0])


@router.get("/{int:pk}", response={200: TaskOut, **ERROR_RESPONSES}, url_name="task", summary="One task")
def detail(request: HttpRequest, pk: int):
    return task_out(selectors.task(request.auth, pk))


@router.post("/{int:pk}/assign", response={200: TaskOut, **ERROR_RESPONSES}, summary="Assign (交办)")
def assign(request: HttpRequest, pk: int, data: AssignIn):
    user = request.auth
    t = selectors.task(user, pk)
    services.assign(user, t, lead=(unit_of(data.lead.unit, "lead"), data.lead.deadline),
                    co=[(unit_of(c.unit, "co_handlers"), c.deadline) for c in data.co_handlers])
    return task_out(selectors.task(user, pk))


@router.post("/assignments/{int:pk}/sign", response={200: HandlerOut, **ERROR_RESPONSES}, summary="Sign for (签收)")
def sign(request: HttpRequest, pk: int):
    return handler_out(services.sign(request.auth, selectors.assignment(request.auth, pk)))


@router.post("/assignments/{int:pk}/progress", response={200: HandlerOut, **ERROR_RESPONSES},
             summary="Add a progress note")
def progress(request: HttpRequest, pk: int, data: ProgressIn):
    a = selectors.assignment(request.auth, pk)
    services.add_progress(request.auth, a, data.text)
    return handler_out(selectors.assignment(request.auth, pk))


@router.post("/assignments/{int:pk}/reply", response={200: HandlerOut, **ERROR_RESPONSES}, summary="Reply (答复)")
def reply(request: HttpRequest, pk: int, data: ReplyIn):
    a = services.reply(request.auth, selectors.assignment(request.auth, pk), result_code=data.result_code,
                       text=data.text, comm_mode=data.comm_mode, comm_at=data.comm_at)
    return handler_out(a)


@router.post("/assignments/{int:pk}/return", response={200: HandlerOut, **ERROR_RESPONSES}, summary="Return (退回)")
def return_(request: HttpRequest, pk: int, data: ReasonIn):
    return handler_out(services.return_task(request.auth, selectors.assignment(request.auth, pk), data.reason))


@router.post("/{int:pk}/feedback", response={200: TaskOut, **ERROR_RESPONSES}, summary="Requester's feedback")
def feedback(request: HttpRequest, pk: int, data: FeedbackIn):
    user = request.auth
    services.feedback(user, selectors.task(user, pk), scores=data.scores, satisfaction=data.satisfaction,
                      text=data.text)
    return task_out(selectors.task(user, pk))


@router.post("/{int:pk}/{action}", response={200: TaskOut, **ERROR_RESPONSES}, summary="close / reopen / cancel")
def transition(request: HttpRequest, pk: int, action: str, data: ReasonIn):
    user = request.auth
    t = selectors.task(user, pk)
    if action == "close":
        services.close(user, t, data.reason)
    elif action == "reopen":
        services.reopen(user, t, data.reason)
    elif action == "cancel":
        services.cancel(user, t, data.reason)
    else:
        raise ValidationFailed(_("未知的操作"), details={"action": [action]})
    return task_out(selectors.task(user, pk))


# Meetings, decisions, responsibility lists and the result-code table: the kernel's generic endpoints
# (/api/v1/tasks/meetings …), plus the two workflows that are not plain edits.
class DecisionIn(AssignIn):
    text: str


class DutyListIn(Schema):
    unit: str  # unit code (or id)
    title: str = ""
    items: str
    effective_from: dt.date | None = None


@router.post("/meetings/{int:pk}/decisions", response={201: TaskOut, **ERROR_RESPONSES},
             summary="Record a meeting decision and assign the task that carries it out, in one step")
def decide(request: HttpRequest, pk: int, data: DecisionIn):
    from yingji.core import crud
    from yingji.supervision import meetings
    from yingji.supervision.models import Meeting

    user = request.auth
    meeting = crud.get_for(user, Meeting, pk)
    decision = meetings.decide(user, meeting, text=data.text,
                               lead=(unit_of(data.lead.unit, "lead"), data.lead.deadline),
                               co=[(unit_of(c.unit, "co_handlers"), c.deadline) for c in data.co_handlers])
    return Status(201, task_out(selectors.task(user, decision.task_id)))


@router.post("/duty-lists/publish", response={201: dict, **ERROR_RESPONSES},
             summary="Publish a new version of a unit's responsibility list (the previous one is kept)")
def publish_duty_list(request: HttpRequest, data: DutyListIn):
    from yingji.core import permissions
    from yingji.core.roles import Action as Act
    from yingji.supervision import meetings
    from yingji.supervision.models import ResponsibilityList

    unit = unit_of(data.unit, "unit")
    permissions.require(request.auth, Act.ADD, ResponsibilityList, unit=unit)
    row = meetings.publish_list(request.auth, unit, title=data.title, items=data.items,
                                effective_from=data.effective_from)
    return Status(201, {"id": row.pk, "version": row.version, "is_current": row.is_current})


for _kind in KINDS.values():
    add_kind_routes(router, _kind)
