"""Incidents API: the contract of issue 11 (POST/PATCH /incidents, …/recommendation, …/dispatches,
/dispatches/{id}/status, …/timeline) and the workflow around it (reports, requests, optimise, merge, phases,
notes, close, review). Thin: services decide, selectors read. Mounted at /api/v1/ (api_prefix "")."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field as F
from ninja import Query, Router, Schema, Status

from yingji.core import crud
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.errors import ValidationFailed
from yingji.core.kinds.api import router_for
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.incidents import closing, command, dispatching, reporting, selectors, services
from yingji.incidents.api_command import router as command_router
from yingji.incidents.models import Dispatch, InfoReport
from yingji.incidents.registry import KINDS
from yingji.incidents.schemas import (
    CloseIn,
    DispatchIn,
    DispatchOut,
    EntryOut,
    IncidentIn,
    IncidentOut,
    IncidentPatch,
    MergeIn,
    NoteIn,
    PhaseIn,
    RecommendationOut,
    ReportIn,
    RequestIn,
    ReviewIn,
    StatusIn,
)

router = Router(tags=["incidents"])
router.add_router("/incidents/settings", router_for(KINDS.values(), "incidents"))
router.add_router("/incidents", command_router)
FIGS = services.FIGURES


def _page(qs, page, ordering, default, out) -> dict:
    res = paginate(qs, page, ordering, default)
    res["items"] = [out(i) for i in res["items"]]
    return res


def incident_out(inc, duplicates=None) -> dict:
    return {**{k: getattr(inc, k) for k in (
        "id", "reference", "title", "hazard_type", "lng", "lat", "address", "occurred_at", "reported_at", *FIGS,
        "level", "level_basis", "phase", "is_exercise", "merged_into_id")},
        "merged_into": inc.merged_into_id, "level_label": inc.get_level_display() or "",
        "owner_unit": inc.owner_unit_id, "owner_unit_name": inc.owner_unit.name, "url": f"/incidents/{inc.pk}/",
        "duplicates": duplicates or []}


def dispatch_out(d) -> dict:
    return {"id": d.pk, "incident": d.incident_id, "resource_type": d.resource_type, "resource_id": d.resource_id,
            "resource_name": d.resource_name, "resource_unit": d.resource_unit.name, "capability": d.capability,
            "quantity": d.quantity, "status": d.status, "status_label": d.get_status_display(), "eta_s": d.eta_s,
            "dispatched_at": d.dispatched_at, "accepted_at": d.accepted_at, "en_route_at": d.en_route_at,
            "on_scene_at": d.on_scene_at, "released_at": d.released_at, "declined_at": d.declined_at,
            "is_exercise": d.is_exercise}


def entry_out(e) -> dict:
    from yingji.core import timeline

    return {"seq": e.seq, "at": e.at, "kind": e.kind, "text": e.text, "actor": e.actor_name,
            "data": timeline.data_of(e), "hash": e.hash, "prev_hash": e.prev_hash, "incident": e.subject_id}


class IncidentFilter(Schema):
    active: bool | None = None
    q: str = F("", max_length=200)
    is_exercise: bool | None = None


@router.get("/incidents", response={200: page_of(IncidentOut), **ERROR_RESPONSES}, summary="Incidents you may see")
def incident_list(request: HttpRequest, f: Query[IncidentFilter], page: Query[PageParams]):
    qs = selectors.active(request.auth) if f.active else selectors.visible(request.auth)
    if f.q:
        qs = qs.filter(title__icontains=f.q)
    if f.is_exercise is not None:
        qs = qs.filter(is_exercise=f.is_exercise)
    return _page(qs, page, {"reported_at": "reported_at", "level": "level"}, "-reported_at", incident_out)


@router.post("/incidents", response={201: IncidentOut, **ERROR_RESPONSES}, summary="Report an incident (接报)")
def incident_create(request: HttpRequest, body: IncidentIn):
    data = body.dict()
    unit_id = data.pop("owner_unit_id")
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else services.home_unit(request.auth)
    if unit is None:
        raise ValidationFailed(details={"owner_unit_id": [_("单位不存在")]})
    figures = {k: data.pop(k) for k in FIGS}
    inc = services.report(request.auth, owner_unit=unit, **data, **figures)
    dups = services.duplicates(request.auth, hazard_type=inc.hazard_type, lat=inc.lat, lng=inc.lng,
                               occurred_at=inc.occurred_at, exclude=inc.pk, is_exercise=inc.is_exercise)
    return Status(201, incident_out(inc, dups))


@router.get("/incidents/{int:pk}", response={200: IncidentOut, **ERROR_RESPONSES})
def incident_detail(request: HttpRequest, pk: int):
    return incident_out(crud.get_for(request.auth, services.Incident, pk, Action.VIEW))


@router.patch("/incidents/{int:pk}", response={200: IncidentOut, **ERROR_RESPONSES},
              summary="New figures (re-graded) or text")
def incident_update(request: HttpRequest, pk: int, body: IncidentPatch):
    data = body.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    figures = {k: data.pop(k) for k in FIGS if k in data}
    inc = services.update_figures(request.auth, inc, figures, reason, **data)
    return incident_out(inc)


class RecommendQuery(Schema):
    capability: str = F(..., min_length=1, max_length=40)
    quantity: float = F(1, gt=0, le=1e9)
    limit: int = F(10, ge=1, le=50)


@router.get("/incidents/{int:pk}/recommendation", response={200: RecommendationOut, **ERROR_RESPONSES},
            summary="Fastest free resources for a capability and quantity, by road travel time")
def recommendation(request: HttpRequest, pk: int, q: Query[RecommendQuery]):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return dispatching.recommend(request.auth, inc, q.capability, q.quantity, q.limit)


@router.get("/incidents/{int:pk}/dispatches", response={200: list[DispatchOut], **ERROR_RESPONSES})
def dispatch_list(request: HttpRequest, pk: int):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return [dispatch_out(d) for d in inc.dispatches.select_related("resource_unit")]


@router.post("/incidents/{int:pk}/dispatches", response={201: DispatchOut, **ERROR_RESPONSES},
             summary="Dispatch a resource (409 when committed to another active incident)")
def dispatch_create(request: HttpRequest, pk: int, body: DispatchIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    d = dispatching.dispatch(request.auth, inc, **body.dict())
    return Status(201, dispatch_out(d))


@router.get("/dispatches/{int:pk}", response={200: DispatchOut, **ERROR_RESPONSES})
def dispatch_detail(request: HttpRequest, pk: int):
    return dispatch_out(crud.get_for(request.auth, Dispatch, pk, Action.VIEW))


@router.post("/dispatches/{int:pk}/status", response={200: DispatchOut, **ERROR_RESPONSES},
             summary="accepted | declined | en_route | on_scene | released | cancelled")
def dispatch_status(request: HttpRequest, pk: int, body: StatusIn):
    d = crud.get_for(request.auth, Dispatch, pk, Action.VIEW)
    return dispatch_out(dispatching.set_status(request.auth, d, body.status, body.note))


@router.get("/incidents/{int:pk}/timeline", response={200: page_of(EntryOut), **ERROR_RESPONSES},
            summary="The incident's hash-chained timeline (with reports merged into it), oldest first")
def incident_timeline(request: HttpRequest, pk: int, page: Query[PageParams]):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return _page(selectors.timeline_of(request.auth, inc), page, {"at": "at"}, "at", entry_out)


@router.get("/incidents/{int:pk}/reports", response={200: list[dict], **ERROR_RESPONSES})
def report_list(request: HttpRequest, pk: int):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return [{"id": r.pk, "kind": r.kind, "channel": r.channel, "due_at": r.due_at, "basis": r.basis,
             "submitted_at": r.submitted_at, "overdue_task_id": r.overdue_task_id} for r in inc.reports.all()]


@router.post("/incidents/reports/{int:pk}/submit", response={200: dict, **ERROR_RESPONSES})
def report_submit(request: HttpRequest, pk: int, body: ReportIn):
    r = InfoReport.objects.filter(pk=pk).first()
    if r is None:
        from yingji.core.errors import NotFound

        raise NotFound()
    crud.get_for(request.auth, services.Incident, r.incident_id, Action.VIEW)
    r = reporting.submit(request.auth, r, text=body.text, recipient=body.recipient)
    return {"id": r.pk, "submitted_at": r.submitted_at}


@router.post("/incidents/{int:pk}/requests", response={201: dict, **ERROR_RESPONSES})
def request_create(request: HttpRequest, pk: int, body: RequestIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    r = command.add_request(request.auth, inc, **body.dict())
    return Status(201, {"id": r.pk})


@router.get("/incidents/optimise", response={200: dict, **ERROR_RESPONSES},
            summary="Joint allocation proposal across active incidents (exact allocator)")
def optimise(request: HttpRequest):
    res = command.optimise(request.auth)
    return {"assignments": res["assignments"], "unmet": res["unmet"], "coverage": res["coverage"],
            "objective": res["objective"]}


class AcceptIn(Schema):
    lines: list[str] = F(..., max_length=500)


@router.post("/incidents/optimise/accept", response={200: dict, **ERROR_RESPONSES})
def optimise_accept(request: HttpRequest, body: AcceptIn):
    res = command.accept_plan(request.auth, body.lines)
    return {"dispatched": [d.pk for d in res["dispatched"]], "failed": res["failed"]}


@router.post("/incidents/{int:pk}/merge", response={200: IncidentOut, **ERROR_RESPONSES})
def merge(request: HttpRequest, pk: int, body: MergeIn):
    keep = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    other = crud.get_for(request.auth, services.Incident, body.other_id, Action.VIEW)
    return incident_out(services.merge(request.auth, keep, other))


@router.post("/incidents/{int:pk}/phase", response={200: IncidentOut, **ERROR_RESPONSES})
def phase(request: HttpRequest, pk: int, body: PhaseIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return incident_out(services.set_phase(request.auth, inc, body.phase, body.note))


@router.post("/incidents/{int:pk}/notes", response={201: dict, **ERROR_RESPONSES})
def note(request: HttpRequest, pk: int, body: NoteIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    services.add_note(request.auth, inc, body.text)
    return Status(201, {"ok": True})


@router.post("/incidents/{int:pk}/close", response={200: IncidentOut, **ERROR_RESPONSES})
def close(request: HttpRequest, pk: int, body: CloseIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    return incident_out(closing.close(request.auth, inc, body.note))


@router.post("/incidents/{int:pk}/review", response={201: dict, **ERROR_RESPONSES})
def review(request: HttpRequest, pk: int, body: ReviewIn):
    inc = crud.get_for(request.auth, services.Incident, pk, Action.VIEW)
    follow = []
    for f in body.follow_ups:
        unit = OrgUnit.objects.filter(pk=f.unit_id).first()
        if unit is None:
            raise ValidationFailed(details={"follow_ups": [_("单位不存在")]})
        follow.append((unit, f.title, f.due))
    rv = closing.review(request.auth, inc, lessons=body.lessons, follow_ups=follow)
    return Status(201, {"id": rv.pk, "timings": rv.timings, "lessons": rv.lessons,
                        "follow_up_task_ids": rv.follow_up_task_ids})
