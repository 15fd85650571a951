"""API of the kernel's shared concepts: the hazard taxonomy and levels (for other systems and the pages),
attachments on any subject, timelines and commitments. Mounted at /api/v1/."""

from datetime import datetime

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from yingji.core import attachments, commitments, timeline, vocabulary
from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.core.levels import COLOURS, LEVEL_FAMILIES
from yingji.core.models import Commitment, HazardType
from yingji.core.roles import Action

router = Router(tags=["kernel"])


class HazardTypeOut(Schema):
    code: str
    name: str
    name_en: str
    parent: str | None = Field(None, alias="parent.code")
    category: str
    standard_code: str
    code_status: str
    is_local: bool


class HazardList(Schema):
    count: int
    items: list[HazardTypeOut]


@router.get("/hazard-types", response={200: HazardList, **ERROR_RESPONSES}, url_name="hazard_types",
            summary="The hazard taxonomy: stable codes, names, parents (categories first)")
def hazard_types(request: HttpRequest):
    items = list(HazardType.objects.restrict(request.auth).select_related("parent"))
    return {"count": len(items), "items": items}


@router.get("/hazard-types/tree", url_name="hazard_tree", summary="The hazard taxonomy as a tree, in the user's language")
def hazard_tree(request: HttpRequest):
    return {"items": vocabulary.hazard_tree()}


@router.get("/levels", url_name="levels", summary="Level families (1 = most severe) and the one colour map")
def levels(request: HttpRequest):
    return {"families": {name: [{"level": c.value, "label": str(c.label)} for c in family]
                         for name, family in LEVEL_FAMILIES.items()},
            "colours": {str(k): v for k, v in COLOURS.items()}}


class AttachmentOut(Schema):
    id: int
    subject_type: str = Field(..., alias="subject_label")
    subject_id: int
    name: str
    content_type: str
    size: int
    sha256: str
    note: str
    uploaded_by_name: str
    created_at: datetime
    has_thumbnail: bool


class SubjectQuery(Schema):
    subject_type: str = Field(..., max_length=100, description="'app_label.model', e.g. 'resources.team'")
    subject_id: int = Field(..., ge=1, le=2**31 - 1)


def _out(row):
    row.subject_label = f"{row.subject_type.app_label}.{row.subject_type.model}"
    row.has_thumbnail = bool(row.thumbnail)
    return row


@router.get("/attachments", response={200: page_of(AttachmentOut), **ERROR_RESPONSES}, url_name="attachments",
            summary="Attachments of one subject the caller may see")
def attachment_list(request: HttpRequest, s: Query[SubjectQuery], page: Query[PageParams]):
    subject = attachments.subject_of(s.subject_type, s.subject_id)
    qs = attachments.for_subject(request.auth, subject).select_related("subject_type")
    result = paginate(qs, page, {"created_at": "created_at"}, default="-created_at")
    result["items"] = [_out(r) for r in result["items"]]
    return result


@router.post("/attachments", response={201: AttachmentOut, **ERROR_RESPONSES}, url_name="attachment_upload",
             summary="Upload a file to a subject (size and type limits; images get a thumbnail)")
def attachment_upload(request: HttpRequest, subject_type: Form[str], subject_id: Form[int],
                      file: File[UploadedFile], note: Form[str] = ""):
    subject = attachments.subject_of(subject_type, subject_id)
    row = attachments.attach(request.auth, subject, file.name, file.read(), note=note)
    return Status(201, _out(row))


@router.get("/attachments/{int:pk}/download", url_name="attachment_download", summary="The file itself")
def attachment_download(request: HttpRequest, pk: int, thumb: bool = False):
    row = attachments.get_visible(request.auth, pk)
    handle = (row.thumbnail if thumb and row.thumbnail else row.file).open("rb")
    return FileResponse(handle, as_attachment=not (thumb or row.is_image), filename=row.name,
                        content_type="image/jpeg" if thumb and row.thumbnail else row.content_type)


@router.delete("/attachments/{int:pk}", response={204: None, **ERROR_RESPONSES}, url_name="attachment_delete")
def attachment_delete(request: HttpRequest, pk: int):
    attachments.remove(request.auth, pk)
    return Status(204, None)


class TimelineOut(Schema):
    seq: int
    at: datetime
    actor_name: str
    kind: str
    text: str
    data: str
    is_exercise: bool
    prev_hash: str
    hash: str


@router.get("/timeline", response={200: page_of(TimelineOut), **ERROR_RESPONSES}, url_name="timeline",
            summary="A subject's hash-chained timeline, oldest first")
def timeline_list(request: HttpRequest, s: Query[SubjectQuery], page: Query[PageParams]):
    subject = attachments.subject_of(s.subject_type, s.subject_id)
    return paginate(timeline.entries(request.auth, subject), page, {"seq": "seq"}, default="seq")


class CommitmentOut(Schema):
    id: int
    resource_type: str = Field(..., alias="resource_label")
    resource_id: int
    resource_name: str
    owner_unit_id: int
    purpose: str
    capability: str
    state: str
    is_exercise: bool
    proposed_at: datetime
    committed_at: datetime | None
    released_at: datetime | None


class CommitmentFilter(Schema):
    state: str | None = Field(None, pattern="^(proposed|committed|released|cancelled)$")
    resource_type: str | None = Field(None, max_length=100)
    resource_id: int | None = Field(None, ge=1, le=2**31 - 1)


@router.get("/commitments", response={200: page_of(CommitmentOut), **ERROR_RESPONSES}, url_name="commitments",
            summary="Commitments of dispatchable resources (who is on which work)")
def commitment_list(request: HttpRequest, f: Query[CommitmentFilter], page: Query[PageParams]):
    qs = Commitment.objects.restrict(request.auth).select_related("resource_type")
    if f.state:
        qs = qs.filter(state=f.state)
    if f.resource_type:
        app_label, _sep, model = f.resource_type.partition(".")
        qs = qs.filter(resource_type__app_label=app_label, resource_type__model=model)
    if f.resource_id:
        qs = qs.filter(resource_id=f.resource_id)
    result = paginate(qs, page, {"proposed_at": "proposed_at"}, default="-proposed_at")
    for row in result["items"]:
        row.resource_label = f"{row.resource_type.app_label}.{row.resource_type.model}"
    return result


@router.post("/commitments/{int:pk}/release", response={200: CommitmentOut, **ERROR_RESPONSES},
             url_name="commitment_release", summary="The resource returns (归建) and is available again")
def commitment_release(request: HttpRequest, pk: int):
    from yingji.core import crud, permissions

    row = crud.get_for(request.auth, Commitment, pk)
    resource = row.resource_type.model_class()._default_manager.get(pk=row.resource_id)
    permissions.require(request.auth, Action.CHANGE, resource)
    row = commitments.release(request.auth, row)
    row.resource_label = f"{row.resource_type.app_label}.{row.resource_type.model}"
    return row
