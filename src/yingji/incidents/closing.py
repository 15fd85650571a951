"""信息快报, closing and the review (复盘评估): the situation report drafted from the record and edited before it is
sent; closing only after the final report; the review's timings computed from the timeline against targets,
its lessons, and follow-up Tasks."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, commitments, crud, timeline, vocabulary
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.models import Commitment, CommitmentState, OrgUnit, TimelineEntry
from yingji.core.roles import Action
from yingji.incidents.models import (
    ACTIVE_PHASES,
    OPEN_DISPATCH,
    DispatchStatus,
    Incident,
    Phase,
    ReportKind,
    Review,
    SituationReport,
)
from yingji.incidents.services import lock, system_write

__all__ = ["draft_sitrep", "edit_sitrep", "send_sitrep", "close", "review", "timings", "targets", "SITREP_FIELDS"]

SITREP_FIELDS = ("title", "time_text", "place_text", "overview", "casualties", "response", "next_steps")


def targets() -> dict:
    """Response targets (seconds) the review compares against: YINGJI["INCIDENT_TARGETS"]."""
    default = {"first_dispatch_s": 900, "arrival_s": 1800, "initial_report_s": 3600}
    return {**default, **getattr(settings, "YINGJI", {}).get("INCIDENT_TARGETS", {})}


def _fmt(moment) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日 %H时%M分")


def _draft_fields(inc: Incident) -> dict:
    hazard = vocabulary.hazard_names().get(inc.hazard_type, inc.hazard_type)
    ds = list(inc.dispatches.exclude(status__in=(DispatchStatus.DECLINED, DispatchStatus.CANCELLED)))
    units = sorted({d.resource_unit.name for d in ds})
    on_scene = [d for d in ds if d.on_scene_at]
    groups = list(inc.groups.values_list("name", flat=True))
    post = getattr(inc, "command_post", None) if hasattr(inc, "command_post") else None
    response = _("共调派救援力量 %(n)s 支（%(u)s），已到场 %(a)s 支。") % {
        "n": len(ds), "u": "、".join(units) or "—", "a": len(on_scene)}
    if post:
        response += _("已成立%(p)s，总指挥 %(c)s。") % {"p": post.name, "c": post.commander}
    if groups:
        response += _("下设%(g)s。") % {"g": "、".join(groups)}
    return {
        "title": _("关于%(t)s的信息快报") % {"t": inc.title},
        "time_text": _fmt(inc.occurred_at),
        "place_text": inc.address or (f"{inc.town.name if inc.town else ''}（{inc.lng:.5f}, {inc.lat:.5f}）"),
        "overview": _("%(at)s，%(place)s发生%(h)s，%(d)s事件级别初步判定为%(l)s。") % {
            "at": _fmt(inc.occurred_at), "place": inc.address or (inc.town.name if inc.town else ""), "h": hazard,
            "d": f"{inc.description} " if inc.description else "", "l": inc.get_level_display() or "—"},
        "casualties": _("死亡 %(d)s 人，失踪 %(m)s 人，重伤 %(s)s 人，轻伤 %(i)s 人，被困 %(t)s 人；直接经济损失约 %(l)s "
                        "万元。") % {"d": inc.deaths, "m": inc.missing, "s": inc.serious_injuries, "i": inc.injuries,
                                   "t": inc.trapped, "l": inc.direct_loss_wan_yuan},
        "response": response,
        "next_steps": _("继续做好现场处置和人员搜救，密切监测次生灾害，及时续报。"),
    }


def draft_sitrep(actor, incident: Incident) -> SituationReport:
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        n = (inc.sitreps.aggregate(m=Max("number"))["m"] or 0) + 1
        s = SituationReport(owner_unit=inc.owner_unit, incident=inc, number=n, is_exercise=inc.is_exercise,
                            **_draft_fields(inc))
        s = crud.create(actor, s)
        timeline.add(actor, inc, "sitrep_draft", _("起草信息快报第 %(n)s 期") % {"n": n}, {"sitrep": s.pk})
    return s


def edit_sitrep(actor, sitrep: SituationReport, changes: dict) -> SituationReport:
    changes = {k: (v or "") for k, v in changes.items() if k in SITREP_FIELDS and v is not None}
    with transaction.atomic():
        s = crud.get_for(actor, SituationReport, sitrep.pk, Action.CHANGE, lock=True)
        if s.sent_at is not None:
            raise Conflict(_("信息快报已发送，不能再修改"), code="sent")
        if "title" in changes and not changes["title"].strip():
            raise ValidationFailed(details={"title": [_("请填写标题")]})
        return crud.update(actor, s, changes)


def send_sitrep(actor, sitrep: SituationReport, sent_to: str) -> SituationReport:
    sent_to = (sent_to or "").strip()
    if not sent_to:
        raise ValidationFailed(details={"sent_to": [_("请填写报送对象")]})
    with transaction.atomic():
        s = crud.get_for(actor, SituationReport, sitrep.pk, Action.CHANGE, lock=True)
        if s.sent_at is not None:
            raise Conflict(_("信息快报已发送"), code="sent")
        s = crud.update(actor, s, {"sent_at": timezone.now(), "sent_to": sent_to[:200]})
        timeline.add(actor, s.incident, "sitrep_sent", _("信息快报第 %(n)s 期已报送%(to)s") % {
            "n": s.number, "to": sent_to}, {"sitrep": s.pk})
    return s


def close(actor, incident: Incident, note: str = "") -> Incident:
    """结案: only after the final report (终报) was sent; every resource still out is released."""
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案或已合并"), code="bad_state")
        if not inc.reports.filter(kind=ReportKind.FINAL, submitted_at__isnull=False).exists():
            raise Conflict(_("结案前须报送终报"), code="final_report_missing")
        now = timezone.now()
        for d in inc.dispatches.filter(status__in=OPEN_DISPATCH).select_for_update():
            before = audit.snapshot(d)
            new = DispatchStatus.RELEASED if d.status != DispatchStatus.DISPATCHED else DispatchStatus.CANCELLED
            d.status, d.released_at = new, now
            d.save(update_fields=["status", "released_at"])
            audit.record("update", d, before, audit.snapshot(d), actor)
            if d.commitment_id:
                c = Commitment.objects.get(pk=d.commitment_id)
                if c.state == CommitmentState.COMMITTED:
                    commitments.release(None, c)
            timeline.add(actor, inc, "dispatch_status", _("%(r)s：%(s)s（结案）") % {
                "r": d.resource_name, "s": d.get_status_display()}, {"dispatch": d.pk, "status": new})
        inc = system_write(actor, inc, {"phase": Phase.CLOSED, "closed_at": now})
        timeline.add(actor, inc, "closed", _("结案。%(n)s") % {"n": note} if note else _("结案"), {})
    return inc


def timings(inc: Incident) -> dict:
    """Report → first dispatch, dispatch → arrival per unit and initial report lateness, from the timeline."""
    t = targets()
    entries = list(TimelineEntry.objects.filter(subject_type=ContentType.objects.get_for_model(Incident),
                                                subject_id=inc.pk).order_by("seq"))
    reported = next((e.at for e in entries if e.kind == "reported"), inc.reported_at)
    dispatched, arrived = {}, {}
    for e in entries:
        data = timeline.data_of(e) or {}
        if e.kind == "dispatch" and data.get("dispatch"):
            dispatched.setdefault(data["dispatch"], (e.at, data.get("unit", "")))
        if e.kind == "dispatch_status" and data.get("status") == DispatchStatus.ON_SCENE:
            arrived.setdefault(data["dispatch"], e.at)
    first = min((at for at, _u in dispatched.values()), default=None)
    per_unit = []
    for pk, (at, unit) in sorted(dispatched.items(), key=lambda kv: kv[1][0]):
        arr = arrived.get(pk)
        secs = (arr - at).total_seconds() if arr else None
        per_unit.append({"dispatch": pk, "unit": unit, "dispatched_at": at.isoformat(),
                         "arrived_at": arr.isoformat() if arr else None, "seconds": secs,
                         "target_s": t["arrival_s"], "met": secs is not None and secs <= t["arrival_s"]})
    first_s = (first - reported).total_seconds() if first else None
    initial = inc.reports.filter(kind=ReportKind.INITIAL).order_by("due_at")
    reports = [{"kind": r.kind, "channel": r.channel, "due_at": r.due_at.isoformat(),
                "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
                "on_time": bool(r.submitted_at and r.submitted_at <= r.due_at)} for r in inc.reports.all()]
    return {
        "reported_at": reported.isoformat(),
        "first_dispatch_s": first_s, "first_dispatch_target_s": t["first_dispatch_s"],
        "first_dispatch_met": first_s is not None and first_s <= t["first_dispatch_s"],
        "arrivals": per_unit, "reports": reports,
        "initial_reports_on_time": all(r.submitted_at and r.submitted_at <= r.due_at for r in initial),
        "entries": len(entries),
    }


def review(actor, incident: Incident, *, lessons: str, follow_ups=()) -> Review:
    """复盘评估 of a closed incident: timings from the record, lessons, and follow-up Tasks [(unit, title, due)]."""
    lessons = (lessons or "").strip()
    if not lessons:
        raise ValidationFailed(details={"lessons": [_("请填写经验教训")]})
    from yingji.supervision import services as supervision

    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if inc.phase != Phase.CLOSED:
            raise Conflict(_("结案后才能复盘评估"), code="bad_state")
        if Review.objects.filter(incident=inc).exists():
            raise Conflict(_("该事件已完成复盘评估"), code="exists")
        task_ids = []
        for unit, title, due in follow_ups:
            if not isinstance(unit, OrgUnit) or not (title or "").strip() or not isinstance(due, dt.date):
                raise ValidationFailed(details={"follow_ups": [_("整改任务须有单位、内容和期限")]})
            task = supervision.create_task(None, owner_unit=inc.owner_unit, requester_unit=inc.owner_unit,
                                           title=title, source="incident", source_type="incidents.incident",
                                           source_id=inc.pk, is_exercise=inc.is_exercise,
                                           requester_name=getattr(actor, "username", ""))
            supervision.assign(None, task, lead=(unit, due))
            task_ids.append(task.pk)
        rv = crud.create(actor, Review(owner_unit=inc.owner_unit, incident=inc, timings=timings(inc), lessons=lessons,
                                       reviewed_by=getattr(actor, "username", "system") if actor else "system",
                                       follow_up_task_ids=task_ids))
        timeline.add(actor, inc, "review", _("复盘评估完成，整改任务 %(n)s 项") % {"n": len(task_ids)},
                     {"review": rv.pk, "tasks": task_ids})
    return rv
