"""Monitoring pages: the sensor detail with a chart of recent readings, and the rules list, editor and dry run.
The sensor and station lists, forms and imports are the kernel's generic pages."""

from __future__ import annotations

import json

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from yingji.core import crud, jsontext, permissions, vocabulary
from yingji.core.errors import ValidationFailed
from yingji.core.kinds.views import tabs_for
from yingji.core.roles import Action
from yingji.domain.rules import templates
from yingji.monitoring import evaluation, selectors, services
from yingji.monitoring.models import Rule, Sensor

EXAMPLE = templates.rainstorm()[1]


def _context(request, **extra) -> dict:
    request.nav_key = "monitoring"
    config = apps.get_app_config("monitoring")
    return {"app": "monitoring", "tabs": tabs_for("monitoring", extra.pop("tab", "")), "home_url": None,
            "extra_tabs": config.extra_tabs(), **extra}


@login_required
def sensor_detail(request, pk: int):
    sensor = crud.get_for(request.user, Sensor, pk)
    r = selectors.recent(sensor, 48)
    latest = [{"at": a, "value": v} for a, v in zip(
        [selectors.local(t) for t in r.ts[-12:][::-1].tolist()], r.value[-12:][::-1].tolist(), strict=True)]
    return render(request, "monitoring/sensor.html", _context(
        request, tab="sensors", obj=sensor, chart=selectors.chart(sensor, 48), latest=latest,
        can_change=permissions.can(request.user, Action.CHANGE, sensor)))


@login_required
def rule_list(request):
    rows = list(selectors.rules(request.user))
    for r in rows:
        r.hazard_name = vocabulary.hazard_labels([r.hazard_type])
    return render(request, "monitoring/rules.html", _context(
        request, rows=rows, can_add=permissions.can(request.user, Action.ADD, Rule)))


def _hazard_choices():
    names = vocabulary.hazard_names()
    return [("", "—")] + sorted(names.items(), key=lambda kv: kv[0])


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    hazard_type = forms.ChoiceField(label=gettext_lazy("灾种"))
    days = forms.FloatField(label=gettext_lazy("试运行天数"), min_value=0.1, max_value=31, initial=3)
    enabled = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)
    definition = forms.CharField(label=gettext_lazy("规则定义 (JSON)"), widget=forms.Textarea(attrs={"rows": 14}),
                                 help_text=gettext_lazy("阈值、时间窗聚合、变化率、持续次数、多传感器组合；见文档"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard_type"].choices = _hazard_choices()
        self.fields["definition"].widget.attrs["class"] = "font-monospace"

    def clean_definition(self):
        try:
            data = jsontext.loads(self.cleaned_data["definition"])
        except jsontext.JsonTextError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        try:
            services.check_definition(data)
        except ValidationFailed as exc:
            raise forms.ValidationError(exc.message) from None
        return data

    def check_sensors(self, unit) -> list[str]:
        """The selectors against the unit's sensors: mistakes become errors under the definition, a clause that
        selects no sensor yet a warning (returned)."""
        try:
            return services.check_sensors(services.check_definition(self.cleaned_data["definition"]), unit)
        except ValidationFailed as exc:
            self.add_error("definition", exc.details["definition"])
            return []


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request, pk: int | None = None):
    rule = crud.get_for(request.user, Rule, pk) if pk else None
    unit = rule.owner_unit if rule else request.user.unit
    if rule is None:
        permissions.require(request.user, Action.ADD, Rule, unit=unit)
    can_save = rule is None or permissions.can(request.user, Action.CHANGE, rule)
    initial = {"definition": json.dumps(rule.definition if rule else EXAMPLE, ensure_ascii=False, indent=2),
               "name": rule.name if rule else "", "hazard_type": rule.hazard_type if rule else "rainstorm",
               "enabled": rule.enabled if rule else True, "days": 3}
    form = RuleForm(request.POST or None, initial=initial)
    result = None
    status = 200
    if request.method == "POST":
        warnings = form.check_sensors(unit) if form.is_valid() else []
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("op") == "save" and can_save:
                fields = {"name": data["name"], "hazard_type": data["hazard_type"], "definition": data["definition"],
                          "enabled": data["enabled"]}
                try:
                    if rule is None:
                        rule = services.create_rule(request.user, owner_unit=unit, **fields)
                    else:
                        rule = services.update_rule(request.user, rule, fields)
                    for w in warnings:
                        messages.warning(request, w)
                    return redirect("monitoring:rule", rule.pk)
                except ValidationFailed as exc:
                    form.add_error(None, exc.message)
                    status = 422
            else:
                result = evaluation.dry_run(data["definition"], unit.path, data["days"])
                result["warnings"] = warnings
        else:
            status = 422
    firings = list(rule.firings.all()[:20]) if rule else []
    return render(request, "monitoring/rule_edit.html", _context(
        request, rule=rule, form=form, result=result, firings=firings, can_save=can_save,
        cancel=reverse("monitoring:rules")), status=status)


