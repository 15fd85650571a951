"""Supervision pages: my unit's desk (inbox with counts), the task list with filters and Excel export, the task
page (timeline, sign, progress, reply, feedback), the unit ranking and the monthly report. Thin: services decide."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import attachments, live, permissions, timeline, web
from yingji.core.errors import NotFound, PermissionDenied, YingjiError
from yingji.core.roles import Action
from yingji.supervision import forms, reports, selectors, services
from yingji.supervision.models import AssignmentState, Task, TaskState, dimensions

TASK = "supervision.task"


@login_required
def inbox(request):
    request.nav_key = "supervision"
    boxes = selectors.inbox(request.user)
    tab = request.GET.get("box", "to_sign")
    if tab not in boxes:
        tab = "to_sign"
    counts = {k: qs.count() for k, qs in boxes.items()}
    return render(request, "supervision/inbox.html", {
        "boxes": [(k, label, counts[k]) for k, label in _tabs()], "tab": tab, "tab_label": dict(_tabs())[tab],
        "rows": list(boxes[tab][:100]), "today": timezone.localdate(), "section": "inbox"})


def _tabs():
    return [("to_sign", _("待签收")), ("in_progress", _("办理中")), ("due_soon", _("3日内到期")),
            ("overdue", _("已超期")), ("awaiting_feedback", _("待评价"))]


def _counts_version(request):
    return selectors.inbox_version(request.user)


@login_required
@live.live(_counts_version)
def inbox_counts(request):
    counts = selectors.inbox_counts(request.user)
    return render(request, "supervision/_counts.html", {"boxes": [(k, label, counts[k]) for k, label in _tabs()],
                                                        "tab": request.GET.get("box", "")})


def _filtered(request):
    f = forms.FilterForm(request.GET or None)
    d = f.cleaned_data if f.is_valid() else {}
    qs = selectors.tasks(request.user, q=d.get("q", ""), state=d.get("state", ""), unit=d.get("unit", ""),
                         overdue=bool(d.get("overdue")))
    return f, qs


@login_required
def task_list(request):
    request.nav_key = "supervision"
    f, qs = _filtered(request)
    page = web.page_of(request, qs, 25)
    can_add = permissions.units_for(request.user, TASK, Action.ADD).exists()
    return render(request, "supervision/list.html", {"page": page, "rows": page.object_list, "form": f,
                                                     "states": forms.TaskState.choices, "can_add": can_add,
                                                     "query": request.GET.urlencode(), "section": "tasks"})


@login_required
def task_export(request):
    _f, qs = _filtered(request)
    content = reports.tasks_xlsx(qs[:5000])
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="supervision-tasks.xlsx"'
    return response


@login_required
def task_new(request):
    request.nav_key = "supervision"
    owners = permissions.units_for(request.user, TASK, Action.ADD).order_by("path")
    if not owners.exists():
        raise PermissionDenied()
    form = forms.TaskForm(request.POST or None, owner_units=owners,
                          initial={"owner_unit": owners.filter(pk__in=selectors.my_units(request.user)).first()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            t = services.create_task(request.user, owner_unit=d["owner_unit"], requester_unit=d["requester_unit"],
                                     title=d["title"], description=d["description"], reference=d["reference"],
                                     source=d["source"], requester_name=d["requester_name"], urgency=d["urgency"])
        except YingjiError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已登记，请交办承办单位"))
            return redirect("supervision:task", t.pk)
    return render(request, "supervision/new.html", {"form": form})


def _form_errors(form, exc: YingjiError) -> None:
    """Put a refused step's details on the form: by field where the form has it, else above the form."""
    details = exc.details if isinstance(exc.details, dict) else {}
    loose = []
    for field, errs in details.items():
        for e in errs if isinstance(errs, list) else [errs]:
            if field in form.fields:
                form.add_error(field, str(e))
            else:
                loose.append(str(e))
    for e in loose or ([] if details else [exc.message]):
        form.add_error(None, e)


def _page_context(request, t: Task, **forms_given) -> dict:
    user = request.user
    units = set(selectors.my_units(user))
    rows = []
    for a in t.assignments.all():
        if a.state == AssignmentState.CANCELLED:
            continue
        mine = permissions.unit_allows(user, Action.CHANGE, "supervision.assignment", a.owner_unit.path)
        rows.append({"a": a, "mine": mine, "notes": list(a.notes.all()),
                     "on_time": None if a.replied_at is None else timezone.localdate(a.replied_at) <= a.deadline,
                     "overdue": a.state in selectors.OPEN and a.deadline < timezone.localdate()})
    supervisor = permissions.unit_allows(user, Action.CHANGE, TASK, t.owner_unit.path)
    requester = permissions.unit_allows(user, Action.CHANGE, TASK, t.requester_unit.path)
    act = next((r["a"] for r in rows if r["mine"] and r["a"].state in (AssignmentState.SIGNED,
                AssignmentState.IN_PROGRESS) and t.state not in (TaskState.CLOSED, TaskState.CANCELLED)), None)
    return {
        "t": t, "rows": rows, "act": act, "entries": list(timeline.entries(user, t)), "is_supervisor": supervisor,
        "is_requester": requester, "my_units": units,
        "can_assign": supervisor and t.state in (TaskState.DRAFT, TaskState.RETURNED),
        "can_feedback": requester and t.state == TaskState.REPLIED,
        "can_reopen": supervisor and t.state in (TaskState.REPLIED, TaskState.CLOSED),
        "can_cancel": supervisor and t.state not in (TaskState.CLOSED, TaskState.CANCELLED),
        "assign_form": forms_given.get("assign") or forms.AssignForm(prefix="assign"),
        "reply_form": forms_given.get("reply") or forms.ReplyForm(prefix="reply"),
        "progress_form": forms_given.get("progress") or forms.ProgressForm(prefix="progress"),
        "feedback_form": forms_given.get("feedback") or forms.FeedbackForm(prefix="feedback"),
        "reason_form": forms_given.get("reason") or forms.ReasonForm(prefix="reason"),
        "form_for": forms_given.get("form_for"),
        "dimensions": [(name, maximum, t.scores.get(name)) for name, maximum in dimensions()],
        "files": list(attachments.for_subject(user, t)[:50]),
        "can_attach": supervisor or requester or any(r["mine"] for r in rows),
    }


@login_required
def task_detail(request, pk: int):
    request.nav_key = "supervision"
    t = selectors.task(request.user, pk)
    return render(request, "supervision/detail.html", _page_context(request, t))


@login_required
@require_POST
def task_action(request, pk: int, action: str):
    """One POST per workflow step; a refused step re-renders the page with the error and changes nothing."""
    user = request.user
    t = selectors.task(user, pk)
    bound: dict = {}
    try:
        if action == "assign":
            form = bound["assign"] = forms.AssignForm(request.POST, prefix="assign")
            if not form.is_valid():
                raise _Invalid
            services.assign(user, t, lead=(form.cleaned_data["lead_unit"], form.cleaned_data["lead_deadline"]),
                            co=form.co())
            messages.success(request, _("已交办，已通知承办单位签收"))
        elif action in ("sign", "progress", "reply", "return"):
            a = selectors.assignment(user, request.POST.get("assignment"))
            if a.task_id != t.pk:
                raise NotFound()
            bound["form_for"] = a.pk
            if action == "sign":
                a = services.sign(user, a)
                if a.signed_by_id == user.pk:
                    messages.success(request, _("已签收"))
                else:
                    messages.info(request, _("%(who)s 已代表本单位签收") % {"who": a.signed_by})
            elif action == "progress":
                form = bound["progress"] = forms.ProgressForm(request.POST, prefix="progress")
                if not form.is_valid():
                    raise _Invalid
                services.add_progress(user, a, form.cleaned_data["text"])
                messages.success(request, _("已记录办理进展"))
            elif action == "reply":
                form = bound["reply"] = forms.ReplyForm(request.POST, prefix="reply")
                if not form.is_valid():
                    raise _Invalid
                d = form.cleaned_data
                services.reply(user, a, result_code=d["result_code"].code, text=d["text"],
                               comm_mode=d["comm_mode"], comm_at=d["comm_at"])
                messages.success(request, _("已答复"))
            else:
                form = bound["reason"] = forms.ReasonForm(request.POST, prefix="reason")
                if not form.is_valid():
                    raise _Invalid
                services.return_task(user, a, form.cleaned_data["reason"])
                messages.success(request, _("已退回督办单位"))
        elif action == "feedback":
            form = bound["feedback"] = forms.FeedbackForm(request.POST, prefix="feedback")
            if not form.is_valid():
                raise _Invalid
            scores = {name: request.POST.get(f"feedback-score_{i}", "") for i, (name, _m) in enumerate(dimensions())}
            services.feedback(user, t, scores=scores, satisfaction=form.cleaned_data["satisfaction"],
                              text=form.cleaned_data["text"])
            messages.success(request, _("已评价，任务办结"))
        elif action in ("reopen", "cancel", "close"):
            form = bound["reason"] = forms.ReasonForm(request.POST, prefix="reason")
            if action != "close" and not form.is_valid():
                raise _Invalid
            reason = form.cleaned_data.get("reason", "") if form.is_valid() else ""
            {"reopen": services.reopen, "cancel": services.cancel, "close": services.close}[action](user, t, reason)
            messages.success(request, _("已更新"))
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("请选择文件"))
            else:
                attachments.attach(user, t, upload.name, upload.read(), note=request.POST.get("note", ""))
                messages.success(request, _("已上传附件"))
        else:
            raise NotFound()
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
    except _Invalid:
        messages.error(request, _("输入数据有误，未做任何更改"))
        return _rerender(request, pk, bound, status=422)
    except (NotFound, PermissionDenied):
        raise
    except YingjiError as exc:
        form = next((f for k, f in bound.items() if k != "form_for"), None)
        if form is not None:
            _form_errors(form, exc)
        messages.error(request, exc.message)
        return _rerender(request, pk, bound, status=exc.status)
    return redirect("supervision:task", pk)


class _Invalid(Exception):
    pass


def _rerender(request, pk, bound, status):
    request.nav_key = "supervision"
    t = selectors.task(request.user, pk)
    return render(request, "supervision/detail.html", _page_context(request, t, **bound), status=status)


def _period(request) -> tuple[dt.date, dt.date, str]:
    """?month=YYYY-MM (default: this month) or ?start=…&end=… (inclusive)."""
    today = timezone.localdate()
    try:
        if request.GET.get("start") and request.GET.get("end"):
            start = dt.date.fromisoformat(request.GET["start"])
            end = dt.date.fromisoformat(request.GET["end"])
            return start, end, f"{start}—{end}"
        year, month = map(int, (request.GET.get("month") or f"{today:%Y-%m}").split("-"))
        start = dt.date(year, month, 1)
    except ValueError:
        start = today.replace(day=1)
    end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end, f"{start:%Y-%m}"


@login_required
def ranking(request):
    request.nav_key = "supervision"
    start, end, label = _period(request)
    rows = reports.ranking(request.user, start, end)
    return render(request, "supervision/ranking.html", {"rows": rows, "start": start, "end": end, "label": label,
                                                        "dimensions": [d for d, _m in dimensions()],
                                                        "query": request.GET.urlencode(), "section": "ranking"})


@login_required
def report_xlsx(request):
    start, end, label = _period(request)
    response = HttpResponse(reports.report_xlsx(request.user, start, end, label),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="supervision-report-{label}.xlsx"'
    return response


@login_required
def report_pdf(request):
    start, end, label = _period(request)
    response = HttpResponse(reports.report_pdf(request.user, start, end, label), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="supervision-report-{label}.pdf"'
    return response


def decision_form(user, obj):
    """The meeting page's action: a decision and, in one step, the supervised task that carries it out."""
    from yingji.supervision.models import Meeting

    return forms.DecisionForm() if isinstance(obj, Meeting) else None


@login_required
@require_POST
def kind_action(request, key: str, pk: int):
    from yingji.core.kinds.views import report_error
    from yingji.supervision import meetings
    from yingji.supervision.models import Meeting

    if key != "meetings":
        raise NotFound()
    meeting = crud_get(request.user, Meeting, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("输入数据有误，未做任何更改") + "：" + "；".join(
            str(e) for errs in form.errors.values() for e in errs))
        return redirect("supervision:detail", key, pk)
    d = form.cleaned_data
    co = [(d["co_unit"], d["co_deadline"])] if d.get("co_unit") else []
    try:
        decision = meetings.decide(request.user, meeting, text=d["text"], lead=(d["lead_unit"], d["lead_deadline"]),
                                   co=co)
    except YingjiError as exc:
        report_error(request, exc)
        return redirect("supervision:detail", key, pk)
    messages.success(request, _("已形成督办任务 %(r)s") % {"r": decision.task.reference})
    return redirect("supervision:task", decision.task_id)


def crud_get(user, model, pk):
    from yingji.core import crud

    return crud.get_for(user, model, pk)


@login_required
def publish_list(request):
    """Publish a new version of a unit's responsibility list (the previous version is kept)."""
    from yingji.supervision import meetings
    from yingji.supervision.models import ResponsibilityList

    request.nav_key = "supervision"
    units = permissions.units_for(request.user, "supervision.responsibilitylist", Action.ADD).order_by("path")
    if not units.exists():
        raise PermissionDenied()
    form = forms.DutyListForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            row = meetings.publish_list(request.user, d["unit"], title=d["title"], items=d["items"],
                                        effective_from=d["effective_from"])
        except YingjiError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已发布第 %(v)s 版") % {"v": row.version})
            return redirect("supervision:detail", "duty-lists", row.pk)
    versions = permissions.restrict(ResponsibilityList.objects.select_related("owner_unit"), request.user)[:50]
    return render(request, "supervision/publish_list.html", {"form": form, "versions": versions})


def workbench_panel(request) -> list[dict]:
    """The desk's supervision panel: my tasks by state, and the notifications waiting for my 签收."""
    from django.db.models import Count

    from yingji.notifications import selectors as ntf

    user = request.user
    if permissions.scopes(user, TASK, Action.VIEW) == []:
        return []
    units = selectors.my_units(user)
    by_state = dict(permissions.restrict(Task.objects.all(), user, Action.VIEW).filter(
        Q(assignments__owner_unit_id__in=units) | Q(requester_unit_id__in=units) | Q(owner_unit_id__in=units))
        .values_list("state").annotate(n=Count("pk", distinct=True)).order_by())
    states = [(value, label, by_state.get(value, 0)) for value, label in TaskState.choices if by_state.get(value)]
    pending = [n for n in ntf.inbox(user).filter(message__needs_signoff=True)[:50]
               if (so := ntf.signoff_for(n)) is not None and so.signed_at is None][:8]
    counts = selectors.inbox_counts(user, units)
    return [{"template": "supervision/_workbench.html", "states": states, "pending": pending,
             "boxes": [(k, label, counts[k]) for k, label in _tabs()]}]
