"""The risk module's types for the kernel's generic API, pages, import and export (core/kinds)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.core.kinds.registry import Kind, Symbol, register
from yingji.core.levels import COLOURS
from yingji.risk.models import (
    ChemicalHolding,
    GridCell,
    GridOfficer,
    HazardArea,
    HazardSource,
    HiddenDanger,
    Inspection,
    InspectionPlan,
    RiskAssessment,
)

_LEVEL_COLOURS = {level: COLOURS[level]["bg"] for level in (1, 2, 3, 4)}


def _hook(name):
    """A service function by name, imported when first called (services import the models this module names)."""
    def call(*args):
        from yingji.risk.services import dangers, grid, sources

        module, fn = name.split(".")
        return getattr({"sources": sources, "grid": grid, "dangers": dangers}[module], fn)(*args)
    return call


def _s_with_link(obj):
    """S on lists and the detail page, linked to the page with the arithmetic line by line."""
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.translation import gettext

    return format_html('{} <a href="{}">{}</a>', obj.s_value or "—", reverse("risk:source_calc", args=[obj.pk]),
                       gettext("计算过程"))


def _sensors(area):
    """The sensors watching a hazard area, from the monitoring module (link `monitoring.sensors_for`; none while
    it is not installed), each linked with its status and last value."""
    from django.utils.html import format_html, format_html_join

    from yingji.risk.selectors import sensors_for

    rows = sensors_for(area)
    if not rows:
        return "—"
    return format_html_join("、", '<a href="{}">{}</a>（{}{}）', (
        (r.get("url") or "#", r.get("name") or r.get("code"), r.get("status") or "",
         f" {r['last_value']}{r.get('unit_of_measure') or ''}" if r.get("last_value") not in (None, "") else "")
        for r in rows)) or format_html("—")


def _action_form(user, obj):
    from yingji.risk.forms import action_form

    return action_form(user, obj)


def _advance_plan(actor, inspection, op):
    from yingji.risk.services.inspections import advance_plan

    advance_plan(actor, inspection, op)


KINDS = register("risk", [
    Kind("sources", HazardSource, _("危险源"),
         (("owner_unit", "所属企业"), ("code", "编号"), ("name", "名称"), ("unit_type", "单元类型"),
          ("offsite_population", "厂界外500米常住人口"), ("hazard_types", "灾种"), ("last_review", "上次评估日期"),
          ("lng", "经度"), ("lat", "纬度"), ("address", "地址")),
         required=("owner_unit", "code", "name"), search=("name", "code"), filters=("is_major", "grade", "unit_type"),
         ordering={"code": "code", "grade": "grade", "name": "name"},
         children=(("holdings", "source"), ("assessments", "source")),
         status_field="risk_level", status_colours={k: v for k, v in _LEVEL_COLOURS.items()},
         symbol=Symbol("diamond", "危", "#a14400"), popup=("owner_unit", "grade", "risk_level", "s_value", "r_value"),
         map_on=True, after_write=_hook("sources.after_source_write"),
         list_columns=("name", "owner_unit", "unit_type", "grade", "s_value", "r_value", "risk_level", "review_due"),
         display={"s_value": _s_with_link},
         example={"code": "WXY-0001", "name": "液氯储罐区", "unit_type": "储存单元", "offsite_population": 60}),
    Kind("holdings", ChemicalHolding, _("危险化学品"),
         (("source", "危险源"), ("chemical", "危险化学品（表1序号、CAS号或名称）"), ("category", "危险性类别（表2）"),
          ("name", "品名"), ("symbol", "危险性类别符号（表4）"), ("tonnes", "设计最大量（吨）")),
         required=("source", "tonnes"), search=("name", "chemical", "category"), owning_parent="source",
         ordering={"tonnes": "tonnes"}, after_write=_hook("sources.after_holding_write"),
         import_hook=_hook("sources.import_holdings"),
         example={"chemical": "液氯", "tonnes": "3"}),
    Kind("assessments", RiskAssessment, _("风险评价"),
         (("owner_unit", "所属单位"), ("source", "危险源"), ("area", "危险区域"), ("method", "评价方法"), ("factor_l", "L"), ("factor_e", "E"),
          ("factor_c", "C"), ("likelihood", "可能性"), ("severity", "严重性"), ("assessor", "评价人"),
          ("assessed_on", "评价日期"), ("controls", "管控措施")),
         required=("owner_unit", "method", "assessor", "assessed_on"), search=("assessor", "controls"),
         owning_parent="source",
         filters=("method", "level"), ordering={"assessed_on": "assessed_on"}, hidden=frozenset({"controls"}),
         after_write=_hook("sources.after_assessment_write"),
         list_columns=("source", "method", "score", "result", "level", "assessor", "assessed_on", "review_due")),
    Kind("areas", HazardArea, _("危险区域"),
         (("owner_unit", "所属单位"), ("code", "编号"), ("name", "名称"), ("area_type", "区域类型"),
          ("exposed_population", "受威胁人口"), ("risk_level", "风险等级"), ("hazard_types", "灾种"),
          ("boundary", "范围 (GeoJSON)"), ("description", "说明")),
         required=("owner_unit", "code", "name", "area_type", "boundary"), search=("name", "code"),
         filters=("area_type", "risk_level"), ordering={"code": "code", "exposed_population": "exposed_population"},
         hidden=frozenset({"boundary", "description"}), children=(("assessments", "area"),),
         list_columns=("name", "area_type", "risk_level", "exposed_population", "hazard_types", "owner_unit",
                       ("sensors", _("监测设备"))),
         display={"sensors": _sensors}),
    Kind("cells", GridCell, _("网格"),
         (("owner_unit", "所属社区"), ("code", "网格编码"), ("name", "名称"), ("population", "常住人口"),
          ("patrol_duties", "巡查职责"), ("boundary", "范围 (GeoJSON)")),
         required=("owner_unit", "code", "name", "boundary"), search=("name", "code"), ordering={"code": "code"},
         hidden=frozenset({"boundary", "patrol_duties"}), children=(("officers", "cell"),),
         check=_hook("grid.check_cell"), importable=False,
         list_columns=("name", "code", "owner_unit", "population")),
    Kind("officers", GridOfficer, _("网格员"),
         (("cell", "网格"), ("user", "网格员"), ("duties", "巡查安排")),
         required=("cell", "user"), search=("duties",), owning_parent="cell", importable=False),
    Kind("plans", InspectionPlan, _("排查计划"),
         (("owner_unit", "负责单位"), ("name", "名称"), ("grid_cell", "网格"), ("enterprise", "企业"),
          ("checklist", "检查项"), ("interval_days", "周期（天）"), ("next_due", "下次排查日期"),
          ("is_active", "启用")),
         required=("owner_unit", "name", "next_due"), filters=("is_active",), ordering={"next_due": "next_due"},
         children=(("inspections", "plan"),), hidden=frozenset({"checklist"})),
    Kind("inspections", Inspection, _("排查记录"),
         (("owner_unit", "检查单位"), ("plan", "排查计划"), ("grid_cell", "网格"), ("enterprise", "企业"),
          ("inspector", "检查人"), ("inspected_on", "检查日期"), ("findings", "检查情况")),
         required=("owner_unit", "inspector", "inspected_on"), search=("inspector", "findings"),
         ordering={"inspected_on": "inspected_on"}, hidden=frozenset({"findings"}), children=(("dangers", "inspection"),),
         after_write=_advance_plan),
    Kind("dangers", HiddenDanger, _("隐患"),
         (("owner_unit", "所属单位"), ("code", "隐患编号"), ("name", "隐患名称"), ("grade", "隐患等级"),
          ("state", "状态"), ("found_by", "发现途径"), ("enterprise", "企业"), ("responsible_unit", "整改责任单位"),
          ("responsible_person", "整改责任人"), ("deadline", "整改期限"), ("reported_at", "报告时间"),
          ("lng", "经度"), ("lat", "纬度"), ("description", "隐患描述")),
         search=("name", "code"), filters=("grade", "state", "found_by"), writable=False, importable=False,
         ordering={"reported_at": "reported_at", "deadline": "deadline", "code": "code"},
         status_field="state", status_colours={"reported": "warn", "rectifying": "bad", "verifying": "warn",
                                               "closed": "ok", "cancelled": "off"},
         symbol=Symbol("triangle", "隐", "#b91c1c"), popup=("code", "grade", "state", "deadline"),
         hidden=frozenset({"description"}), action_form=_action_form,
         list_columns=("name", "code", "grade", "state", "responsible_unit", "deadline", "reported_at")),
])
