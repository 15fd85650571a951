"""Pages of the warnings module: the list, a warning's page with its workflow actions, the form, the
acknowledgement page, the CAP import, the disaster-chain graph, the map layers and the workbench panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yingji.alerts import ack, chains, intake, services
from yingji.alerts.forms import CapImportForm, ReasonForm, WarningForm
from yingji.alerts.models import Proposal, ProposalState, State, Warning
from yingji.core import crud, links, permissions, timeline, vocabulary, web
from yingji.core.errors import YingjiError
from yingji.core.levels import COLOURS, WarningLevel
from yingji.core.roles import Action

WARNING = "alerts.warning"


def _nav(request):
    request.nav_key = "warnings"


@login_required
def home(request):
    _nav(request)
    qs = permissions.restrict(Warning.objects.select_related("owner_unit"), request.user, Action.VIEW)
    state, level = request.GET.get("state") or "", request.GET.get("level") or ""
    if state in State.values:
        qs = qs.filter(state=state)
    if level in [str(v) for v in WarningLevel.values]:
        qs = qs.filter(level=int(level))
    q = (request.GET.get("q") or "").strip()[:200]
    if q:
        qs = qs.filter(headline__icontains=q)
    counts = dict(permissions.restrict(Warning.objects.all(), request.user, Action.VIEW)
                  .values_list("state").annotate(n=Count("pk")).order_by())
    return render(request, "alerts/list.html", {
        "page": web.page_of(request, qs), "states": State.choices, "levels": WarningLevel.choices,
        "counts": [(v, label, counts.get(v, 0)) for v, label in State.choices], "names": vocabulary.hazard_names(),
        "can_add": permissions.can(request.user, Action.ADD, Warning), "section": "list"})


def _form_response(request, form, w=None, status=200):
    return render(request, "alerts/form.html", {"form": form, "w": w, "section": "list"}, status=status)


def _apply_errors(form, exc: YingjiError) -> None:
    details = exc.details if isinstance(exc.details, dict) else {}
    for field, errs in details.items():
        for err in errs if isinstance(errs, list) else [errs]:
            form.add_error(field if field in form.fields else None, str(err))
    if not details:
        form.add_error(None, exc.message)


def _area_input(cd) -> tuple:
    return (cd.get("area") or None), [u.pk for u in cd.get("towns") or []]


@login_required
def new(request):
    _nav(request)
    form = WarningForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        area, towns = _area_input(cd)
        try:
            w = services.create_draft(
                request.user, owner_unit=cd["owner_unit"], area=area, towns=towns,
                **{k: cd[k] for k in ("headline", "hazard_type", "level", "onset", "expires", "area_desc",
                                      "description", "instruction", "headline_en", "description_en",
                                      "instruction_en", "is_exercise")})
        except YingjiError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存预警草稿"))
            return redirect("alerts:detail", pk=w.pk)
    return _form_response(request, form, status=422 if form.errors else 200)


@login_required
def edit(request, pk: int):
    _nav(request)
    w = crud.get_for(request.user, Warning, pk, Action.VIEW)
    form = WarningForm(request.POST or None, user=request.user, instance=w)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        area, towns = _area_input(cd)
        changes = {k: v for k, v in cd.items() if k not in ("area", "towns") and v != getattr(w, k, None)}
        area_changed = bool(area) or sorted(towns) != sorted(w.area_units or [])
        try:
            if w.state == State.PUBLISHED:
                w = services.update_published(request.user, w, changes, area=area if area_changed else None,
                                              towns=towns if area_changed else None)
                messages.success(request, _("已发布更新"))
            else:
                w = services.edit(request.user, w, changes, area=area if area_changed else None,
                                  towns=towns if area_changed else None)
                messages.success(request, _("已保存"))
        except YingjiError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("alerts:detail", pk=w.pk)
    return _form_response(request, form, w, status=422 if form.errors else 200)


def _incident_link():
    return links.get("incidents.open_from_warning")


@login_required
def detail(request, pk: int, reason_form=None, status=200):
    _nav(request)
    w = crud.get_for(request.user, Warning, pk, Action.VIEW)
    user = request.user
    can_change = permissions.can(user, Action.CHANGE, w)
    approver = services.may_approve(user, w) and permissions.can(user, Action.VIEW, w)
    acks = ack.rows(w)
    names = vocabulary.hazard_names()
    mine = None
    if w.state == State.PUBLISHED and acks["message"] is not None:
        from yingji.notifications import selectors as ntf

        n = ntf.inbox(user).filter(message__key=ack.key_of(acks["message"])).first()
        mine = ntf.signoff_for(n) if n else None
    return render(request, "alerts/detail.html", {
        "w": w, "hazard_name": names.get(w.hazard_type, w.hazard_type), "names": names,
        "can_change": can_change and w.state in (State.DRAFT, State.PENDING),
        "can_submit": can_change and w.state == State.DRAFT,
        "can_approve": approver and w.state == State.PENDING,
        "can_update": approver and w.state == State.PUBLISHED,
        "approver_text": services.approver_text(w.level), "acks": acks, "mine": mine,
        "proposals": list(w.proposals.select_related("draft")), "messages_cap": list(w.messages.all()),
        "entries": timeline.entries(user, w), "reason_form": reason_form or ReasonForm(),
        "incident_available": _incident_link() is not None,
        "can_escalate": w.state == State.PUBLISHED and not w.incident_ref and permissions.can(user, Action.CHANGE, w),
        # The checks chains.accept (a new draft owned by the warning's unit) and chains.dismiss make.
        "can_accept": permissions.can(user, Action.ADD, Warning, unit=w.owner_unit), "can_dismiss": can_change,
        "children": list(w.secondary.all()), "section": "list",
    }, status=status)


@login_required
@require_POST
def action(request, pk: int, name: str):
    w = crud.get_for(request.user, Warning, pk, Action.VIEW)
    user = request.user
    try:
        if name == "submit":
            services.submit(user, w)
            messages.success(request, _("已提交审批"))
        elif name == "approve":
            services.approve(user, w)
            messages.success(request, _("已审批并发布"))
        elif name in ("reject", "cancel"):
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return detail(request, pk, reason_form=form, status=422)
            (services.reject if name == "reject" else services.cancel)(user, w, form.cleaned_data["reason"])
            messages.success(request, _("已退回修改") if name == "reject" else _("已解除预警"))
        elif name == "acknowledge":
            ack.acknowledge(user, w)
            messages.success(request, _("已签收"))
        elif name == "escalate":
            from yingji.alerts import escalation

            ref = escalation.to_incident(user, w)
            messages.success(request, _("已转为突发事件"))
            return redirect(ref["url"])
        elif name in ("accept", "dismiss"):
            p = Proposal.objects.filter(warning=w, pk=request.POST.get("proposal") or 0).first()
            if p is None:
                messages.error(request, _("该建议不存在"))
            elif name == "accept":
                draft = chains.accept(user, p)
                messages.success(request, _("已生成次生预警草稿"))
                return redirect("alerts:detail", pk=draft.pk)
            else:
                chains.dismiss(user, p)
        elif name == "propose":
            crud.get_for(user, Warning, pk, Action.CHANGE)
            n = len([p for p in chains.propose(w) if p.state == ProposalState.PROPOSED])
            messages.info(request, _("灾害链分析完成：%(n)s 条待处理建议") % {"n": n})
        else:
            messages.error(request, _("未知操作"))
    except YingjiError as exc:
        messages.error(request, exc.message + (" " + "；".join(
            str(e) for errs in exc.details.values() for e in (errs if isinstance(errs, list) else [errs]))
            if isinstance(exc.details, dict) else ""))
    return redirect("alerts:detail", pk=pk)


@login_required
def acknowledgements(request, pk: int):
    _nav(request)
    w = crud.get_for(request.user, Warning, pk, Action.VIEW)
    return render(request, "alerts/acks.html", {"w": w, "acks": ack.rows(w), "section": "list"})


@login_required
def import_cap(request):
    _nav(request)
    form = CapImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            if cd.get("file"):
                results = [intake.import_cap(request.user, cd["file"].read(), owner_unit=cd["owner_unit"])]
            else:
                results = intake.import_url(request.user, cd["url"], owner_unit=cd["owner_unit"])
        except YingjiError as exc:
            _apply_errors(form, exc)
        else:
            made = sum(1 for _w, created in results if created)
            if len(results) == 1:
                w, created = results[0]
                messages.success(request, _("已导入为预警草稿") if created else _("该 CAP 消息已导入过"))
                return redirect("alerts:detail", pk=w.pk)
            messages.success(request, _("已从订阅源导入 %(n)s 条预警草稿（共 %(t)s 条）") % {"n": made, "t": len(results)})
            return redirect("alerts:home")
    return render(request, "alerts/import.html", {"form": form, "section": "import"},
                  status=422 if form.errors else 200)


@login_required
def chain_graph(request):
    _nav(request)
    return render(request, "alerts/chains.html", {"graph": chains.graph(), "section": "chains",
                                                  "can_edit": permissions.can(request.user, Action.CHANGE,
                                                                              _chain_model())})


def _chain_model():
    from yingji.alerts.models import ChainLink

    return ChainLink


@login_required
def geojson(request):
    """Published, unexpired warnings as GeoJSON polygons for the 一张图 layers (?level=1..4)."""
    from django.utils import timezone

    from yingji.core.geojson import check_crs, convert_geometry

    crs = check_crs(request.GET.get("crs") or "wgs84")
    qs = Warning.objects.filter(state=State.PUBLISHED, expires__gt=timezone.now()).select_related("owner_unit")
    level = request.GET.get("level")
    if level in ("1", "2", "3", "4"):
        qs = qs.filter(level=int(level))
    names = vocabulary.hazard_names()
    features = []
    for w in qs:
        if not w.boundary:
            continue
        popup = [[_("预警级别"), w.get_level_display(), None], [_("灾种"), names.get(w.hazard_type, w.hazard_type), None],
                 [_("区域"), w.area_desc, None],
                 [_("有效期"), f"{w.onset:%m-%d %H:%M} — {w.expires:%m-%d %H:%M}", None]]
        props = {"id": w.pk, "name": w.headline, "kind": "warnings", "kind_label": _("预警"), "status": str(w.level),
                 "url": reverse("alerts:detail", args=[w.pk]), "popup": popup}
        if w.is_exercise:
            props["exercise"] = True
        features.append({"type": "Feature", "id": w.pk, "geometry": convert_geometry(w.boundary, crs),
                         "properties": props})
    return JsonResponse({"type": "FeatureCollection", "features": features})


def map_layers() -> list[dict]:
    """One layer per warning colour, so each draws in its level's colour (core.levels.COLOURS)."""
    url = reverse("alerts:geojson")
    return [{"kind": f"warnings-{v}", "label": _("%(l)s预警") % {"l": label}, "on": True, "group": "warnings",
             "url": f"{url}?level={v}", "colour": COLOURS[v]["bg"], "weight": 2,
             "symbol": {"shape": "triangle", "letter": "!", "colour": COLOURS[v]["bg"]},
             "statuses": [{"value": str(v), "label": str(label), "colour": COLOURS[v]["bg"]}]}
            for v, label in WarningLevel.choices]


def workbench_panel(request) -> list[dict]:
    """The desk: live warnings by colour, those awaiting my approval, and my unit's unacknowledged ones."""
    user = request.user
    if permissions.scopes(user, WARNING, Action.VIEW) == []:
        return []
    from yingji.alerts import provided

    live = provided.active()
    pending = [w for w in permissions.restrict(Warning.objects.filter(state=State.PENDING), user, Action.VIEW)
               .select_related("owner_unit")[:20] if services.may_approve(user, w)][:6]
    by_level = [(v, label, sum(1 for a in live if a["level"] == v)) for v, label in WarningLevel.choices]
    return [{"template": "alerts/_workbench.html", "live": live[:6], "by_level": by_level, "pending": pending}]
