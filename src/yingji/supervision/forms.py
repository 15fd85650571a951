"""Page forms of the supervision module (input only: the rules live in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.models import OrgUnit
from yingji.supervision.models import (
    CommMode,
    ResultCode,
    Satisfaction,
    Source,
    TaskState,
    Urgency,
    dimensions,
)


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _units():
    return OrgUnit.objects.filter(is_active=True).exclude(kind__in=("community", "enterprise")).order_by("path")


class TaskForm(forms.Form):
    reference = forms.CharField(label=_("编号"), max_length=32, required=False,
                                help_text=_("留空则自动编号"))
    title = forms.CharField(label=_("标题"), max_length=300)
    source = forms.ChoiceField(label=_("来源"), choices=Source.choices, required=False)
    requester_unit = UnitChoice(label=_("交办单位"), queryset=_units())
    requester_name = forms.CharField(label=_("提出人"), max_length=100, required=False)
    owner_unit = UnitChoice(label=_("督办单位"), queryset=OrgUnit.objects.none())
    urgency = forms.TypedChoiceField(label=_("紧急程度"), choices=Urgency.choices, coerce=int, initial=3)
    description = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, owner_units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_unit"].queryset = _units()
        if owner_units is not None:
            self.fields["owner_unit"].queryset = owner_units


class AssignForm(forms.Form):
    lead_unit = UnitChoice(label=_("主办单位"), queryset=OrgUnit.objects.none())
    lead_deadline = forms.DateField(label=_("主办办理期限"), widget=forms.DateInput(attrs={"type": "date"}))
    co_unit = UnitChoice(label=_("协办单位"), queryset=OrgUnit.objects.none(), required=False)
    co_deadline = forms.DateField(label=_("协办办理期限"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    co_unit2 = UnitChoice(label=_("协办单位（二）"), queryset=OrgUnit.objects.none(), required=False)
    co_deadline2 = forms.DateField(label=_("协办办理期限（二）"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "co_unit", "co_unit2"):
            self.fields[name].queryset = _units()

    def clean(self):
        data = super().clean()
        for u, d in (("co_unit", "co_deadline"), ("co_unit2", "co_deadline2")):
            if data.get(u) and not data.get(d):
                self.add_error(d, _("请填写协办单位的办理期限"))
        return data

    def co(self):
        d = self.cleaned_data
        return [(d[u], d[dl]) for u, dl in (("co_unit", "co_deadline"), ("co_unit2", "co_deadline2")) if d.get(u)]


class ReplyForm(forms.Form):
    result_code = forms.ModelChoiceField(label=_("办理结果"), queryset=ResultCode.objects.none(), to_field_name="code")
    comm_mode = forms.ChoiceField(label=_("沟通方式"), choices=[("", "—"), *CommMode.choices], required=False)
    comm_at = forms.DateTimeField(label=_("沟通时间"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    text = forms.CharField(label=_("答复内容"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["result_code"].queryset = ResultCode.objects.filter(is_active=True)


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("办理进展"), widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("反馈意见"), choices=Satisfaction.choices)
    text = forms.CharField(label=_("具体意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Maxima are the setting's; the service checks them again (the form is only a convenience).
        for i, (name, maximum) in enumerate(dimensions()):
            self.fields[f"score_{i}"] = forms.IntegerField(label=f"{name}（0–{maximum}）", required=False)

    def scores(self) -> dict:
        return {name: self.data.get(f"score_{i}", "") for i, (name, _m) in enumerate(dimensions())}


class FilterForm(forms.Form):
    q = forms.CharField(required=False)
    state = forms.ChoiceField(choices=[("", _("全部状态")), *TaskState.choices], required=False)
    unit = forms.CharField(required=False)
    overdue = forms.BooleanField(required=False)


class DecisionForm(forms.Form):
    title = _("议定事项 → 督办任务")
    text = forms.CharField(label=_("议定事项"), widget=forms.Textarea(attrs={"rows": 2}))
    lead_unit = UnitChoice(label=_("主办单位"), queryset=OrgUnit.objects.none())
    lead_deadline = forms.DateField(label=_("主办办理期限"), widget=forms.DateInput(attrs={"type": "date"}))
    co_unit = UnitChoice(label=_("协办单位"), queryset=OrgUnit.objects.none(), required=False)
    co_deadline = forms.DateField(label=_("协办办理期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("lead_unit", "co_unit"):
            self.fields[name].queryset = _units()

    def clean(self):
        data = super().clean()
        if data.get("co_unit") and not data.get("co_deadline"):
            self.add_error("co_deadline", _("请填写协办单位的办理期限"))
        return data


class DutyListForm(forms.Form):
    unit = UnitChoice(label=_("单位"), queryset=OrgUnit.objects.none())
    title = forms.CharField(label=_("名称"), max_length=200, required=False)
    effective_from = forms.DateField(label=_("生效日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    items = forms.CharField(label=_("责任事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
