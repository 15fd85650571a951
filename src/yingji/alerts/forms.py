"""The warnings module's forms: a warning (draft, edit or update), reasons, and the external CAP import."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core import permissions, vocabulary
from yingji.core.levels import WarningLevel
from yingji.core.models import OrgUnit, OrgUnitKind
from yingji.core.roles import Action

_DT = "%Y-%m-%dT%H:%M"


class _When(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DT)

    def __init__(self, *a, **kw):
        super().__init__(*a, input_formats=[_DT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"], **kw)


def hazard_choices():
    names = vocabulary.hazard_names()
    return sorted(names.items(), key=lambda kv: kv[0])


class WarningForm(forms.Form):
    owner_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("发布单位"))
    headline = forms.CharField(label=_("标题"), max_length=200)
    hazard_type = forms.ChoiceField(label=_("灾种"))
    level = forms.TypedChoiceField(label=_("预警级别"), choices=WarningLevel.choices, coerce=int)
    onset = _When(label=_("生效时间"))
    expires = _When(label=_("失效时间"))
    towns = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.none(), label=_("预警区域（镇街）"), required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 6}))
    area = forms.CharField(label=_("预警区域（GeoJSON 多边形，可选）"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    area_desc = forms.CharField(label=_("区域描述"), max_length=500, required=False)
    description = forms.CharField(label=_("预警内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    instruction = forms.CharField(label=_("防御措施与指引"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    headline_en = forms.CharField(label=_("英文标题"), max_length=200, required=False)
    description_en = forms.CharField(label=_("英文内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    instruction_en = forms.CharField(label=_("英文防御指引"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_exercise = forms.BooleanField(label=_("演练"), required=False)

    def __init__(self, *args, user=None, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "owner_unit": instance.owner_unit_id, "towns": instance.area_units, **{
                    f: getattr(instance, f) for f in (
                        "headline", "hazard_type", "level", "area_desc", "description", "instruction",
                        "headline_en", "description_en", "instruction_en", "is_exercise")},
                "onset": timezone.localtime(instance.onset), "expires": timezone.localtime(instance.expires)}
        elif "initial" not in kwargs:
            now = timezone.localtime().replace(second=0, microsecond=0)
            kwargs["initial"] = {"onset": now, "expires": now + dt.timedelta(hours=12), "level": 3}
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = permissions.units_for(user, "alerts.warning", Action.ADD) \
            .exclude(kind__in=[OrgUnitKind.ENTERPRISE, OrgUnitKind.SOCIAL_ORG, OrgUnitKind.RESCUE_ORG]).order_by("path")
        self.fields["towns"].queryset = OrgUnit.objects.filter(kind=OrgUnitKind.TOWN, is_active=True).order_by("path")
        self.fields["hazard_type"].choices = hazard_choices()
        if instance is not None:
            del self.fields["owner_unit"]
            if instance.state == "published":
                del self.fields["is_exercise"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CapImportForm(forms.Form):
    owner_unit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_("接收单位"))
    file = forms.FileField(label=_("CAP 文件（XML）"), required=False)
    url = forms.URLField(label=_("或 CAP 地址（URL）"), required=False, assume_scheme="https")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_unit"].queryset = permissions.units_for(user, "alerts.warning", Action.ADD) \
            .exclude(kind=OrgUnitKind.ENTERPRISE).order_by("path")

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("url"):
            raise forms.ValidationError(_("请上传 CAP 文件或填写地址"))
        return data
