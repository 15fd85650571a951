"""Incidents API, command: the command post, its working groups and the Tasks given to units
(mounted under /api/v1/incidents/). Thin: `command` decides."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from yingji.core import crud
from yingji.core.api_utils import ERROR_RESPONSES
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.incidents import command, selectors
from yingji.incidents.models import CommandPost, Incident, WorkingGroup

router = Router(tags=["incidents"])

ID = Field(..., ge=1, le=2**63 - 1)


class MemberIO(Schema):
    name: str = Field(..., min_length=1, max_length=50)
    role: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)


class PostIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    commander: str = Field(..., min_length=1, max_length=100)
    deputy: str = Field("", max_length=100)
    location: str = Field("", max_length=200)
    groups: list[str] = Field([], max_length=30, description="standard working groups to set up with the post")


class PostOut(Schema):
    id: int
    name: str
    commander: str
    deputy: str
    location: str
    set_up_at: dt.datetime


class GroupIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    lead_unit: int = ID
    leader: str = Field("", max_length=100)
    duties: str = Field("", max_length=300)
    members: list[MemberIO] = Field([], max_length=command.MAX_MEMBERS)


class GroupPatch(Schema):
    lead_unit: int | None = Field(None, ge=1, le=2**63 - 1)
    leader: str | None = Field(None, max_length=100)
    duties: str | None = Field(None, max_length=300)
    members: list[MemberIO] | None = Field(None, max_length=command.MAX_MEMBERS)


class GroupOut(Schema):
    id: int
    incident: int
    name: str
    lead_unit: int
    lead_unit_name: str
    leader: str
    duties: str
    members: list[MemberIO]


class TaskIn(Schema):
    unit: int = ID
    title: str = Field(..., min_length=1, max_length=200)
    due: dt.date
    description: str = Field("", max_length=2000)


class TaskOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    state_label: str
    url: str


def _unit(pk: int, field: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=pk, is_active=True).first()
    if unit is None:
        raise ValidationFailed(details={field: [_("单位不存在或已停用")]})
    return unit


def _incident(request, pk: int) -> Incident:
    return crud.get_for(request.auth, Incident, pk, Action.VIEW)


def group_out(g: WorkingGroup) -> dict:
    return {"id": g.pk, "incident": g.incident_id, "name": g.name, "lead_unit": g.lead_unit_id,
            "lead_unit_name": g.lead_unit.name, "leader": g.leader, "duties": g.duties, "members": g.members}


def task_out(t) -> dict:
    return {"id": t.pk, "reference": t.reference, "title": t.title, "state": t.state,
            "state_label": t.get_state_display(), "url": f"/supervision/tasks/{t.pk}/"}


@router.get("/{int:pk}/command-post", response={200: PostOut, **ERROR_RESPONSES}, summary="The command post (现场指挥部)")
def post_get(request: HttpRequest, pk: int):
    post = CommandPost.objects.filter(incident=_incident(request, pk)).first()
    if post is None:
        raise NotFound(_("尚未成立指挥部"))
    return post


@router.post("/{int:pk}/command-post", response={201: PostOut, **ERROR_RESPONSES}, summary="Set up the command post")
def post_create(request: HttpRequest, pk: int, body: PostIn):
    post = command.set_up_post(request.auth, _incident(request, pk), **body.dict())
    return Status(201, post)


@router.get("/{int:pk}/groups", response={200: list[GroupOut], **ERROR_RESPONSES}, summary="Working groups (工作组)")
def groups(request: HttpRequest, pk: int):
    return [group_out(g) for g in _incident(request, pk).groups.select_related("lead_unit")]


@router.post("/{int:pk}/groups", response={201: GroupOut, **ERROR_RESPONSES}, summary="Add a working group")
def group_create(request: HttpRequest, pk: int, body: GroupIn):
    g = command.add_group(request.auth, _incident(request, pk), name=body.name,
                          lead_unit=_unit(body.lead_unit, "lead_unit"), leader=body.leader, duties=body.duties,
                          members=[m.dict() for m in body.members])
    return Status(201, group_out(g))


@router.patch("/groups/{int:gid}", response={200: GroupOut, **ERROR_RESPONSES},
              summary="Change a working group's lead unit, leader, duties or members (those given)")
def group_patch(request: HttpRequest, gid: int, body: GroupPatch):
    g = WorkingGroup.objects.filter(pk=gid).first()
    if g is None:
        raise NotFound()
    _incident(request, g.incident_id)
    g = command.update_group(
        request.auth, g, lead_unit=_unit(body.lead_unit, "lead_unit") if body.lead_unit is not None else None,
        leader=body.leader, duties=body.duties,
        members=[m.dict() for m in body.members] if body.members is not None else None)
    return group_out(WorkingGroup.objects.select_related("lead_unit").get(pk=g.pk))


@router.get("/{int:pk}/tasks", response={200: list[TaskOut], **ERROR_RESPONSES},
            summary="Tasks given to units for this incident (supervised to their end)")
def tasks(request: HttpRequest, pk: int):
    return [task_out(t) for t in selectors.tasks_of(request.auth, _incident(request, pk))]


@router.post("/{int:pk}/tasks", response={201: TaskOut, **ERROR_RESPONSES},
             summary="Give a unit a task with its due date (sign-off, reminders and escalation come with it)")
def task_create(request: HttpRequest, pk: int, body: TaskIn):
    t = command.add_task(request.auth, _incident(request, pk), unit=_unit(body.unit, "unit"), title=body.title,
                         due=body.due, description=body.description)
    return Status(201, task_out(t))
