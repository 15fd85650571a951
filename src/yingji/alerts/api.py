"""Warnings API at /api/v1/warnings: the list and one warning, the workflow (draft, submit, approve, reject,
update, cancel, acknowledge, escalate), the chain's proposals, external CAP import, the active warnings of the
map; plus the generic routes of the chain graph and the subscribers. Thin: services decide."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Schema, Status, UploadedFile

from yingji.alerts import ack, chains, escalation, intake, provided, services
from yingji.alerts.models import Proposal, State, Warning
from yingji.alerts.registry import KINDS
from yingji.core import crud, permissions
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.geojson import parse_bbox
from yingji.core.kinds.api import router_for
from yingji.core.models import OrgUnit
from yingji.core.roles import Action

router = router_for(KINDS.values(), "alerts")


class WarningOut(Schema):
    id: int
    identifier: str
    headline: str
    hazard_type: str
    level: int
    state: str
    source: str
    owner_unit: str
    area: dict | None
    area_desc: str
    area_units: list[int]
    onset: dt.datetime
    expires: dt.datetime
    description: str
    instruction: str
    version: int
    is_exercise: bool
    cap_messages: list[str]
    url: str


class WarningIn(Schema):
    owner_unit: str = Field(..., max_length=64, description="unit id or code")
    headline: str = Field(..., max_length=200)
    hazard_type: str = Field(..., max_length=64)
    level: int = Field(..., ge=1, le=4)
    onset: dt.datetime
    expires: dt.datetime
    area: dict | None = None
    towns: list[int] = Field(default_factory=list, max_length=500)
    area_desc: str = Field("", max_length=500)
    description: str = Field("", max_length=10000)
    instruction: str = Field("", max_length=10000)
    headline_en: str = Field("", max_length=200)
    description_en: str = Field("", max_length=10000)
    instruction_en: str = Field("", max_length=10000)
    is_exercise: bool = False


class UpdateIn(Schema):
    headline: str | None = Field(None, max_length=200)
    level: int | None = Field(None, ge=1, le=4)
    expires: dt.datetime | None = None
    description: str | None = Field(None, max_length=10000)
    instruction: str | None = Field(None, max_length=10000)
    area: dict | None = None
    towns: list[int] | None = Field(None, max_length=500)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=500)


class WarningFilter(Schema):
    state: str = Field("", max_length=20)
    level: int | None = Field(None, ge=1, le=4)
    q: str = Field("", max_length=200)


class AckOut(Schema):
    unit: str
    unit_code: str
    signed_by: str | None
    signed_at: dt.datetime | None
    escalated_at: dt.datetime | None
    late: bool


class ProposalOut(Schema):
    id: int
    hazard_type: str
    level: int
    reason: str
    state: str
    feature: dict | None
    draft_id: int | None


class RefOut(Schema):
    id: int
    url: str


class ImportUrlIn(Schema):
    owner_unit: str = Field(..., max_length=64)
    url: str = Field(..., max_length=2000)


def _out(w: Warning) -> dict:
    return {"id": w.pk, "identifier": w.identifier, "headline": w.headline, "hazard_type": w.hazard_type,
            "level": w.level, "state": w.state, "source": w.source, "owner_unit": w.owner_unit.name,
            "area": w.boundary, "area_desc": w.area_desc, "area_units": w.area_units or [], "onset": w.onset,
            "expires": w.expires, "description": w.description, "instruction": w.instruction,
            "version": w.version, "is_exercise": w.is_exercise,
            "cap_messages": [f"/cap/{m.identifier}.xml" for m in w.messages.all()], "url": f"/warnings/{w.pk}/"}


def _unit(value: str, field: str = "owner_unit") -> OrgUnit:
    value = (value or "").strip()
    unit = OrgUnit.objects.filter(code=value, is_active=True).first()
    if unit is None and value.isascii() and value.isdigit() and len(value) <= 18:  # not '³', not 2⁶⁴
        unit = OrgUnit.objects.filter(pk=int(value), is_active=True).first()
    if unit is None:
        raise ValidationFailed(details={field: [_("单位不存在")]})
    return unit


def _get(request, pk: int) -> Warning:
    return crud.get_for(request.auth, Warning, pk, Action.VIEW)


@router.get("", response={200: page_of(WarningOut), **ERROR_RESPONSES}, url_name="warnings",
            summary="Warnings visible to the caller (state, level, q)")
def list_warnings(request: HttpRequest, filters: Query[WarningFilter], page: Query[PageParams]):
    qs = permissions.restrict(Warning.objects.select_related("owner_unit"), request.auth, Action.VIEW)
    if filters.state:
        qs = qs.filter(state__in=filters.state.split(","))
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.q:
        qs = qs.filter(headline__icontains=filters.q)
    result = paginate(qs, page, {"created": "created_at", "level": "level", "onset": "onset"}, default="-created")
    result["items"] = [_out(w) for w in result["items"]]
    return result


@router.get("/active", response={200: list[dict], **ERROR_RESPONSES}, url_name="warnings_active",
            summary="Published, unexpired warnings (bbox=west,south,east,north)")
def active(request: HttpRequest, bbox: str = ""):
    return provided.active(parse_bbox(bbox) if bbox else None)


@router.post("", response={201: WarningOut, **ERROR_RESPONSES}, url_name="warning_create", summary="A draft")
def create(request: HttpRequest, data: WarningIn):
    fields = data.dict()
    owner = _unit(fields.pop("owner_unit"))
    area, towns = fields.pop("area"), fields.pop("towns")
    w = services.create_draft(request.auth, owner_unit=owner, area=area, towns=towns, **fields)
    return Status(201, _out(w))


@router.get("/{int:pk}", response={200: WarningOut, **ERROR_RESPONSES}, url_name="warning", summary="One warning")
def detail(request: HttpRequest, pk: int):
    return _out(_get(request, pk))


@router.post("/{int:pk}/submit", response={200: WarningOut, **ERROR_RESPONSES}, summary="Submit for approval")
def submit(request: HttpRequest, pk: int):
    return _out(services.submit(request.auth, _get(request, pk)))


@router.post("/{int:pk}/approve", response={200: WarningOut, **ERROR_RESPONSES},
             summary="Approve and publish (the approver depends on the level)")
def approve(request: HttpRequest, pk: int):
    return _out(services.approve(request.auth, _get(request, pk)))


@router.post("/{int:pk}/reject", response={200: WarningOut, **ERROR_RESPONSES}, summary="Back to draft")
def reject(request: HttpRequest, pk: int, data: ReasonIn):
    return _out(services.reject(request.auth, _get(request, pk), data.reason))


@router.post("/{int:pk}/update", response={200: WarningOut, **ERROR_RESPONSES},
             summary="Update a published warning (CAP Update)")
def update(request: HttpRequest, pk: int, data: UpdateIn):
    fields = {k: v for k, v in data.dict().items() if v is not None and k not in ("area", "towns")}
    return _out(services.update_published(request.auth, _get(request, pk), fields, area=data.area, towns=data.towns))


@router.post("/{int:pk}/cancel", response={200: WarningOut, **ERROR_RESPONSES}, summary="Cancel (CAP Cancel)")
def cancel(request: HttpRequest, pk: int, data: ReasonIn):
    return _out(services.cancel(request.auth, _get(request, pk), data.reason))


@router.get("/{int:pk}/acknowledgements", response={200: list[AckOut], **ERROR_RESPONSES},
            summary="Who has and hasn't acknowledged the current message")
def acknowledgements(request: HttpRequest, pk: int):
    return [{"unit": r["unit"].name if r["unit"] else "", "unit_code": r["unit"].code if r["unit"] else "",
             "signed_by": str(r["signed_by"]) if r["signed_by"] else None, "signed_at": r["signed_at"],
             "escalated_at": r["escalated_at"], "late": r["late"]} for r in ack.rows(_get(request, pk))["rows"]]


@router.post("/{int:pk}/acknowledge", response={200: AckOut, **ERROR_RESPONSES}, summary="签收 for my unit")
def acknowledge(request: HttpRequest, pk: int):
    so = ack.acknowledge(request.auth, _get(request, pk))
    return {"unit": so.unit.name if so.unit else "", "unit_code": so.unit.code if so.unit else "",
            "signed_by": str(so.signed_by) if so.signed_by else None, "signed_at": so.signed_at,
            "escalated_at": so.escalated_at, "late": False}


@router.post("/{int:pk}/escalate", response={200: RefOut, **ERROR_RESPONSES}, summary="Escalate into an incident")
def escalate(request: HttpRequest, pk: int):
    return escalation.to_incident(request.auth, _get(request, pk))


def _proposal_out(p: Proposal) -> dict:
    return {"id": p.pk, "hazard_type": p.hazard_type, "level": p.level, "reason": p.reason, "state": p.state,
            "feature": p.feature, "draft_id": p.draft_id}


@router.get("/{int:pk}/proposals", response={200: list[ProposalOut], **ERROR_RESPONSES},
            summary="The disaster chain's proposals")
def proposals(request: HttpRequest, pk: int):
    return [_proposal_out(p) for p in _get(request, pk).proposals.all()]


@router.post("/{int:pk}/proposals/{int:pid}/accept", response={201: WarningOut, **ERROR_RESPONSES},
             summary="Accept a proposal into a draft")
def accept(request: HttpRequest, pk: int, pid: int):
    p = Proposal.objects.filter(warning=_get(request, pk), pk=pid).first()
    if p is None:
        raise NotFound()
    return Status(201, _out(chains.accept(request.auth, p)))


@router.post("/import", response={201: WarningOut, 200: WarningOut, **ERROR_RESPONSES},
             summary="Import an external CAP file into a draft (multipart: owner_unit, file)")
def import_file(request: HttpRequest, owner_unit: Form[str], file: File[UploadedFile]):
    w, created = intake.import_cap(request.auth, file.read(intake_limit() + 1)[:intake_limit() + 1],
                                   owner_unit=_unit(owner_unit))
    return Status(201 if created else 200, _out(w))


@router.post("/import-url", response={200: list[WarningOut], **ERROR_RESPONSES},
             summary="Import a CAP message, or an Atom feed of CAP messages, from a URL into drafts (all or nothing)")
def import_url(request: HttpRequest, data: ImportUrlIn):
    return [_out(w) for w, _created in intake.import_url(request.auth, data.url, owner_unit=_unit(data.owner_unit))]


def intake_limit() -> int:
    from yingji.alerts import conf

    return conf.get("FETCH_MAX_BYTES")


__all__ = ["router", "State"]
