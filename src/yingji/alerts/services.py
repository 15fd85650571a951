"""Every write of a warning's life: draft → pending approval → published → updated → cancelled or expired.

Each step locks the row, checks the rule (refused with a clear error, nothing written), changes it through
yingji.core.crud (audited) and notes it on the warning's hash-chained timeline. Publishing (approval, update,
cancellation) stores the CAP message byte for byte, asks every town inside the area to acknowledge (签收) through
the notifications service, and queues the webhooks to subscribers after the commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import ack, areas, capmsg, conf, stored
from yingji.alerts.models import OPEN_STATES, CapMessage, Source, State, Warning
from yingji.core import audit, crud, participants, permissions
from yingji.core.errors import Conflict, PermissionDenied, ValidationFailed
from yingji.core.levels import WarningLevel
from yingji.core.models import HazardType, OrgUnit, ParticipantRole
from yingji.core.roles import Action, role_grants
from yingji.domain import cap

__all__ = ["create_draft", "edit", "submit", "approve", "reject", "update_published", "cancel", "expire_due",
           "may_approve", "approver_text", "WARNING"]

WARNING = "alerts.warning"
EDITABLE = ("headline", "hazard_type", "level", "description", "instruction", "headline_en", "description_en",
            "instruction_en", "onset", "expires", "area_desc", "is_exercise")


def _fail(field: str, message: str):
    raise ValidationFailed(message, details={field: [message]})


def _check(fields: Mapping[str, object], *, now: dt.datetime) -> None:
    errors: dict[str, list[str]] = {}
    if "headline" in fields and not str(fields["headline"] or "").strip():
        errors["headline"] = [_("标题不能为空")]
    if "level" in fields and fields["level"] not in WarningLevel.values:
        errors["level"] = [_("预警级别须为 1 红色、2 橙色、3 黄色或 4 蓝色")]
    if "hazard_type" in fields and not HazardType.objects.filter(code=fields["hazard_type"]).exists():
        errors["hazard_type"] = [_("未知的灾种代码：%(c)s") % {"c": fields["hazard_type"]}]
    onset, expires = fields.get("onset"), fields.get("expires")
    for name, value in (("onset", onset), ("expires", expires)):
        if name in fields and (not isinstance(value, dt.datetime) or timezone.is_naive(value)):
            errors[name] = [_("请填写带时区的时间")]
    if isinstance(onset, dt.datetime) and isinstance(expires, dt.datetime) and not errors.get("expires"):
        if expires <= onset:
            errors["expires"] = [_("失效时间须晚于生效时间")]
        elif expires - onset > dt.timedelta(days=30):
            errors["expires"] = [_("预警有效期不能超过 30 天")]
    if errors:
        raise ValidationFailed(details=errors)


def _require_guidance(instruction: str, message: str) -> None:
    """A warning goes out only with its measures and guidance: 《突发事件应对法》第六十四条 requires a warning to state the
    measures to take. Rule and chain drafts may start without them; submitting, approving or updating refuses."""
    if not str(instruction or "").strip():
        raise ValidationFailed(message, details={"instruction": [
            _("请填写防御措施与指引：发布预警须写明应当采取的措施（《突发事件应对法》第六十四条）")]})


def _identifier() -> str:
    day = timezone.localdate()
    return f"{conf.get('IDENTIFIER_PREFIX')}-{day:%Y%m%d}-{uuid.uuid4().hex[:10]}"


def _place(fields: dict, area, town_ids) -> None:
    geometry, towns = areas.resolve(area, town_ids)
    lng, lat = areas.centre(geometry)
    fields.update(boundary=geometry, area_units=[u.pk for u in towns], lat=lat, lng=lng)
    if not fields.get("area_desc"):
        fields["area_desc"] = "、".join(u.name for u in towns)[:500]


def create_draft(actor, *, owner_unit: OrgUnit, headline: str, hazard_type: str, level: int, onset, expires,
                 area=None, towns=(), description: str = "", instruction: str = "", area_desc: str = "",
                 headline_en: str = "", description_en: str = "", instruction_en: str = "",
                 source: str = Source.MANUAL, source_ref: str = "", rule_id: str = "", evidence=None,
                 is_exercise: bool = False, parent: Warning | None = None, propose: bool = True) -> Warning:
    """A draft warning owned by `owner_unit`; its area is a polygon or towns. The chain's proposals follow."""
    now = timezone.now()
    fields = dict(headline=(headline or "").strip(), hazard_type=hazard_type, level=level, onset=onset,
                  expires=expires, description=description or "", instruction=instruction or "",
                  area_desc=area_desc or "", headline_en=headline_en or "", description_en=description_en or "",
                  instruction_en=instruction_en or "", is_exercise=bool(is_exercise))
    _check(fields, now=now)
    _place(fields, area, towns)
    with transaction.atomic():
        w = Warning(owner_unit=owner_unit, identifier=_identifier(), state=State.DRAFT, source=source,
                    source_ref=source_ref or "", rule_id=str(rule_id or ""), evidence=evidence or {},
                    hazard_types=[hazard_type], parent=parent, **fields)
        crud.create(actor, w, unit=owner_unit)
        stored.note(actor, w, "drafted", lambda: _("起草预警：%(h)s") % {"h": w.headline},
                    {"source": source, "level": level, "hazard_type": hazard_type})
    if propose:
        from yingji.alerts import chains

        chains.propose(w)
    return w


def _lock(actor, warning, action=Action.VIEW) -> Warning:
    return crud.get_for(actor, Warning, warning.pk, action, lock=True)


def edit(actor, warning: Warning, changes: Mapping[str, object], *, area=None, towns=None) -> Warning:
    """Change a draft (or a warning awaiting approval, which goes back to draft)."""
    fields = {k: v for k, v in changes.items() if k in EDITABLE}
    with transaction.atomic():
        w = _lock(actor, warning, Action.CHANGE)
        if w.state not in OPEN_STATES:
            raise Conflict(_("只有草稿或待审批的预警可以修改；已发布的预警请用“更新”"), code="bad_state")
        merged = {k: fields.get(k, getattr(w, k)) for k in EDITABLE}
        _check(merged, now=timezone.now())
        if area is not None or towns is not None:
            _place(fields, area if area is not None else (w.boundary if not towns else None), towns or ())
        if "hazard_type" in fields:
            fields["hazard_types"] = [fields["hazard_type"]]
        if w.state == State.PENDING:
            fields["state"] = State.DRAFT
        w = crud.update(actor, w, fields)
        stored.note(actor, w, "edited", lambda: _("修改预警"), {"fields": sorted(fields)})
    return w


def submit(actor, warning: Warning) -> Warning:
    with transaction.atomic():
        w = _lock(actor, warning, Action.CHANGE)
        if w.state != State.DRAFT:
            raise Conflict(_("只有草稿可以提交审批（当前：%(s)s）") % {"s": w.get_state_display()}, code="bad_state")
        _require_guidance(w.instruction, _("缺少防御措施与指引，不能提交审批。"))
        if w.expires <= timezone.now():
            raise Conflict(_("预警已过失效时间，请修改后再提交"), code="expired")
        w = crud.update(actor, w, {"state": State.PENDING, "submitted_by": actor, "reject_reason": ""})
        stored.note(actor, w, "submitted", lambda: _("提交审批（%(l)s预警，需%(who)s审批）") % {
            "l": w.get_level_display(), "who": approver_text(w.level)})
        _ask_approvers(actor, w)
    return w


APPROVAL_KIND = "alerts.approval"


def _ask_approvers(actor, w: Warning) -> None:
    """Tell the approvers of the level (commanders and unit admins at the allowed units above the owner)."""
    from yingji.core.roles import RoleCode
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    kinds = set(conf.approver_kinds(w.level))
    units = [u for u in [*w.owner_unit.ancestors(), w.owner_unit] if u.kind in kinds]
    if not units:
        return
    notifications.notify(
        APPROVAL_KIND, key=f"alerts:approval:{w.pk}:{timezone.now():%Y%m%d%H%M%S%f}",
        recipients=[Recipient.of_unit(u, [RoleCode.COMMANDER, RoleCode.UNIT_ADMIN]) for u in units],
        title=stored.text(lambda: _("待审批%(l)s预警：%(h)s") % {"l": w.get_level_display(), "h": w.headline[:120]}),
        body=w.area_desc[:300], url=f"/warnings/{w.pk}/", subject=w, sender_unit=w.owner_unit, actor=actor)


def approver_text(level: int) -> str:
    from yingji.core.models import OrgUnitKind

    return "/".join(str(OrgUnitKind(k).label) for k in conf.approver_kinds(level) if k in OrgUnitKind.values)


def may_approve(user, warning: Warning, level: int | None = None) -> bool:
    """The level decides who approves (YINGJI_WARNINGS APPROVER_KINDS): the 审批 right on warnings, held at a
    unit of an allowed kind at or above the warning's owner."""
    if user is None or getattr(user, "is_superuser", False):
        return True
    kinds = set(conf.approver_kinds(level or warning.level))
    path = warning.owner_unit.path
    held = [g for g in permissions.grants(user)
            if role_grants(g.role, WARNING, Action.APPROVE) and path.startswith(g.unit_path)]
    if not held:
        return False
    unit_kinds = dict(OrgUnit.objects.filter(pk__in=[g.unit_id for g in held]).values_list("pk", "kind"))
    return any(unit_kinds.get(g.unit_id) in kinds for g in held)


def _require_approver(actor, w: Warning, level: int | None = None) -> None:
    if not may_approve(actor, w, level):
        raise PermissionDenied(_("%(l)s预警须由%(who)s一级有审批权限的人员审批") % {
            "l": WarningLevel(level or w.level).label, "who": approver_text(level or w.level)})


def _publish_message(actor, w: Warning, msg_type: str, now: dt.datetime) -> CapMessage:
    previous = list(CapMessage.objects.filter(warning=w).order_by("sent", "pk"))
    refs = [cap.Reference(conf.get("CAP_SENDER"), m.identifier, m.sent) for m in previous]
    version = w.version + 1
    identifier = f"{w.identifier}-{version}"
    xml, signed = capmsg.render(capmsg.alert_of(w, identifier=identifier, msg_type=msg_type, sent=now,
                                                references=refs))
    msg = CapMessage(warning=w, identifier=identifier, msg_type=msg_type, sent=now.replace(microsecond=0), xml=xml,
                     etag=capmsg.etag_of(xml), signed=signed)
    msg.save()
    audit.record("create", msg, None, audit.snapshot(msg), actor)
    Warning.objects.filter(pk=w.pk).update(version=version)
    w.version = version
    from yingji.alerts import webhooks

    transaction.on_commit(lambda: webhooks.queue(msg.pk))
    return msg


def _go_live(actor, w: Warning, msg: CapMessage) -> None:
    for town in OrgUnit.objects.filter(pk__in=w.area_units or []):
        participants.add(actor, w, town, ParticipantRole.AREA)
    ack.request(actor, w, msg)


def approve(actor, warning: Warning) -> Warning:
    """审批 and publish: only an approver of the warning's level; the CAP Alert goes out, the towns are asked to
    acknowledge, the chain looks again for secondary hazards."""
    now = timezone.now()
    with transaction.atomic():
        w = _lock(actor, warning, Action.VIEW)
        if w.state != State.PENDING:
            raise Conflict(_("只有待审批的预警可以审批（当前：%(s)s）") % {"s": w.get_state_display()}, code="bad_state")
        _require_approver(actor, w)
        _require_guidance(w.instruction, _("缺少防御措施与指引，不能发布。"))
        if w.expires <= now:
            raise Conflict(_("预警已过失效时间，请修改后再提交"), code="expired")
        w = _system_update(actor, w, {"state": State.PUBLISHED, "approved_by": actor, "approved_at": now,
                                      "published_at": now})
        msg = _publish_message(actor, w, "Alert", now)
        stored.note(actor, w, "published", lambda: _("审批通过并发布（%(l)s）") % {"l": w.get_level_display()},
                    {"identifier": msg.identifier, "approved_by": getattr(actor, "username", "system")})
        _go_live(actor, w, msg)
    from yingji.alerts import chains

    chains.propose(w)
    return w


def reject(actor, warning: Warning, reason: str) -> Warning:
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写退回原因"))
    with transaction.atomic():
        w = _lock(actor, warning, Action.VIEW)
        if w.state != State.PENDING:
            raise Conflict(_("只有待审批的预警可以退回"), code="bad_state")
        _require_approver(actor, w)
        w = _system_update(actor, w, {"state": State.DRAFT, "reject_reason": reason[:500]})
        stored.note(actor, w, "rejected", lambda: _("退回修改：%(r)s") % {"r": reason})
    return w


def update_published(actor, warning: Warning, changes: Mapping[str, object], *, area=None, towns=None) -> Warning:
    """更新 a published warning: a CAP Update referencing the messages before; the approver of the (new) level
    signs it off; the towns of the new area acknowledge again."""
    now = timezone.now()
    fields = {k: v for k, v in changes.items() if k in EDITABLE and k != "is_exercise"}
    with transaction.atomic():
        w = _lock(actor, warning, Action.VIEW)
        if w.state != State.PUBLISHED:
            raise Conflict(_("只有已发布的预警可以更新"), code="bad_state")
        new_level = int(fields.get("level", w.level))
        _require_approver(actor, w, min(new_level, w.level))
        merged = {k: fields.get(k, getattr(w, k)) for k in EDITABLE}
        _check(merged, now=now)
        _require_guidance(merged["instruction"], _("缺少防御措施与指引，不能发布更新。"))
        if area is not None or towns is not None:
            _place(fields, area if area is not None else (w.boundary if not towns else None), towns or ())
        if "hazard_type" in fields:
            fields["hazard_types"] = [fields["hazard_type"]]
        if not fields:
            raise ValidationFailed(_("没有需要更新的内容"), details={"__all__": [_("没有需要更新的内容")]})
        w = _system_update(actor, w, fields)
        msg = _publish_message(actor, w, "Update", now)
        stored.note(actor, w, "updated", lambda: _("更新预警（%(l)s）") % {"l": w.get_level_display()},
                    {"identifier": msg.identifier, "fields": sorted(fields)})
        _go_live(actor, w, msg)
    return w


def cancel(actor, warning: Warning, reason: str) -> Warning:
    """解除: a CAP Cancel referencing every message before; the warning leaves the feed and the map."""
    now = timezone.now()
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写解除原因"))
    with transaction.atomic():
        w = _lock(actor, warning, Action.VIEW)
        if w.state != State.PUBLISHED:
            raise Conflict(_("只有已发布的预警可以解除"), code="bad_state")
        _require_approver(actor, w)
        w = _system_update(actor, w, {"state": State.CANCELLED, "ended_at": now, "end_reason": reason[:500]})
        msg = _publish_message(actor, w, "Cancel", now)
        stored.note(actor, w, "cancelled", lambda: _("解除预警：%(r)s") % {"r": reason},
                    {"identifier": msg.identifier})
    return w


def expire_due(now: dt.datetime | None = None) -> int:
    """Published warnings past their expiry become expired (a job every minute), each noted once."""
    now = now or timezone.now()
    done = 0
    for pk in list(Warning.objects.filter(state=State.PUBLISHED, expires__lte=now).values_list("pk", flat=True)):
        with transaction.atomic():
            if not Warning.objects.filter(pk=pk, state=State.PUBLISHED).update(state=State.EXPIRED, ended_at=now):
                continue
            w = Warning.objects.get(pk=pk)
            audit.record("expire", w, None, audit.snapshot(w), None)
            stored.note(None, w, "expired", lambda: _("预警到期自动失效"), {"expires": w.expires.isoformat()})
        done += 1
    return done


def _system_update(actor, w: Warning, changes: Mapping[str, object]) -> Warning:
    """A workflow step whose rights were checked above (an approver acts on a warning they may only view)."""
    return crud.workflow_update(actor, w, changes)
