"""Reads of the supervision module, always narrowed to what the user may see (yingji.core.permissions)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from yingji.core import crud, permissions
from yingji.core.roles import Action
from yingji.supervision.models import Assignment, AssignmentState, ResultCode, Task, TaskState

__all__ = ["tasks", "task", "assignment", "my_units", "inbox", "inbox_counts", "result_codes", "inbox_version", "OPEN"]

OPEN = (AssignmentState.ASSIGNED, AssignmentState.SIGNED, AssignmentState.IN_PROGRESS)
DUE_SOON_DAYS = 3


def _with_assignments(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related("owner_unit", "requester_unit").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("owner_unit", "result_code",
                                                                           "signed_by").order_by("role", "id")))


def tasks(user, *, q: str = "", state: str = "", unit: str = "", overdue: bool = False,
          today: dt.date | None = None) -> QuerySet[Task]:
    """Tasks the user may see; `unit` is a unit id or code taking part as lead or co-handler."""
    qs = permissions.restrict(Task.objects.all(), user, Action.VIEW)
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(reference__icontains=q))
    if state:
        qs = qs.filter(state__in=[s for s in state.split(",") if s])
    if unit:
        cond = Q(assignments__owner_unit__code=unit)
        if str(unit).isdigit():
            cond |= Q(assignments__owner_unit_id=int(unit))
        qs = qs.filter(pk__in=Task.objects.filter(cond).values("pk"))
    if overdue:
        today = today or timezone.localdate()
        qs = qs.filter(pk__in=Assignment.objects.filter(state__in=OPEN, deadline__lt=today).values("task_id"))
        qs = qs.exclude(state__in=(TaskState.CLOSED, TaskState.CANCELLED, TaskState.DRAFT))
    return _with_assignments(qs).order_by("-created_at", "-id")


def task(user, pk) -> Task:
    crud.get_for(user, Task, pk, Action.VIEW)
    return _with_assignments(Task.objects.all()).get(pk=pk)


def assignment(user, pk) -> Assignment:
    return crud.get_for(user, Assignment, pk, Action.VIEW)


def my_units(user) -> list[int]:
    """The units where the user holds a role (their desk), not the whole subtree below."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted({g.unit_id for g in permissions.grants(user)})


def inbox(user, units: list[int] | None = None, today: dt.date | None = None) -> dict[str, QuerySet]:
    """My unit's desk: assignments to sign for, in progress, due within 3 days, overdue; tasks awaiting our
    feedback as requester."""
    units = my_units(user) if units is None else units
    today = today or timezone.localdate()
    mine = permissions.restrict(Assignment.objects.all(), user, Action.VIEW).filter(
        owner_unit_id__in=units).exclude(task__state__in=(TaskState.CANCELLED, TaskState.CLOSED)).select_related(
        "task", "owner_unit", "result_code").order_by("deadline", "id")
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return {
        "to_sign": mine.filter(state=AssignmentState.ASSIGNED),
        "in_progress": mine.filter(state__in=(AssignmentState.SIGNED, AssignmentState.IN_PROGRESS)),
        "due_soon": mine.filter(state__in=OPEN, deadline__gte=today, deadline__lte=soon),
        "overdue": mine.filter(state__in=OPEN, deadline__lt=today),
        "awaiting_feedback": _with_assignments(permissions.restrict(Task.objects.all(), user, Action.VIEW).filter(
            requester_unit_id__in=units, state=TaskState.REPLIED)).order_by("-id"),
    }


def inbox_counts(user, units: list[int] | None = None) -> dict[str, int]:
    return {k: qs.count() for k, qs in inbox(user, units).items()}


def inbox_version(user) -> str:
    """A cheap fingerprint of the desk for conditional polling (yingji.core.live)."""
    units = my_units(user)
    latest = Assignment.objects.filter(owner_unit_id__in=units).order_by("-updated_at").values_list(
        "updated_at", flat=True).first()
    fed = Task.objects.filter(requester_unit_id__in=units).order_by("-updated_at").values_list(
        "updated_at", flat=True).first()
    return f"{latest}|{fed}|{timezone.localdate()}"


def result_codes() -> QuerySet[ResultCode]:
    return ResultCode.objects.filter(is_active=True).order_by("code")
