"""Incident pages: the event board, the duty officer's intake form (map click, duplicates offered for merging), the
command dashboard (live by polling), the dispatch order page the owning unit answers, optimise, the situation
report editor and downloads, the replay and the review. Thin: the services decide."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.core import crud, live, permissions, timeline, vocabulary
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.incidents import (
    closing,
    command,
    dispatching,
    documents,
    forms,
    grading,
    materials,
    reporting,
    selectors,
    services,
)
from yingji.incidents.models import Dispatch, DispatchStatus, Incident, InfoReport, Phase, SituationReport

INCIDENT = "incidents.incident"


def _nav(request):
    request.nav_key = "incidents"


def _error_text(exc: YingjiError) -> str:
    details = exc.details if isinstance(exc.details, dict) else {}
    extra = "；".join(f"{m}" for msgs in details.values() for m in (msgs if isinstance(msgs, list) else [msgs]))
    return f"{exc.message}{'：' + extra if extra and extra not in exc.message else ''}"


@login_required
def board(request):
    _nav(request)
    return render(request, "incidents/board.html", {
        "rows": selectors.board(request.user), "can_add": bool(permissions.scopes(request.user, INCIDENT, Action.ADD)
                                                              != []),
        "closed": selectors.visible(request.user).filter(phase=Phase.CLOSED).order_by("-closed_at")[:20],
        "orders": dispatching.open_for_unit(request.user)[:20]})


def _figures(d: dict) -> dict:
    return {k: d.get(k) or 0 for k in ("deaths", "missing", "serious_injuries", "injuries", "trapped",
                                       "direct_loss_wan_yuan")}


@login_required
def new(request):
    _nav(request)
    form = forms.IntakeForm(request.POST or None)
    dups = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lng, lat = d["location"]
        occurred = d["occurred_at"] or timezone.now()
        merge_into = request.POST.get("merge_into", "")
        if not request.POST.get("confirm") and not merge_into:
            dups = services.duplicates(request.user, hazard_type=d["hazard_type"], lat=lat, lng=lng,
                                       occurred_at=occurred, is_exercise=d["is_exercise"])
        if not dups:
            try:
                inc = services.report(
                    request.user, owner_unit=services.home_unit(request.user), title=d["title"],
                    hazard_type=d["hazard_type"], lat=lat, lng=lng, occurred_at=occurred, source=d["source"],
                    caller_name=d["caller_name"], callback_phone=d["callback_phone"], address=d["address"],
                    description=d["description"], is_exercise=d["is_exercise"], **_figures(d))
                if merge_into:
                    keep = crud.get_for(request.user, Incident, merge_into, Action.CHANGE)
                    inc = services.merge(request.user, keep, inc)
                    messages.success(request, _("已并入事件“%(t)s”，两份记录的时间线均保留") % {"t": inc.title})
                else:
                    messages.success(request, _("已接报并定级：%(l)s") % {"l": inc.get_level_display()})
                return redirect("incidents:incident", inc.pk)
            except YingjiError as exc:
                for field, msgs in (exc.details or {}).items() if isinstance(exc.details, dict) else []:
                    target = "location" if field in ("lat", "lng") else field
                    form.add_error(target if target in form.fields else None, msgs if isinstance(msgs, list) else [msgs])
                if not form.errors:
                    form.add_error(None, exc.message)
    status = 422 if request.method == "POST" and (form.errors) else 200
    return render(request, "incidents/new.html", {"form": form, "duplicates": dups}, status=status)


def _dashboard_ctx(request, pk) -> dict:
    ctx = selectors.dashboard(request.user, pk)
    inc = ctx["incident"]
    ctx["map_data"] = _map_data(ctx)
    ctx["can_dispatch"] = permissions.can(request.user, Action.DISPATCH, inc)
    ctx["can_change"] = permissions.can(request.user, Action.CHANGE, inc)
    ctx["hazard_label"] = vocabulary.hazard_names().get(inc.hazard_type, inc.hazard_type)
    return ctx


def _map_data(ctx) -> dict:
    inc = ctx["incident"]
    return {
        "incident": {"lng": inc.lng, "lat": inc.lat, "title": inc.title, "level": inc.level},
        "dispatches": [{"lng": d.lng, "lat": d.lat, "name": d.resource_name, "status": d.status,
                        "label": str(d.get_status_display()), "colour": selectors.STATUS_COLOURS.get(d.status)}
                       for d in ctx["dispatches"] if d.lng is not None],
        "hazards": [{"lng": h.get("lng"), "lat": h.get("lat"), "name": h.get("name"), "url": h.get("url")}
                    for h in ctx["hazards"] if h.get("lng") is not None],
        "places": ctx["places"],
        "legend": {k: str(DispatchStatus(k).label) for k in selectors.STATUS_COLOURS},
        "colours": selectors.STATUS_COLOURS,
    }


@login_required
def detail(request, pk):
    _nav(request)
    ctx = _dashboard_ctx(request, pk)
    inc = ctx["incident"]
    rec_form = forms.RecommendForm(request.GET if "capability" in request.GET else None)
    rec = None
    if rec_form.is_bound and rec_form.is_valid():
        try:
            rec = dispatching.recommend(request.user, inc, rec_form.cleaned_data["capability"],
                                        rec_form.cleaned_data["quantity"])
        except YingjiError as exc:
            rec_form.add_error(None, _error_text(exc))
    material_q = request.GET.get("material", "")
    ctx.update({
        "material_q": material_q[:materials.MAX_QUERY],
        "lots": materials.lots_near(request.user, inc, material_q) if material_q and ctx["can_dispatch"] else None,
        "rec_form": rec_form, "rec": rec, "figures_form": forms.FiguresForm(initial={
            k: getattr(inc, k) for k in services.FIGURES}),
        "groups": list(inc.groups.select_related("lead_unit")), "post": getattr(inc, "command_post", None)
        if hasattr(inc, "command_post") else None, "requests": list(inc.requests.all()),
        "sitreps": list(inc.sitreps.all()), "review": getattr(inc, "review", None) if hasattr(inc, "review") else None,
        "standard_groups": command.STANDARD_GROUPS, "units": _units(),
        "merged": list(Incident.objects.filter(merged_into=inc)), "today": timezone.localdate(),
        "phases": [(Phase.RESPONDING, Phase.RESPONDING.label), (Phase.RECOVERY, Phase.RECOVERY.label)],
        "level_basis": grading.basis_text(inc),
    })
    return render(request, "incidents/detail.html", ctx)


def _units():
    return OrgUnit.objects.filter(is_active=True).exclude(kind__in=("community", "enterprise")).order_by("path")


def _live_version(request, pk):
    return selectors.version(request, pk)


@login_required
@live.live(_live_version)
def live_panel(request, pk):
    return render(request, "incidents/_live.html", _dashboard_ctx(request, pk))


def _date(value: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationFailed(details={field: [_("请填写日期")]}) from None


def _unit(value: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=value).first() if str(value).isdigit() else None
    if unit is None:
        raise ValidationFailed(details={"unit": [_("请选择单位")]})
    return unit


def _do(request, inc, action):
    p = request.POST
    u = request.user
    if action == "dispatch":
        dispatching.dispatch(u, inc, resource_type=p.get("resource_type", ""), resource_id=p.get("resource_id"),
                             capability=p.get("capability", ""), quantity=p.get("quantity") or None)
        return _("已下达调派令，等待所属单位接受")
    if action == "figures":
        f = forms.FiguresForm(p)
        if not f.is_valid():
            raise ValidationFailed(details={k: list(v) for k, v in f.errors.items()})
        d = dict(f.cleaned_data)
        reason = d.pop("reason")
        new = services.update_figures(u, inc, d, reason)
        return _("数字已更新，当前级别：%(l)s") % {"l": new.get_level_display()}
    if action == "note":
        upload = request.FILES.get("file")
        services.add_note(u, inc, p.get("text", ""), (upload.name, upload.read()) if upload else None)
        return _("已记录")
    if action == "phase":
        services.set_phase(u, inc, p.get("phase", ""), p.get("note", ""))
        return _("阶段已更新")
    if action == "report":
        r = InfoReport.objects.filter(pk=p.get("report") or 0, incident=inc).first()
        if r is None:
            raise ValidationFailed(details={"report": [_("报告不存在")]})
        reporting.submit(u, r, text=p.get("text", ""), recipient=p.get("recipient", ""))
        return _("已报送")
    if action == "post":
        command.set_up_post(u, inc, name=p.get("name", ""), commander=p.get("commander", ""),
                            location=p.get("location", ""), groups=p.getlist("groups"))
        return _("指挥部已成立")
    if action == "group":
        command.add_group(u, inc, name=p.get("name", ""), lead_unit=_unit(p.get("unit")), leader=p.get("leader", ""))
        return _("工作组已添加")
    if action == "group_edit":
        g = inc.groups.filter(pk=p.get("group") if str(p.get("group", "")).isdigit() else 0).first()
        if g is None:
            raise ValidationFailed(details={"group": [_("工作组不存在")]})
        command.update_group(u, g, lead_unit=_unit(p.get("unit")), leader=p.get("leader", ""),
                             members=command.parse_members(p.get("members", "")), duties=p.get("duties", ""))
        return _("工作组已更新")
    if action == "task":
        command.add_task(u, inc, unit=_unit(p.get("unit")), title=p.get("title", ""), due=_date(p.get("due"), "due"))
        return _("任务已交办")
    if action == "request":
        command.add_request(u, inc, capability=p.get("capability", ""), quantity=p.get("quantity"),
                            priority=int(p.get("priority") or 3))
        return _("需求已登记")
    if action == "sitrep":
        s = closing.draft_sitrep(u, inc)
        return redirect("incidents:sitrep", inc.pk, s.pk)
    if action == "close":
        closing.close(u, inc, p.get("note", ""))
        return _("事件已结案")
    raise ValidationFailed(details={"action": [_("未知的操作")]})


@login_required
@require_POST
def action(request, pk, action):
    inc = crud.get_for(request.user, Incident, pk, Action.VIEW)
    try:
        result = _do(request, inc, action)
    except YingjiError as exc:
        messages.error(request, _error_text(exc))
        return redirect("incidents:incident", pk)
    if isinstance(result, HttpResponse):
        return result
    messages.success(request, result)
    if action == "dispatch" and request.POST.get("material"):
        from django.urls import reverse
        from django.utils.http import urlencode

        query = urlencode({"material": request.POST.get("material", "")[:materials.MAX_QUERY]})
        return redirect(f"{reverse('incidents:incident', args=[pk])}?{query}#materials")
    if action == "dispatch" and request.POST.get("rec_quantity"):
        # Back to the same recommendation (minus what was just sent), for the next dispatch in one click.
        from django.urls import reverse
        from django.utils.http import urlencode

        query = urlencode({"capability": request.POST.get("capability", ""),
                           "quantity": request.POST.get("rec_quantity")})
        return redirect(f"{reverse('incidents:incident', args=[pk])}?{query}#recommendation")
    return redirect("incidents:incident", pk)


@login_required
def dispatch_order(request, pk):
    _nav(request)
    d = crud.get_for(request.user, Dispatch, pk, Action.VIEW)
    if request.method == "POST":
        try:
            dispatching.set_status(request.user, d, request.POST.get("status", ""), request.POST.get("note", ""))
            messages.success(request, _("已更新调派状态"))
        except YingjiError as exc:
            messages.error(request, _error_text(exc))
        return redirect("incidents:dispatch", pk)
    d.refresh_from_db()
    answer = dispatching._may_answer(request.user, d)
    track = dispatching._may_track(request.user, d)
    steps = [s for s in dispatching.NEXT_STATUS.get(d.status, ())
             if (s in (DispatchStatus.ACCEPTED, DispatchStatus.DECLINED) and answer)
             or (s == DispatchStatus.CANCELLED and permissions.can(request.user, Action.DISPATCH, d.incident))
             or (s not in (DispatchStatus.ACCEPTED, DispatchStatus.DECLINED, DispatchStatus.CANCELLED) and track)]
    return render(request, "incidents/dispatch.html", {
        "d": d, "inc": d.incident, "steps": [(s, DispatchStatus(s).label) for s in steps],
        "times": [(DispatchStatus(k).label, getattr(d, f)) for k, f in dispatching.STAMP.items()
                  if k != DispatchStatus.CANCELLED and getattr(d, f)]})


@login_required
def optimise(request):
    _nav(request)
    if request.method == "POST":
        res = command.accept_plan(request.user, request.POST.getlist("line"))
        if res["dispatched"]:
            messages.success(request, _("已下达 %(n)s 条调派令") % {"n": len(res["dispatched"])})
        for f in res["failed"]:
            messages.error(request, f["message"])
        return redirect("incidents:optimise")
    try:
        plan = command.optimise(request.user)
    except YingjiError as exc:
        plan, _msg = None, messages.error(request, _error_text(exc))
    names = vocabulary.capability_names()
    return render(request, "incidents/optimise.html", {"plan": plan, "cap_names": {k: v["name"] for k, v in
                                                                                  names.items()}})


@login_required
def sitrep(request, pk, sid):
    _nav(request)
    inc = crud.get_for(request.user, Incident, pk, Action.VIEW)
    s = crud.get_for(request.user, SituationReport, sid, Action.VIEW)
    if s.incident_id != inc.pk:
        from yingji.core.errors import NotFound

        raise NotFound()
    form = forms.SitrepForm(request.POST or None, initial={k: getattr(s, k) for k in closing.SITREP_FIELDS})
    if request.method == "POST":
        try:
            if request.POST.get("send"):
                closing.send_sitrep(request.user, s, request.POST.get("sent_to", ""))
                messages.success(request, _("信息快报已报送"))
            elif form.is_valid():
                closing.edit_sitrep(request.user, s, form.cleaned_data)
                messages.success(request, _("已保存"))
            else:
                return render(request, "incidents/sitrep.html", {"inc": inc, "s": s, "form": form}, status=422)
        except YingjiError as exc:
            messages.error(request, _error_text(exc))
        return redirect("incidents:sitrep", pk, sid)
    return render(request, "incidents/sitrep.html", {"inc": inc, "s": s, "form": form,
                                                     "sections": documents.sections(s)})


@login_required
def sitrep_file(request, pk, sid, fmt):
    if fmt not in ("pdf", "docx"):
        from yingji.core.errors import NotFound

        raise NotFound()
    s = crud.get_for(request.user, SituationReport, sid, Action.VIEW)
    if s.incident_id != int(pk):
        from yingji.core.errors import NotFound

        raise NotFound()
    if fmt == "pdf":
        resp = HttpResponse(documents.sitrep_pdf(s), content_type="application/pdf")
    else:
        resp = HttpResponse(documents.sitrep_docx(s), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    resp["Content-Disposition"] = f'attachment; filename="sitrep-{s.incident_id}-{s.number}.{fmt}"'
    return resp


@login_required
def replay(request, pk):
    _nav(request)
    inc = crud.get_for(request.user, Incident, pk, Action.VIEW)
    frames = []
    for e in selectors.timeline_of(request.user, inc):
        data = timeline.data_of(e) or {}
        frames.append({"at": timezone.localtime(e.at).strftime("%m-%d %H:%M:%S"), "kind": e.kind, "text": e.text,
                       "actor": e.actor_name, "hash": e.hash[:12], "dispatch": data.get("dispatch"),
                       "status": data.get("status") or ("dispatched" if e.kind == "dispatch" else None),
                       "lng": data.get("lng"), "lat": data.get("lat")})
    return render(request, "incidents/replay.html", {
        "inc": inc, "frames": frames, "colours": selectors.STATUS_COLOURS,
        "map_data": {"incident": {"lng": inc.lng, "lat": inc.lat, "title": inc.title}, "frames": frames,
                     "colours": selectors.STATUS_COLOURS,
                     "legend": {k: str(DispatchStatus(k).label) for k in selectors.STATUS_COLOURS}}})


@login_required
def review(request, pk):
    _nav(request)
    inc = crud.get_for(request.user, Incident, pk, Action.VIEW)
    rv = getattr(inc, "review", None) if hasattr(inc, "review") else None
    if request.method == "POST":
        p = request.POST
        try:
            follow = []
            for unit, title, due in zip(p.getlist("fu_unit"), p.getlist("fu_title"), p.getlist("fu_due"),
                                        strict=False):
                if title.strip():
                    follow.append((_unit(unit), title, _date(due, "follow_ups")))
            closing.review(request.user, inc, lessons=p.get("lessons", ""), follow_ups=follow)
            messages.success(request, _("复盘评估已完成"))
            return redirect("incidents:review", pk)
        except YingjiError as exc:
            messages.error(request, _error_text(exc))
    return render(request, "incidents/review.html", {
        "inc": inc, "review": rv, "timings": rv.timings if rv else (closing.timings(inc)
                                                                     if inc.phase == Phase.CLOSED else None),
        "targets": closing.targets(), "units": _units(), "today": timezone.localdate()})


def workbench_panels(request) -> list[dict]:
    """The event board of active incidents and my unit's dispatch orders, on the home page."""
    user = request.user
    if permissions.scopes(user, INCIDENT, Action.VIEW) == [] and not selectors.active(user).exists():
        return []
    return [{"template": "incidents/_workbench.html", "rows": selectors.board(user, limit=8),
             "orders": list(dispatching.open_for_unit(user)[:8])}]
