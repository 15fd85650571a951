"""Page forms of the incidents module (input only: the rules live in the services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core import vocabulary
from yingji.incidents.models import Source


def hazard_choices():
    """Subtypes grouped under their category, for one <select> with optgroups."""
    names = vocabulary.hazard_names()
    tree = vocabulary.hazard_tree()
    out = [("", _("请选择"))]

    def walk(nodes, depth=0):
        for n in nodes:
            out.append((n["code"], ("　" * depth) + names.get(n["code"], n["code"])))
            walk(n.get("children", []), depth + 1)

    walk(tree)
    return out


def capability_choices():
    caps = vocabulary.capability_names()
    return [("", _("请选择"))] + [(c, r["name"] + (f"（{r['quantity_unit']}）" if r.get("quantity_unit") else ""))
                                 for c, r in sorted(caps.items())] + [("expert", _("专家"))]


class IntakeForm(forms.Form):
    title = forms.CharField(label=_("事件名称"), max_length=200)
    hazard_type = forms.ChoiceField(label=_("事件类型"), choices=())
    source = forms.ChoiceField(label=_("信息来源"), choices=Source.choices, initial=Source.PHONE)
    caller_name = forms.CharField(label=_("报告人"), max_length=100, required=False)
    callback_phone = forms.CharField(label=_("回拨电话"), max_length=50, required=False)
    occurred_at = forms.DateTimeField(label=_("发生时间"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("位置（经度, 纬度）"), max_length=60,
                               help_text=_("在地图上点击，或填写“经度, 纬度”"))
    address = forms.CharField(label=_("地址或单位"), max_length=300, required=False)
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0, initial=0, required=False)
    missing = forms.IntegerField(label=_("失踪人数"), min_value=0, initial=0, required=False)
    serious_injuries = forms.IntegerField(label=_("重伤人数"), min_value=0, initial=0, required=False)
    injuries = forms.IntegerField(label=_("轻伤人数"), min_value=0, initial=0, required=False)
    trapped = forms.IntegerField(label=_("被困人数"), min_value=0, initial=0, required=False)
    direct_loss_wan_yuan = forms.DecimalField(label=_("直接经济损失（万元）"), min_value=0, max_digits=14,
                                              decimal_places=2, initial=0, required=False)
    description = forms.CharField(label=_("事件概况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    is_exercise = forms.BooleanField(label=_("演练"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hazard_type"].choices = hazard_choices()

    def clean_location(self):
        text = self.cleaned_data["location"].replace("，", ",").strip()
        try:
            lng, lat = (float(p) for p in text.split(","))
        except ValueError:
            raise forms.ValidationError(_("请填写“经度, 纬度”，如 113.30, 23.10")) from None
        return lng, lat


class FiguresForm(forms.Form):
    deaths = forms.IntegerField(label=_("死亡人数"), min_value=0)
    missing = forms.IntegerField(label=_("失踪人数"), min_value=0)
    serious_injuries = forms.IntegerField(label=_("重伤人数"), min_value=0)
    injuries = forms.IntegerField(label=_("轻伤人数"), min_value=0)
    trapped = forms.IntegerField(label=_("被困人数"), min_value=0)
    affected = forms.IntegerField(label=_("受灾人数"), min_value=0)
    direct_loss_wan_yuan = forms.DecimalField(label=_("直接经济损失（万元）"), min_value=0, max_digits=14,
                                              decimal_places=2)
    reason = forms.CharField(label=_("变更原因"), max_length=300)


class RecommendForm(forms.Form):
    capability = forms.ChoiceField(label=_("所需能力"), choices=())
    quantity = forms.DecimalField(label=_("数量"), min_value=0.001, max_digits=14, decimal_places=3, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capability"].choices = capability_choices()


class SitrepForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    time_text = forms.CharField(label=_("时间"), widget=forms.Textarea(attrs={"rows": 1}), required=False)
    place_text = forms.CharField(label=_("地点"), widget=forms.Textarea(attrs={"rows": 1}), required=False)
    overview = forms.CharField(label=_("事件概况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    casualties = forms.CharField(label=_("伤亡情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    response = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    next_steps = forms.CharField(label=_("下一步措施"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
