"""Hidden dangers (隐患): report (a grid officer on a phone, an enterprise's self-check, an inspection), the
rectification order as a supervised Task (yingji.supervision.services: create_task + assign), evidence from the
responsible unit, verification and closure (销号) by the supervising town, and escalation once past the
deadline. Every step checks its rule first, writes through crud (audited) and notes the danger's timeline."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import attachments, audit, crud, participants, permissions, timeline
from yingji.core.errors import Conflict, PermissionDenied, ValidationFailed
from yingji.core.models import OrgUnit, ParticipantRole
from yingji.core.models.place import check_point
from yingji.core.roles import Action
from yingji.risk import geo
from yingji.risk.models import DangerGrade, DangerSource, DangerState, GridCell, HiddenDanger

__all__ = ["report", "order", "rectify", "verify", "cancel", "escalate_overdue", "supervising_unit_of"]

ASSIGNMENT = "supervision.assignment"


def _fail(field: str, message: str):
    raise ValidationFailed(message, details={field: [message]})


def _now(at, actor) -> dt.datetime:
    return at if (at is not None and actor is None) else timezone.now()


def supervising_unit_of(unit: OrgUnit) -> OrgUnit:
    """The town (镇/街道) above a community or an enterprise supervises its hidden dangers; else the unit's
    district, else the unit itself."""
    chain = [unit, *reversed(unit.ancestors())]
    for kind in ("town", "district"):
        for u in chain:
            if u.kind == kind:
                return u
    return chain[-1]


def _next_code(now: dt.datetime) -> str:
    day = timezone.localdate(now)
    prefix = f"YH{day:%Y%m%d}"
    last = HiddenDanger.objects.filter(code__regex=rf"^{prefix}[0-9]{{4}}$").order_by("-code").values_list(
        "code", flat=True)
    n = int(last[0][len(prefix):]) + 1 if last else 1
    return f"{prefix}{n:04d}"


def report(actor, *, name: str, lat: float | None, lng: float | None, description: str = "",
           grade: str = DangerGrade.GENERAL, found_by: str = DangerSource.GRID, enterprise: OrgUnit | None = None,
           hazard_source=None, inspection=None, hazard_types=(), owner_unit: OrgUnit | None = None,
           photos=(), reporter=None, at: dt.datetime | None = None) -> HiddenDanger:
    """Record a hidden danger with its photos ([(filename, bytes)]). Its owner is the given unit, else the
    enterprise (self-report), else the community whose grid cell holds the point, else the actor's unit.
    `reporter` and `at` are for the system (actor None) recording a report made earlier by someone."""
    now = _now(at, actor)
    name = (name or "").strip()
    if not name:
        _fail("name", _("请填写隐患名称"))
    if grade not in DangerGrade.values:
        _fail("grade", _("隐患等级无效"))
    if found_by not in DangerSource.values:
        _fail("found_by", _("发现途径无效"))
    errors = check_point(lat, lng)
    if lat is None or lng is None:
        errors.setdefault("lng", str(_("请填写隐患位置（经度, 纬度）")))
    if errors:
        raise ValidationFailed(next(iter(errors.values())), details={k: [v] for k, v in errors.items()})
    if enterprise is not None and enterprise.kind != "enterprise":
        _fail("enterprise", _("所选单位不是企业"))
    cell_id = geo.cell_id_at(lat, lng)
    if owner_unit is None:
        if found_by == DangerSource.SELF and enterprise is not None:
            owner_unit = enterprise
        elif cell_id is not None:
            owner_unit = GridCell.objects.select_related("owner_unit").get(pk=cell_id).owner_unit
        elif enterprise is not None:
            owner_unit = enterprise
        else:
            owner_unit = getattr(actor, "unit", None)
    if owner_unit is None:
        _fail("lng", _("此位置不在任何网格内，请选择所属单位"))
    with transaction.atomic():
        danger = HiddenDanger(owner_unit=owner_unit, name=name[:200], description=description or "", grade=grade,
                              found_by=found_by, enterprise=enterprise, hazard_source=hazard_source,
                              inspection=inspection, hazard_types=list(hazard_types or []), lat=lat, lng=lng,
                              reporter=actor if getattr(actor, "pk", None) else reporter,
                              reporter_name=str(actor or reporter or _("系统"))[:100],
                              reported_at=now, code=_next_code(now),
                              supervising_unit=supervising_unit_of(owner_unit))
        danger = crud.create(actor, danger)
        if enterprise is not None and enterprise.pk != owner_unit.pk:
            participants.add(actor, danger, enterprise, ParticipantRole.AREA)
        for filename, content in photos or ():
            attachments.attach(actor, danger, filename, content, note=_("隐患照片"))
        timeline.add(actor, danger, "reported", _("%(who)s 报告%(g)s：%(n)s") % {
            "who": danger.reporter_name, "g": danger.get_grade_display(), "n": danger.name},
            {"grade": grade, "found_by": found_by})
        if grade == DangerGrade.MAJOR:
            _notify(danger, "risk.major_danger", _("重大隐患：%(n)s") % {"n": danger.name},
                    _("%(u)s 报告重大隐患，请尽快交办整改。") % {"u": owner_unit.name}, parent=True)
    return danger


def _lock(actor, danger: HiddenDanger, action=Action.CHANGE) -> HiddenDanger:
    return crud.get_for(actor, HiddenDanger, danger.pk, action, lock=True)


def _require_supervisor(actor, danger: HiddenDanger) -> None:
    if actor is not None and not permissions.unit_allows(actor, Action.CHANGE, "supervision.task",
                                                         danger.supervising_unit.path):
        raise PermissionDenied(_("只有督办单位（%(u)s）可以执行此操作") % {"u": danger.supervising_unit})


def order(actor, danger: HiddenDanger, *, responsible_unit: OrgUnit, responsible_person: str, deadline: dt.date,
          order_text: str, at: dt.datetime | None = None, notify: bool = True) -> HiddenDanger:
    """交办整改: a supervised Task owned by the supervising town, assigned to the responsible unit (主办) with the
    deadline; the responsible unit takes part in the danger so it sees it and answers with evidence."""
    from yingji.supervision import services as supervision
    from yingji.supervision.models import Source

    now = _now(at, actor)
    order_text, responsible_person = (order_text or "").strip(), (responsible_person or "").strip()
    if not order_text:
        _fail("order", _("请填写整改要求"))
    if not responsible_person:
        _fail("responsible_person", _("请填写整改责任人"))
    if deadline is None:
        _fail("deadline", _("请填写整改期限"))
    if deadline < timezone.localdate(now):
        _fail("deadline", _("整改期限不能早于今天"))
    with transaction.atomic():
        danger = _lock(actor, danger)
        _require_supervisor(actor, danger)
        if danger.state != DangerState.REPORTED:
            raise Conflict(_("只有待交办的隐患可以交办整改（当前：%(s)s）") % {"s": danger.get_state_display()},
                           code="bad_state")
        urgency = 1 if danger.grade == DangerGrade.MAJOR else 3
        task = supervision.create_task(
            actor, owner_unit=danger.supervising_unit, requester_unit=danger.supervising_unit,
            title=(_("隐患整改：%(n)s") % {"n": danger.name})[:180], description=order_text, source=Source.HAZARD,
            source_type="risk.hiddendanger", source_id=danger.pk, urgency=urgency, at=at)
        supervision.assign(actor, task, lead=(responsible_unit, deadline), at=at, notify=notify)
        danger = crud.update(actor, danger, {
            "state": DangerState.RECTIFYING, "responsible_unit": responsible_unit,
            "responsible_person": responsible_person[:100], "deadline": deadline, "order": order_text,
            "task": task, "ordered_at": now})
        if responsible_unit.pk != danger.owner_unit_id:
            participants.add(actor, danger, responsible_unit, ParticipantRole.LEAD)
        timeline.add(actor, danger, "ordered", _("交办整改：%(u)s，责任人 %(p)s，期限 %(d)s") % {
            "u": responsible_unit.name, "p": responsible_person, "d": deadline}, {"task": task.pk})
    return danger


def _acts_for_unit(actor, assignment) -> bool:
    """Whether the Task's steps need `on_behalf`: the actor's right comes from the risk role (a grid officer
    answers for the community), not from supervision's own rights at the handling unit."""
    return actor is not None and not permissions.unit_allows(actor, Action.CHANGE, ASSIGNMENT,
                                                             assignment.owner_unit.path)


def rectify(actor, danger: HiddenDanger, *, text: str, evidence=(), at: dt.datetime | None = None) -> HiddenDanger:
    """整改完成: the responsible unit's account and evidence (files); the Task's assignment is signed and answered
    (result code A), and the danger waits for verification."""
    from yingji.supervision import services as supervision
    from yingji.supervision.models import Assignment, AssignmentState

    now = _now(at, actor)
    text = (text or "").strip()
    if not text:
        _fail("rectification", _("请填写整改情况"))
    with transaction.atomic():
        danger = _lock(actor, danger)
        if danger.state != DangerState.RECTIFYING:
            raise Conflict(_("只有整改中的隐患可以提交整改结果（当前：%(s)s）") % {"s": danger.get_state_display()},
                           code="bad_state")
        if actor is not None and danger.responsible_unit_id and not permissions.unit_allows(
                actor, Action.CHANGE, "risk.hiddendanger", danger.responsible_unit.path):
            raise PermissionDenied(_("只有整改责任单位可以提交整改结果"))
        for filename, content in evidence or ():
            attachments.attach(actor, danger, filename, content, note=_("整改佐证"))
        if danger.task_id:
            a = Assignment.objects.filter(task_id=danger.task_id, owner_unit=danger.responsible_unit).exclude(
                state=AssignmentState.CANCELLED).first()
            if a is not None:
                behalf = _acts_for_unit(actor, a)
                if a.state == AssignmentState.ASSIGNED:
                    a = supervision.sign(actor, a, at=at, on_behalf=behalf)
                supervision.reply(actor, a, result_code="A", text=text[:2000], at=at, on_behalf=behalf)
        danger = crud.update(actor, danger, {"state": DangerState.VERIFYING, "rectification": text,
                                             "rectified_at": now})
        timeline.add(actor, danger, "rectified", _("提交整改结果：%(t)s") % {"t": text[:200]})
    return danger


def verify(actor, danger: HiddenDanger, *, passed: bool, note: str = "", new_deadline: dt.date | None = None,
           at: dt.datetime | None = None) -> HiddenDanger:
    """验收: passed → the Task is closed and the danger closed (销号); failed → back to rectification (the Task
    reopened), optionally with a new deadline."""
    from yingji.supervision import services as supervision

    now = _now(at, actor)
    note = (note or "").strip()
    if not passed and not note:
        _fail("verification", _("验收不通过时请填写原因"))
    with transaction.atomic():
        danger = _lock(actor, danger)
        _require_supervisor(actor, danger)
        if danger.state != DangerState.VERIFYING:
            raise Conflict(_("只有待验收的隐患可以验收（当前：%(s)s）") % {"s": danger.get_state_display()},
                           code="bad_state")
        if passed:
            if danger.task_id:
                supervision.close(actor, danger.task, note or _("隐患整改验收通过"))
            danger = crud.update(actor, danger, {"state": DangerState.CLOSED, "verification": note,
                                                 "verified_at": now, "closed_at": now})
            timeline.add(actor, danger, "closed", _("验收通过，销号") + (f"：{note}" if note else ""))
        else:
            if new_deadline is not None and new_deadline < timezone.localdate(now):
                _fail("deadline", _("整改期限不能早于今天"))
            if danger.task_id:
                supervision.reopen(actor, danger.task, note)
            changes = {"state": DangerState.RECTIFYING, "verification": note, "verified_at": now,
                       "rectified_at": None}
            if new_deadline is not None:
                changes.update(deadline=new_deadline, escalated_at=None)
            danger = crud.update(actor, danger, changes)
            timeline.add(actor, danger, "rejected", _("验收不通过：%(t)s") % {"t": note})
    return danger


def cancel(actor, danger: HiddenDanger, reason: str) -> HiddenDanger:
    from yingji.supervision import services as supervision
    from yingji.supervision.models import TaskState

    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写撤销理由"))
    with transaction.atomic():
        danger = _lock(actor, danger)
        _require_supervisor(actor, danger)
        if danger.state in (DangerState.CLOSED, DangerState.CANCELLED):
            raise Conflict(_("已销号或已撤销的隐患不能撤销"), code="bad_state")
        if danger.task_id and danger.task.state not in (TaskState.CLOSED, TaskState.CANCELLED):
            supervision.cancel(actor, danger.task, reason)
        danger = crud.update(actor, danger, {"state": DangerState.CANCELLED, "verification": reason})
        timeline.add(actor, danger, "cancelled", reason)
    return danger


def _notify(danger: HiddenDanger, kind: str, title: str, body: str, *, parent: bool, key: str | None = None):
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    town = danger.supervising_unit or supervising_unit_of(danger.owner_unit)
    recipients = [Recipient.of_unit(town, ["unit_admin", "unit_staff"])]
    if parent and town.parent is not None:
        recipients.append(Recipient.of_unit(town.parent, ["unit_admin", "unit_staff"]))
    notifications.notify(kind, key=key or f"{kind}:{danger.pk}", recipients=recipients, title=title[:200],
                         body=body, url=f"/risk/dangers/{danger.pk}/", subject=danger, sender_unit=town)


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """超期升级: each danger still in rectification past its deadline is escalated once — to the supervising
    town's staff and the district above it (a conditional UPDATE claims it, so a retried job sends nothing twice)."""
    now = now or timezone.now()
    late = HiddenDanger.objects.filter(state=DangerState.RECTIFYING, escalated_at__isnull=True,
                                       deadline__lt=timezone.localdate(now)).select_related(
        "supervising_unit__parent", "owner_unit", "responsible_unit")
    sent = 0
    for danger in late:
        with transaction.atomic():
            before = audit.snapshot(danger)
            if not HiddenDanger.objects.filter(pk=danger.pk, escalated_at__isnull=True).update(escalated_at=now):
                continue
            fresh = HiddenDanger.objects.get(pk=danger.pk)
            audit.record("update", fresh, before, audit.snapshot(fresh), None)
            days = (timezone.localdate(now) - danger.deadline).days
            _notify(danger, "risk.danger_overdue", _("隐患整改已超期：%(n)s") % {"n": danger.name},
                    _("%(u)s 的%(g)s整改期限 %(d)s 已过 %(n)s 天，尚未完成。") % {
                        "u": danger.responsible_unit or danger.owner_unit, "g": danger.get_grade_display(),
                        "d": danger.deadline, "n": days}, parent=True, key=f"risk.danger_overdue:{danger.pk}")
            timeline.add(None, fresh, "escalated", _("整改超期 %(n)s 天，已升级督办") % {"n": days},
                         {"deadline": danger.deadline.isoformat(), "days": days})
            sent += 1
    return sent
