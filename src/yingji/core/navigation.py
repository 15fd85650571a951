"""The shell's navigation: one list of modules; apps still to come show as disabled entries."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from yingji.core import permissions
from yingji.core.roles import Action


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str
    object_type: str = ""
    action: str = Action.VIEW


NAV = [
    NavItem("home", _("工作台"), "core:home"),
    NavItem("map", _("一张图"), "core:map"),
    NavItem("incidents", _("事件指挥"), "incidents:list", "incidents.incident"),
    NavItem("resources", _("应急资源"), "resources:home", "resources.warehouse"),
    NavItem("plans", _("应急预案"), "plans:list", "plans.plan"),
    NavItem("monitoring", _("监测预警"), "monitoring:home", "monitoring.sensor"),
    NavItem("risk", _("风险防控"), "risk:home", "risk.hazardsource"),
    NavItem("drills", _("应急演练"), "drills:list", "drills.drill"),
    NavItem("supervision", _("督查督办"), "supervision:list", "supervision.task"),
    NavItem("units", _("组织机构"), "core:units", "core.orgunit"),
    NavItem("audit", _("审计日志"), "core:audit", "core.auditentry", Action.AUDIT),
]


def items_for(user, current: str = "") -> list[dict]:
    out = []
    for item in NAV:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            url = None
        if item.object_type and url is not None and permissions.scopes(user, item.object_type, item.action) == []:
            continue
        out.append({"key": item.key, "label": item.label, "url": url, "active": item.key == current})
    return out
