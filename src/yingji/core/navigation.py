"""The shell's navigation: the core entries and each module's, shown when the user may open them."""

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


# The shell's own entries; modules add theirs through their AppConfig (yingji.core.modules).
CORE_HEAD = [
    NavItem("home", _("工作台"), "core:home"),
    NavItem("map", _("一张图"), "core:map"),
]
CORE_TAIL = [
    NavItem("units", _("组织机构"), "core:units", "core.orgunit"),
    NavItem("audit", _("审计日志"), "core:audit", "core.auditentry", Action.AUDIT),
]


def nav_items() -> list[NavItem]:
    from yingji.core.modules import modules

    return [*CORE_HEAD, *(item for m in modules() for item in m.nav), *CORE_TAIL]


def items_for(user, current: str = "") -> list[dict]:
    out = []
    for item in nav_items():
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            url = None
        if item.object_type and url is not None and permissions.scopes(user, item.object_type, item.action) == []:
            continue
        out.append({"key": item.key, "label": item.label, "url": url, "active": item.key == current})
    return out
