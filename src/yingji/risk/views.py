"""Risk pages: the overview (dashboard), the four-colour map, a hazard source's GB 18218 arithmetic, the grid
officer's phone page for reporting a hidden danger with a photo, the hidden danger's actions, and the Excel
register of major hazard sources. Thin: services decide, selectors read."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from yingji.core import crud, permissions, timeline
from yingji.core.errors import NotFound, PermissionDenied, YingjiError
from yingji.core.kinds.geo import map_layers
from yingji.core.kinds.views import parse_location, render_detail
from yingji.core.levels import COLOURS, RiskLevel
from yingji.core.roles import Action
from yingji.risk import export, selectors
from yingji.risk.forms import action_form
from yingji.risk.models import DangerGrade, HazardSource, HiddenDanger
from yingji.risk.services import dangers

__all__ = ["home", "map_page", "risk_layers", "source_calc", "report_page", "danger_action", "register_xlsx"]


def _shell(request, **extra) -> dict:
    """The module's tabs over its pages (as the generic type pages show them)."""
    from django.apps import apps

    from yingji.core.kinds.views import tabs_for

    request.nav_key = "risk"
    config = apps.get_app_config("risk")
    return {"app": "risk", "kind": None, "tabs": tabs_for("risk"), "home_url": reverse("risk:home"),
            "extra_tabs": config.extra_tabs(), **extra}


def _legend() -> list[dict]:
    out = [{"value": str(level), "label": str(RiskLevel(level).label), "colour": COLOURS[level]["bg"]}
           for level in (1, 2, 3, 4)]
    return out + [{"value": "", "label": _("无评定风险"), "colour": "#9aa0a6"}]


def risk_layers() -> list[dict]:
    """Layer definitions of the four-colour map (core/static/yingji/map.js draws a feature's own `style`)."""
    polygon = [
        ("risk-communities", _("社区风险（四色）"), False, "api-1:risk_map_communities", "社"),
        ("risk-cells", _("网格风险（四色）"), True, "api-1:risk_map_cells", "网"),
        ("risk-areas", _("危险区域"), True, "api-1:risk_map_areas", "区"),
    ]
    layers = [{"kind": kind, "label": str(label), "on": on, "group": "risk", "url": reverse(url), "weight": 1,
               "colour": "#5f6368", "symbol": {"shape": "square", "letter": letter, "colour": "#5f6368"},
               "statuses": _legend()} for kind, label, on, url, letter in polygon]
    return layers + map_layers("risk")


@login_required
def home(request):
    request.nav_key = "risk"
    if not permissions.scopes(request.user, "risk.hazardsource", Action.VIEW) and not request.user.is_superuser:
        raise PermissionDenied()
    stats = selectors.dashboard(request.user)
    labels = dict(HazardSource._meta.get_field("grade").choices)
    for row in stats["major_by_grade"]:
        row["label"] = labels[row["grade"]]
    states = [(value, label, stats["dangers_by_state"].get(value, 0)) for value, label in
              HiddenDanger._meta.get_field("state").choices]
    return render(request, "risk/home.html", _shell(request, stats=stats, states=states, today=timezone.localdate()))


@login_required
def map_page(request):
    from yingji.core.views import map_context, unit_layers

    request.nav_key = "risk"
    layers = unit_layers({"district", "town"}) + risk_layers()
    return render(request, "core/map.html", map_context(layers, title=_("风险四色图")))


@login_required
def source_calc(request, pk: int):
    request.nav_key = "risk"
    source = crud.get_for(request.user, HazardSource, pk)
    return render(request, "risk/source_calc.html", _shell(
        request, source=source, lines=(source.calculation or {}).get("lines", []), entries=list(timeline.entries(request.user, source)[:20]),
        can_change=permissions.can(request.user, Action.CHANGE, source)))


class ReportForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("隐患名称"), max_length=200)
    grade = forms.ChoiceField(label=gettext_lazy("隐患等级"), choices=DangerGrade.choices, initial=DangerGrade.GENERAL)
    description = forms.CharField(label=gettext_lazy("隐患描述"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    location = forms.CharField(label=gettext_lazy("位置（经度, 纬度）"), max_length=60,
                               widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    photo = forms.FileField(label=gettext_lazy("现场照片"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))

    def clean_location(self):
        try:
            return parse_location(self.cleaned_data["location"])
        except YingjiError as exc:
            raise forms.ValidationError(exc.message) from None


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request):
    """The grid officer's phone page: what, how serious, where (typed or from the phone's position), a photo."""
    request.nav_key = "risk"
    if not permissions.can(request.user, Action.ADD, HiddenDanger):
        raise PermissionDenied()
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        lng, lat = d["location"]
        photo = d.get("photo")
        unit = getattr(request.user, "unit", None)
        self_report = unit is not None and unit.kind == "enterprise"
        try:
            danger = dangers.report(
                request.user, name=d["name"], description=d["description"], grade=d["grade"], lat=lat, lng=lng,
                found_by="self" if self_report else "grid", enterprise=unit if self_report else None,
                photos=[(photo.name, photo.read())] if photo else ())
        except YingjiError as exc:
            details = exc.details if isinstance(exc.details, dict) else {}
            for field, msgs in details.items():
                field = "location" if field in ("lat", "lng") else field
                for m in msgs if isinstance(msgs, list) else [msgs]:
                    form.add_error(field if field in form.fields else None, str(m))
            if not details:
                form.add_error(None, exc.message)
        else:
            messages.success(request, _("已上报隐患 %(c)s") % {"c": danger.code})
            return redirect("risk:detail", key="dangers", pk=danger.pk)
    return render(request, "risk/report.html", _shell(request, form=form), status=422 if form.errors else 200)


@login_required
@require_POST
def danger_action(request, key: str, pk: int):
    if key != "dangers":
        raise NotFound()
    danger = crud.get_for(request.user, HiddenDanger, pk)
    form = action_form(request.user, danger, request.POST)
    if form is None:
        raise PermissionDenied()
    if form.is_valid():
        d = form.cleaned_data
        op = d["op"]
        try:
            if op == "order":
                unit = next((u for u in _units(danger) if str(u.pk) == d.get("responsible_unit")), None)
                if unit is None:
                    raise PermissionDenied()
                dangers.order(request.user, danger, responsible_unit=unit, responsible_person=d["responsible_person"],
                              deadline=d["deadline"], order_text=d["order"])
            elif op == "rectify":
                dangers.rectify(request.user, danger, text=d["rectification"])
            elif op in ("pass", "fail"):
                dangers.verify(request.user, danger, passed=op == "pass", note=d["note"],
                               new_deadline=d.get("new_deadline"))
            else:
                dangers.cancel(request.user, danger, d["note"])
        except YingjiError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("已提交"))
            return redirect("risk:detail", key="dangers", pk=pk)
    return render_detail(request, "risk", "dangers", pk, action_form=form, status=422)


def _units(danger):
    from yingji.core.models import OrgUnit
    from yingji.risk.forms import _unit_choices

    ids = [int(pk) for pk, _n in _unit_choices(danger)]
    return OrgUnit.objects.filter(pk__in=ids)


@login_required
def register_xlsx(request):
    if not permissions.scopes(request.user, "risk.hazardsource", Action.EXPORT) and not request.user.is_superuser:
        raise PermissionDenied()
    return export.register_response(request.user)
