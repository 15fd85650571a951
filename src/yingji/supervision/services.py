"""Every write of the supervision module: tasks, their handling units' sign-off, progress, replies, the requester's
feedback, and the state machine that ties them together. Each write is audited (yingji.core.crud) and noted on
the task's hash-chained timeline; every rule is checked before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, crud, participants, permissions, timeline
from yingji.core.errors import Conflict, PermissionDenied, ValidationFailed
from yingji.core.models import OrgUnit, ParticipantRole
from yingji.core.roles import Action
from yingji.supervision.models import (
    Assignment,
    AssignmentState,
    CommMode,
    HandlingRole,
    ProgressNote,
    ResultCode,
    Satisfaction,
    Task,
    TaskState,
    dimensions,
)

__all__ = ["create_task", "assign", "sign", "add_progress", "reply", "return_task", "feedback", "close", "reopen",
           "cancel", "derived_state", "signoff_key", "ensure_result_codes"]

TASK = "supervision.task"
ASSIGNMENT = "supervision.assignment"
OPEN_ASSIGNMENT = (AssignmentState.ASSIGNED, AssignmentState.SIGNED, AssignmentState.IN_PROGRESS)
FINAL_TASK = (TaskState.CLOSED, TaskState.CANCELLED)


DEFAULT_RESULT_CODES = (("A", "解决采纳", True), ("B", "逐步解决", False), ("C", "留作参考", False),
                        ("D", "因条件限制暂不能解决", False))


def ensure_result_codes() -> int:
    """The default result codes, if missing (the migration adds them; a flushed test database or a fresh demo
    without them gets them here). Existing rows are left as edited."""
    made = 0
    for code, name, resolved in DEFAULT_RESULT_CODES:
        if not ResultCode.objects.filter(code=code).exists():
            row = ResultCode(code=code, name=name, counts_as_resolved=resolved)
            crud.create(None, row)
            made += 1
    return made


def signoff_key(a: Assignment) -> str:
    return f"supervision:assigned:{a.pk}"


def _fail(field: str, message: str):
    raise ValidationFailed(message, details={field: [message]})


def _now(at: dt.datetime | None, actor) -> dt.datetime:
    # Only the system (demo seed, imports of historical records) may date an action in the past.
    return at if (at is not None and actor is None) else timezone.now()


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _lock_task(actor, task_id, action=Action.VIEW) -> Task:
    return crud.get_for(actor, Task, task_id, action, lock=True)


def _lock_assignment(actor, assignment_id, on_behalf: bool = False) -> Assignment:
    if on_behalf:  # the calling workflow has checked the actor's right to act for the handling unit
        return Assignment.objects.select_for_update().select_related("task", "owner_unit").get(pk=assignment_id)
    return crud.get_for(actor, Assignment, assignment_id, Action.VIEW, lock=True)


def _require_handler(actor, a: Assignment) -> None:
    """Only the handling unit (or a unit above it) acts on its assignment, not the supervisor on its behalf."""
    if actor is not None and not permissions.unit_allows(actor, Action.CHANGE, ASSIGNMENT, a.owner_unit.path):
        raise PermissionDenied(_("只有承办单位可以办理此项"))


def _require_supervisor(actor, task: Task) -> None:
    if actor is not None and not permissions.unit_allows(actor, Action.CHANGE, TASK, task.owner_unit.path):
        raise PermissionDenied(_("只有督办单位可以执行此操作"))


def derived_state(task_state: str, states: Iterable[str]) -> str:
    """The task's state from its handling units' states (draft, closed and cancelled are set explicitly)."""
    live = [s for s in states if s != AssignmentState.CANCELLED]
    if task_state in (TaskState.DRAFT, *FINAL_TASK) or not live:
        return task_state
    if any(s == AssignmentState.RETURNED for s in live):
        return TaskState.RETURNED
    if all(s == AssignmentState.REPLIED for s in live):
        return TaskState.REPLIED
    if any(s in (AssignmentState.IN_PROGRESS, AssignmentState.REPLIED) for s in live):
        return TaskState.IN_PROGRESS
    if all(s == AssignmentState.SIGNED for s in live):
        return TaskState.SIGNED
    if any(s == AssignmentState.SIGNED for s in live) and task_state == TaskState.REOPENED:
        return TaskState.REOPENED
    return TaskState.REOPENED if task_state == TaskState.REOPENED else TaskState.ASSIGNED


def _refresh_state(actor, task: Task) -> Task:
    states = list(Assignment.objects.filter(task=task).values_list("state", flat=True))
    new = derived_state(task.state, states)
    if new != task.state:
        task = _system_update(actor, task, {"state": new})
    return task


def _system_update(actor, obj, changes: Mapping[str, object]):
    """A change the workflow itself makes (a task's derived state after a handling unit acts): the acting
    user's rights on the part they acted on were checked; this writes the consequence, audited under their name."""
    return crud.workflow_update(actor, obj, changes)


def _next_reference(now: dt.datetime) -> str:
    day = _local_date(now)
    n = Task.objects.filter(reference__startswith=f"DB{day:%Y%m%d}").count() + 1
    return f"DB{day:%Y%m%d}{n:04d}"


def create_task(actor, *, owner_unit: OrgUnit, requester_unit: OrgUnit, title: str, description: str = "",
                reference: str = "", source: str = "", requester_name: str = "", urgency: int = 3,
                source_type: str = "", source_id: int | None = None, is_exercise: bool = False,
                at: dt.datetime | None = None) -> Task:
    """A draft task owned by the supervising unit; the requester unit takes part in it."""
    now = _now(at, actor)
    title = (title or "").strip()
    if not title:
        _fail("title", _("标题不能为空"))
    with transaction.atomic():
        task = Task(owner_unit=owner_unit, requester_unit=requester_unit, title=title, description=description,
                    reference=(reference or "").strip() or _next_reference(now), source=source or "",
                    requester_name=requester_name, urgency=urgency, source_type=source_type, source_id=source_id,
                    is_exercise=is_exercise, state=TaskState.DRAFT)
        if Task.objects.filter(reference=task.reference).exists():
            _fail("reference", _("编号 %(r)s 已存在") % {"r": task.reference})
        crud.create(actor, task, unit=owner_unit)
        participants.add(actor, task, requester_unit, ParticipantRole.REQUESTER)
        timeline.add(actor, task, "created", _("登记督办事项"), {"reference": task.reference})
    return task


def assign(actor, task: Task, *, lead: tuple[OrgUnit, dt.date],
           co: Iterable[tuple[OrgUnit, dt.date]] = (), at: dt.datetime | None = None, notify: bool = True) -> Task:
    """交办: the lead unit (主办) and co-handling units (协办), each with its own deadline; each unit is asked to
    sign for it (签收) in its inbox and by e-mail."""
    now = _now(at, actor)
    co = list(co)
    units = [lead[0], *(u for u, _d in co)]
    if len({u.pk for u in units}) != len(units):
        _fail("co", _("同一单位不能重复承办"))
    today = _local_date(now)
    for unit, deadline in [lead, *co]:
        if deadline is None:
            _fail("deadline", _("请填写 %(u)s 的办理期限") % {"u": unit})
        if deadline < today:
            _fail("deadline", _("%(u)s 的办理期限 %(d)s 早于交办日期 %(t)s") % {"u": unit, "d": deadline, "t": today})
    with transaction.atomic():
        task = _lock_task(actor, task.pk, Action.CHANGE)
        _require_supervisor(actor, task)
        if task.state not in (TaskState.DRAFT, TaskState.RETURNED):
            raise Conflict(_("只有草稿或已退回的任务可以交办（当前：%(s)s）") % {"s": task.get_state_display()},
                           code="bad_state")
        existing = {a.owner_unit_id: a for a in Assignment.objects.filter(task=task)}
        made = []
        for role, (unit, deadline) in [(HandlingRole.LEAD, lead), *((HandlingRole.CO, c) for c in co)]:
            a = existing.pop(unit.pk, None)
            if a is not None:  # a returned task assigned again: same unit, fresh deadline and state
                a = _system_update(actor, a, {"role": role, "deadline": deadline, "state": AssignmentState.ASSIGNED,
                                           "signed_at": None, "signed_by": None, "return_reason": ""})
            else:
                if role == HandlingRole.LEAD:
                    for other in existing.values():
                        if other.role == HandlingRole.LEAD:
                            _system_update(actor, other, {"role": HandlingRole.CO, "state": AssignmentState.CANCELLED})
                a = crud.create(actor, Assignment(task=task, owner_unit=unit, role=role, deadline=deadline),
                                unit=task.owner_unit)
            participants.add(actor, task, unit, ParticipantRole.LEAD if role == HandlingRole.LEAD else
                             ParticipantRole.CO)
            made.append(a)
        for left in existing.values():
            if left.state != AssignmentState.CANCELLED:
                _system_update(actor, left, {"state": AssignmentState.CANCELLED})
        task = _system_update(actor, task, {"state": TaskState.ASSIGNED, "assigned_at": now})
        timeline.add(actor, task, "assigned", _("交办：%(units)s") % {
            "units": "；".join(f"{a.get_role_display()} {a.owner_unit}（{a.deadline}）" for a in made)},
            {"assignments": [{"unit": a.owner_unit.name, "role": a.role, "deadline": a.deadline.isoformat()}
                             for a in made]})
        if notify:
            _notify_assigned(actor, task, made, now)
    return task


def _notify_assigned(actor, task: Task, made: list[Assignment], now: dt.datetime) -> None:
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    for a in made:
        deadline_end = timezone.make_aware(dt.datetime.combine(a.deadline, dt.time(23, 59, 59)))
        sign_by = min(now + dt.timedelta(days=1), deadline_end)
        notifications.notify(
            "supervision.task_assigned", key=f"{signoff_key(a)}:{now:%Y%m%d%H%M%S}",
            recipients=[Recipient.of_unit(a.owner_unit, ["unit_admin", "unit_staff"])],
            title=_("请签收督办事项：%(t)s") % {"t": task.title[:80]},
            body=_("%(role)s，办理期限 %(d)s。编号 %(r)s。") % {"role": a.get_role_display(), "d": a.deadline,
                                                          "r": task.reference},
            url=f"/supervision/tasks/{task.pk}/", subject=task, needs_signoff=True, sign_deadline=sign_by,
            sender_unit=task.owner_unit, actor=actor)


def sign(actor, assignment: Assignment, at: dt.datetime | None = None, *, on_behalf: bool = False) -> Assignment:
    """签收 for the handling unit. Of two users signing at once, one sign-off is recorded; both get it back.

    `on_behalf`: another module's workflow has already checked that `actor` may act for the handling unit (a grid
    officer answering a hidden-danger Task for the community); the step is recorded under the actor's name."""
    now = _now(at, actor)
    with transaction.atomic():
        if on_behalf:
            a = Assignment.objects.select_related("task", "owner_unit").get(pk=assignment.pk)
        else:
            a = crud.get_for(actor, Assignment, assignment.pk, Action.VIEW)
            _require_handler(actor, a)
        if a.task.state in FINAL_TASK:
            raise Conflict(_("任务已办结或已撤销，不能签收"), code="bad_state")
        before = audit.snapshot(a)
        # The conditional UPDATE is the lock: the second signer matches no row (PostgreSQL re-checks the WHERE
        # after the first commits; SQLite serialises writers), so exactly one sign-off is recorded.
        won = Assignment.objects.filter(pk=a.pk, state=AssignmentState.ASSIGNED).update(
            state=AssignmentState.SIGNED, signed_at=now, signed_by=actor, updated_at=now)
        a = Assignment.objects.select_related("task", "owner_unit", "signed_by").get(pk=a.pk)
        if not won:
            if a.signed_at is None:
                raise Conflict(_("此项当前状态为%(s)s，不能签收") % {"s": a.get_state_display()}, code="bad_state")
            return a
        audit.record("sign", a, before, audit.snapshot(a), actor)
        timeline.add(actor, a.task, "signed", _("%(u)s 签收") % {"u": a.owner_unit},
                     {"unit": a.owner_unit.name, "assignment": a.pk})
        _refresh_state(actor, a.task)
        _sign_notification(actor, a)
    return a


def _sign_notification(actor, a: Assignment) -> None:
    """Signing in the supervision inbox also signs the user's in-app item for it (one act, one record each)."""
    if actor is None:
        return
    from yingji.notifications import selectors as ntf_selectors
    from yingji.notifications import services as notifications

    for n in ntf_selectors.inbox(actor).filter(message__key__startswith=f"{signoff_key(a)}:"):
        if n.message.needs_signoff:
            notifications.sign(actor, n)


def add_progress(actor, assignment: Assignment, text: str) -> ProgressNote:
    text = (text or "").strip()
    if not text:
        _fail("text", _("进展内容不能为空"))
    with transaction.atomic():
        a = _lock_assignment(actor, assignment.pk)
        _require_handler(actor, a)
        if a.task.state in FINAL_TASK or a.state not in (AssignmentState.SIGNED, AssignmentState.IN_PROGRESS):
            raise Conflict(_("请先签收；已答复、已办结或已撤销的事项不能再填报进展"), code="bad_state")
        note = ProgressNote(assignment=a, text=text, created_by=actor)
        note.save()
        audit.record("create", note, None, audit.snapshot(note), actor)
        if a.state == AssignmentState.SIGNED:
            a = crud.update(actor, a, {"state": AssignmentState.IN_PROGRESS})
        timeline.add(actor, a.task, "progress", f"{a.owner_unit}：{text}", {"assignment": a.pk})
        _refresh_state(actor, a.task)
    return note


def reply(actor, assignment: Assignment, *, result_code: str, text: str = "", comm_mode: str = "",
          comm_at: dt.datetime | None = None, at: dt.datetime | None = None, on_behalf: bool = False) -> Assignment:
    """答复: the handling unit's result (a code of the table), its communication with the requester, and when
    (`on_behalf` as for `sign`)."""
    now = _now(at, actor)
    code = ResultCode.objects.filter(code=(result_code or "").strip(), is_active=True).first()
    if code is None:
        _fail("result_code", _("请选择有效的办理结果代码"))
    if comm_mode and comm_mode not in CommMode.values:
        _fail("comm_mode", _("沟通方式无效"))
    if comm_at is not None and comm_at > now + dt.timedelta(minutes=5):
        _fail("comm_at", _("沟通时间不能晚于答复时间"))
    with transaction.atomic():
        a = _lock_assignment(actor, assignment.pk, on_behalf)
        if not on_behalf:
            _require_handler(actor, a)
        if a.task.state in FINAL_TASK:
            raise Conflict(_("任务已办结或已撤销，不能再答复"), code="task_closed")
        if a.state == AssignmentState.ASSIGNED:
            raise Conflict(_("请先签收再答复"), code="not_signed")
        if a.state not in (AssignmentState.SIGNED, AssignmentState.IN_PROGRESS):
            raise Conflict(_("此项当前状态为%(s)s，不能答复") % {"s": a.get_state_display()}, code="bad_state")
        write = crud.workflow_update if on_behalf else crud.update
        a = write(actor, a, {"state": AssignmentState.REPLIED, "result_code": code, "reply_text": text or "",
                             "comm_mode": comm_mode or "", "comm_at": comm_at, "replied_at": now})
        late = _local_date(now) > a.deadline
        timeline.add(actor, a.task, "replied", _("%(u)s 答复：%(c)s") % {"u": a.owner_unit, "c": code},
                     {"unit": a.owner_unit.name, "result_code": code.code, "late": late})
        _refresh_state(actor, a.task)
    return a


def return_task(actor, assignment: Assignment, reason: str) -> Assignment:
    """退回: the handling unit says the task is not theirs; the supervisor re-assigns it."""
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写退回理由"))
    with transaction.atomic():
        a = _lock_assignment(actor, assignment.pk)
        _require_handler(actor, a)
        if a.task.state in FINAL_TASK or a.state not in OPEN_ASSIGNMENT:
            raise Conflict(_("此项当前状态为%(s)s，不能退回") % {"s": a.get_state_display()}, code="bad_state")
        a = crud.update(actor, a, {"state": AssignmentState.RETURNED, "return_reason": reason})
        timeline.add(actor, a.task, "returned", _("%(u)s 退回：%(r)s") % {"u": a.owner_unit, "r": reason})
        _refresh_state(actor, a.task)
    return a


def _clean_scores(scores: Mapping[str, object]) -> dict[str, int]:
    dims = dict(dimensions())
    errors: dict[str, list[str]] = {}
    clean: dict[str, int] = {}
    unknown = set(scores) - set(dims)
    if unknown:
        errors["scores"] = [_("未知的评分项：%(d)s") % {"d": "、".join(sorted(unknown))}]
    for name, maximum in dims.items():
        raw = scores.get(name)
        try:
            value = int(str(raw).strip())
        except (TypeError, ValueError):
            errors[name] = [_("请填写%(d)s的得分（0–%(m)s）") % {"d": name, "m": maximum}]
            continue
        if not 0 <= value <= maximum:
            errors[name] = [_("%(d)s的得分 %(v)s 超出范围 0–%(m)s") % {"d": name, "v": value, "m": maximum}]
            continue
        clean[name] = value
    if errors:
        raise ValidationFailed(_("评分有误，未做任何更改"), details=errors)
    return clean


def feedback(actor, task: Task, *, scores: Mapping[str, object], satisfaction: str, text: str = "",
             at: dt.datetime | None = None) -> Task:
    """The requester's feedback (反馈意见): a score per dimension and its satisfaction; the task is then closed."""
    now = _now(at, actor)
    clean = _clean_scores(scores)
    if satisfaction not in Satisfaction.values:
        _fail("satisfaction", _("请选择满意度"))
    with transaction.atomic():
        task = _lock_task(actor, task.pk)
        if actor is not None and not permissions.unit_allows(actor, Action.CHANGE, TASK, task.requester_unit.path):
            raise PermissionDenied(_("只有交办（提出）单位可以评价办理结果"))
        if task.state != TaskState.REPLIED:
            raise Conflict(_("只有全部承办单位已答复的任务可以评价（当前：%(s)s）") % {"s": task.get_state_display()},
                           code="bad_state")
        task = _system_update(actor, task, {"scores": clean, "satisfaction": satisfaction, "feedback_text": text or "",
                                            "feedback_at": now, "state": TaskState.CLOSED, "closed_at": now})
        timeline.add(actor, task, "feedback", _("反馈意见：%(s)s") % {"s": task.get_satisfaction_display()},
                     {"scores": clean, "satisfaction": satisfaction})
    return task


def close(actor, task: Task, note: str = "") -> Task:
    with transaction.atomic():
        task = _lock_task(actor, task.pk, Action.CHANGE)
        _require_supervisor(actor, task)
        if task.state != TaskState.REPLIED:
            raise Conflict(_("只有已答复的任务可以办结"), code="bad_state")
        task = _system_update(actor, task, {"state": TaskState.CLOSED, "closed_at": timezone.now()})
        timeline.add(actor, task, "closed", note or _("办结"))
    return task


def reopen(actor, task: Task, reason: str) -> Task:
    """重新办理: the supervisor sends a replied or closed task back to its handling units."""
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写重新办理的理由"))
    with transaction.atomic():
        task = _lock_task(actor, task.pk, Action.CHANGE)
        _require_supervisor(actor, task)
        if task.state not in (TaskState.REPLIED, TaskState.CLOSED):
            raise Conflict(_("只有已答复或已办结的任务可以重新办理"), code="bad_state")
        for a in Assignment.objects.filter(task=task, state=AssignmentState.REPLIED):
            _system_update(actor, a, {"state": AssignmentState.IN_PROGRESS})
        task = _system_update(actor, task, {"state": TaskState.REOPENED, "closed_at": None})
        timeline.add(actor, task, "reopened", reason)
    return task


def cancel(actor, task: Task, reason: str) -> Task:
    reason = (reason or "").strip()
    if not reason:
        _fail("reason", _("请填写撤销理由"))
    with transaction.atomic():
        task = _lock_task(actor, task.pk, Action.CHANGE)
        _require_supervisor(actor, task)
        if task.state in FINAL_TASK:
            raise Conflict(_("已办结或已撤销的任务不能撤销"), code="bad_state")
        for a in Assignment.objects.filter(task=task, state__in=OPEN_ASSIGNMENT):
            _system_update(actor, a, {"state": AssignmentState.CANCELLED})
        task = _system_update(actor, task, {"state": TaskState.CANCELLED})
        timeline.add(actor, task, "cancelled", reason)
    return task


def mark(actor, assignment: Assignment, field: str, when: dt.datetime) -> bool:
    """Record a reminder or an escalation once (conditional UPDATE: a retried job finds it done)."""
    assert field in ("reminded_at", "escalated_at")
    with transaction.atomic():
        before = audit.snapshot(assignment)
        won = Assignment.objects.filter(pk=assignment.pk, **{f"{field}__isnull": True}).update(**{field: when})
        if won:
            a = Assignment.objects.get(pk=assignment.pk)
            audit.record("update", a, before, audit.snapshot(a), actor)
    return bool(won)


REMIND_DAYS = 3


def send_reminders(now: dt.datetime | None = None) -> int:
    """到期提醒: each open assignment due within 3 days is reminded once (its handling unit's staff and admins)."""
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    now = now or timezone.now()
    today = _local_date(now)
    due = Assignment.objects.filter(state__in=OPEN_ASSIGNMENT, reminded_at__isnull=True, deadline__gte=today,
                                    deadline__lte=today + dt.timedelta(days=REMIND_DAYS)).exclude(
        task__state__in=(*FINAL_TASK, TaskState.DRAFT)).select_related("task", "owner_unit")
    sent = 0
    for a in due:
        with transaction.atomic():
            if not mark(None, a, "reminded_at", now):
                continue  # another run got it first
            notifications.notify(
                "supervision.deadline_reminder", key=f"supervision:remind:{a.pk}",
                recipients=[Recipient.of_unit(a.owner_unit, ["unit_admin", "unit_staff"])],
                title=_("督办事项即将到期：%(t)s") % {"t": a.task.title[:80]},
                body=_("%(role)s，办理期限 %(d)s，请按时答复。") % {"role": a.get_role_display(), "d": a.deadline},
                url=f"/supervision/tasks/{a.task_id}/", subject=a.task, sender_unit=a.task.owner_unit)
            timeline.add(None, a.task, "reminded", _("到期提醒：%(u)s") % {"u": a.owner_unit})
            sent += 1
    return sent


def escalate_overdue(now: dt.datetime | None = None) -> int:
    """超期督办: each open assignment past its deadline is escalated once — to the handling unit's leadership (its
    admins and its parent's) and to the supervising unit."""
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    now = now or timezone.now()
    late = Assignment.objects.filter(state__in=OPEN_ASSIGNMENT, escalated_at__isnull=True,
                                     deadline__lt=_local_date(now)).exclude(
        task__state__in=(*FINAL_TASK, TaskState.DRAFT)).select_related("task", "owner_unit__parent",
                                                                         "task__owner_unit")
    sent = 0
    for a in late:
        with transaction.atomic():
            if not mark(None, a, "escalated_at", now):
                continue
            recipients = [Recipient.of_unit(a.owner_unit, ["unit_admin"]),
                          Recipient.of_unit(a.task.owner_unit, ["unit_admin", "unit_staff"])]
            if a.owner_unit.parent is not None:
                recipients.append(Recipient.of_unit(a.owner_unit.parent, ["unit_admin"]))
            notifications.notify(
                "supervision.escalation", key=f"supervision:escalate:{a.pk}", recipients=recipients,
                title=_("督办事项已超期：%(t)s") % {"t": a.task.title[:80]},
                body=_("%(u)s（%(role)s）办理期限 %(d)s 已过，尚未答复。") % {
                    "u": a.owner_unit, "role": a.get_role_display(), "d": a.deadline},
                url=f"/supervision/tasks/{a.task_id}/", subject=a.task, sender_unit=a.task.owner_unit)
            timeline.add(None, a.task, "escalated", _("超期督办：%(u)s") % {"u": a.owner_unit})
            sent += 1
    return sent
