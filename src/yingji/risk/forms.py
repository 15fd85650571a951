"""The hidden danger's action form on its detail page: the steps the user may take in its current state
(交办整改, 提交整改结果, 验收, 撤销), each posted to views.danger_action and done by services.dangers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from yingji.core import permissions
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.core.widgets import iso_date_input
from yingji.risk.models import DangerState, HiddenDanger

__all__ = ["action_form", "DangerActionForm", "allowed_ops"]

OPS = {"order": gettext_lazy("交办整改"), "rectify": gettext_lazy("提交整改结果"),
       "pass": gettext_lazy("验收通过并销号"), "fail": gettext_lazy("验收不通过"), "cancel": gettext_lazy("撤销隐患")}


def allowed_ops(user, danger: HiddenDanger) -> list[str]:
    supervisor = danger.supervising_unit_id is not None and permissions.unit_allows(
        user, Action.CHANGE, "supervision.task", danger.supervising_unit.path)
    responsible = danger.responsible_unit_id is not None and permissions.unit_allows(
        user, Action.CHANGE, "risk.hiddendanger", danger.responsible_unit.path)
    ops = []
    if danger.state == DangerState.REPORTED and supervisor:
        ops.append("order")
    if danger.state == DangerState.RECTIFYING and responsible:
        ops.append("rectify")
    if danger.state == DangerState.VERIFYING and supervisor:
        ops += ["pass", "fail"]
    if danger.state in (DangerState.REPORTED, DangerState.RECTIFYING) and supervisor:
        ops.append("cancel")
    return ops


def _unit_choices(danger: HiddenDanger) -> list[tuple[str, str]]:
    units = {danger.owner_unit_id: danger.owner_unit}
    if danger.enterprise_id:
        units[danger.enterprise_id] = danger.enterprise
    town = danger.supervising_unit
    if town is not None:
        for u in OrgUnit.objects.filter(path__startswith=town.path, kind__in=("community", "enterprise"),
                                        is_active=True).order_by("kind", "code")[:300]:
            units.setdefault(u.pk, u)
    return [(str(pk), u.name) for pk, u in units.items()]


class DangerActionForm(forms.Form):
    title = gettext_lazy("隐患处置")
    confirm_ops = "pass cancel"
    datalist = None
    field_ops = {"responsible_unit": "order", "responsible_person": "order", "deadline": "order", "order": "order",
                 "rectification": "rectify", "note": "pass fail cancel", "new_deadline": "fail"}
    op = forms.ChoiceField(label=gettext_lazy("操作"))
    responsible_unit = forms.ChoiceField(label=gettext_lazy("整改责任单位"), required=False)
    responsible_person = forms.CharField(label=gettext_lazy("整改责任人"), max_length=100, required=False)
    deadline = forms.DateField(label=gettext_lazy("整改期限"), required=False, widget=iso_date_input())
    order = forms.CharField(label=gettext_lazy("整改要求"), max_length=2000, required=False, widget=forms.Textarea(
        attrs={"rows": 3}))
    rectification = forms.CharField(label=gettext_lazy("整改情况（佐证材料请在下方附件中上传）"), max_length=2000,
                                    required=False, widget=forms.Textarea(attrs={"rows": 3}))
    note = forms.CharField(label=gettext_lazy("意见或理由"), max_length=1000, required=False)
    new_deadline = forms.DateField(label=gettext_lazy("新的整改期限（可选）"), required=False, widget=iso_date_input())

    def __init__(self, *args, user=None, obj=None, ops=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.obj = user, obj
        self.fields["op"].choices = [(op, OPS[op]) for op in ops]
        if "order" in ops:
            self.fields["responsible_unit"].choices = _unit_choices(obj)
            self.fields["responsible_unit"].initial = str(obj.enterprise_id or obj.owner_unit_id)
        else:
            del self.fields["responsible_unit"]

    def add_service_error(self, exc) -> None:
        details = exc.details if isinstance(exc.details, dict) else {}
        rename = {"verification": "note", "reason": "note"}
        for name, msgs in details.items():
            name = rename.get(name, name)
            for m in msgs if isinstance(msgs, list) else [msgs]:
                self.add_error(name if name in self.fields else None, str(m))
        if not details:
            self.add_error(None, exc.message)


def action_form(user, obj, data=None):
    if not isinstance(obj, HiddenDanger):
        return None
    ops = allowed_ops(user, obj)
    return DangerActionForm(data, user=user, obj=obj, ops=ops) if ops else None
