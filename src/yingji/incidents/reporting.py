"""信息报送: the initial, follow-up and final reports each incident owes, their due times (standards library plus the
local 报送时限 table), submitting them, and flagging overdue ones to the supervising unit as a supervision Task."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, crud, timeline
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.roles import Action
from yingji.incidents import deadlines, grading
from yingji.incidents.models import Incident, InfoReport, ReportKind, ReportRule

__all__ = ["local_rules", "ensure_default_rules", "schedule_initial", "on_regraded", "schedule_final", "submit",
           "flag_overdue", "countdown"]


def ensure_default_rules() -> int:
    if ReportRule.objects.exists():
        return 0
    for r in deadlines.DEFAULT_RULES:
        crud.create(None, ReportRule(kind=r.kind, channel=r.channel, minutes=r.minutes, max_level=r.max_level,
                                     basis=r.basis))
    return len(deadlines.DEFAULT_RULES)


def local_rules() -> list[deadlines.LocalRule]:
    ensure_default_rules()
    return [deadlines.LocalRule(r.kind, r.channel, r.minutes, r.max_level, r.basis)
            for r in ReportRule.objects.filter(is_active=True)]


def _make(actor, inc: Incident, due: deadlines.Due) -> InfoReport:
    row = InfoReport(owner_unit=inc.owner_unit, incident=inc, kind=due.kind, channel=due.channel, due_at=due.due_at,
                     basis=due.basis[:300], is_exercise=inc.is_exercise)
    row.full_clean()
    row.save()
    audit.record("create", row, None, audit.snapshot(row), actor)
    timeline.add(actor, inc, "report_due", _("%(k)s（%(c)s）应于 %(t)s 前报送。%(b)s") % {
        "k": row.get_kind_display(), "c": row.get_channel_display(),
        "t": timezone.localtime(row.due_at).strftime("%m-%d %H:%M"), "b": row.basis},
        {"report": row.pk, "kind": row.kind, "due_at": row.due_at.isoformat()})
    return row


def schedule_initial(actor, inc: Incident) -> list[InfoReport]:
    dues = deadlines.initial_due(inc.reported_at, inc.level, local_rules(),
                                 production_safety=grading.is_production_safety(inc.hazard_type),
                                 deaths=inc.deaths, serious_injuries=inc.serious_injuries,
                                 direct_loss_wan_yuan=inc.direct_loss_wan_yuan)
    return [_make(actor, inc, d) for d in dues]


def on_regraded(actor, inc: Incident) -> None:
    """A more severe level may shorten the next follow-up: pull an open follow-up's due time forward."""
    pending = inc.reports.filter(kind=ReportKind.FOLLOW_UP, submitted_at__isnull=True).first()
    last = inc.reports.filter(submitted_at__isnull=False).order_by("-submitted_at").first()
    if pending is None or last is None:
        return
    due = deadlines.follow_up_due(last.submitted_at, inc.level, local_rules())
    if due is not None and due.due_at < pending.due_at:
        before = audit.snapshot(pending)
        pending.due_at, pending.basis = due.due_at, due.basis[:300]
        pending.save(update_fields=["due_at", "basis"])
        audit.record("update", pending, before, audit.snapshot(pending), actor)


def schedule_final(actor, inc: Incident) -> InfoReport | None:
    if inc.reports.filter(kind=ReportKind.FINAL).exists():
        return None
    due = deadlines.final_due(timezone.now(), inc.level, local_rules())
    return _make(actor, inc, due) if due else None


def submit(actor, report: InfoReport, *, text: str, recipient: str = "", at: dt.datetime | None = None) -> InfoReport:
    """Record a report as sent. After a written initial or follow-up report, the next follow-up falls due while
    the response lasts."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(details={"text": [_("请填写报告内容")]})
    now = at if (at is not None and actor is None) else timezone.now()
    with transaction.atomic():
        inc = crud.get_for(actor, Incident, report.incident_id, Action.CHANGE, lock=True)
        row = InfoReport.objects.select_for_update().get(pk=report.pk, incident=inc)
        if row.submitted_at is not None:
            raise Conflict(_("该报告已于 %(t)s 报送") % {
                "t": timezone.localtime(row.submitted_at).strftime("%m-%d %H:%M")}, code="already_submitted")
        before = audit.snapshot(row)
        row.submitted_at, row.text, row.recipient = now, text, (recipient or "")[:200]
        row.submitted_by = getattr(actor, "username", "system") if actor is not None else "system"
        row.save()
        audit.record("update", row, before, audit.snapshot(row), actor)
        late = now > row.due_at
        timeline.add(actor, inc, "report_sent", _("%(k)s（%(c)s）已报送%(r)s%(late)s：%(t)s") % {
            "k": row.get_kind_display(), "c": row.get_channel_display(),
            "r": _("至%(r)s") % {"r": row.recipient} if row.recipient else "",
            "late": _("（超时）") if late else "", "t": text[:300]},
            {"report": row.pk, "kind": row.kind, "late": late})
        from yingji.incidents.models import Phase

        responding = inc.phase in (Phase.REPORTED, Phase.RESPONDING)  # 续报 stop when the response ends
        if row.kind != ReportKind.FINAL and row.channel == "written" and responding and \
                not inc.reports.filter(kind=ReportKind.FOLLOW_UP, submitted_at__isnull=True).exists():
            due = deadlines.follow_up_due(now, inc.level, local_rules())
            if due is not None:
                _make(actor, inc, due)
    return row


def countdown(inc: Incident, now: dt.datetime | None = None) -> list[dict]:
    """The open reports with seconds left (negative: overdue), for the dashboard's live countdown."""
    now = now or timezone.now()
    return [{"id": r.pk, "kind": r.kind, "label": f"{r.get_kind_display()}（{r.get_channel_display()}）",
             "due_at": r.due_at, "seconds_left": int((r.due_at - now).total_seconds()),
             "overdue": r.due_at < now, "basis": r.basis}
            for r in inc.reports.filter(submitted_at__isnull=True).order_by("due_at")]


def flag_overdue(now: dt.datetime | None = None) -> int:
    """Every overdue, unsent report of an active real incident becomes one supervision Task for the incident's
    unit, supervised by its parent (or itself at the root), once."""
    from yingji.incidents.models import ACTIVE_PHASES
    from yingji.supervision import services as supervision

    now = now or timezone.now()
    made = 0
    rows = (InfoReport.objects.filter(submitted_at__isnull=True, due_at__lt=now, overdue_task_id__isnull=True,
                                      is_exercise=False, incident__phase__in=ACTIVE_PHASES)
            .select_related("incident", "owner_unit", "owner_unit__parent")[:200])
    for row in rows:
        with transaction.atomic():
            fresh = InfoReport.objects.select_for_update().get(pk=row.pk)
            if fresh.overdue_task_id is not None or fresh.submitted_at is not None:
                continue
            unit = row.owner_unit
            supervisor = unit.parent or unit
            task = supervision.create_task(
                None, owner_unit=supervisor, requester_unit=supervisor,
                title=_("信息报送超时：%(t)s %(k)s") % {"t": row.incident.title[:100], "k": row.get_kind_display()},
                description=_("%(k)s（%(c)s）应于 %(d)s 前报送，至今未报。%(b)s") % {
                    "k": row.get_kind_display(), "c": row.get_channel_display(),
                    "d": timezone.localtime(row.due_at).strftime("%Y-%m-%d %H:%M"), "b": row.basis},
                source="incident", source_type="incidents.incident", source_id=row.incident_id, urgency=1)
            supervision.assign(None, task, lead=(unit, max(timezone.localdate(now), timezone.localdate())))
            before = audit.snapshot(fresh)
            fresh.overdue_task_id = task.pk
            fresh.save(update_fields=["overdue_task_id"])
            audit.record("update", fresh, before, audit.snapshot(fresh), None)
            timeline.add(None, row.incident, "report_overdue", _("%(k)s 超时未报，已督办（%(r)s）") % {
                "k": row.get_kind_display(), "r": task.reference}, {"report": row.pk, "task": task.pk})
            made += 1
    return made
