"""Pages of the shell: login, the workbench, the 一张图 map, the unit registry, the audit log, error pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from yingji.core import crud, permissions, selectors, services, web
from yingji.core.api_utils import error_payload
from yingji.core.errors import PermissionDenied, YingjiError
from yingji.core.forms import LoginForm, UnitForm
from yingji.core.models import AuditEntry, OrgUnit, OrgUnitKind, User
from yingji.core.roles import Action
from yingji.core.templatetags.yingji import type_label


class LoginView(auth_views.LoginView):
    """The one login of the platform (the admin's login redirects here): throttled, a lock answers 429."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.retry_after:
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


@login_required
def home(request):
    request.nav_key = "home"
    user = request.user
    roles = list(user.role_assignments.select_related("unit"))
    by_kind = dict(OrgUnit.objects.restrict(user).values_list("kind").annotate(n=Count("pk")).order_by())
    counts = {kind.label: by_kind.get(kind.value, 0) for kind in OrgUnitKind}
    recent = None
    if permissions.can(user, Action.AUDIT, AuditEntry):
        recent = selectors.audit_entries(user)[:10]
    from yingji.core.modules import modules

    panels = [panel for config in modules() for panel in config.workbench_panels(request)]
    return render(request, "core/home.html", {"roles": roles, "counts": counts, "recent": recent, "panels": panels})


# The units' layers, drawn below every resource layer in this order: (kinds, label, shown at start, colour,
# line weight, the symbol of units that have a point but no boundary).
UNIT_LAYERS = [
    ("district", OrgUnitKind.DISTRICT.label, True, "#b22222", 3, "区"),
    ("town", OrgUnitKind.TOWN.label, True, "#1f5f99", 1.5, "镇"),
    ("community", OrgUnitKind.COMMUNITY.label, False, "#7d3c98", 1, "社"),
    ("enterprise", OrgUnitKind.ENTERPRISE.label, False, "#a14400", 1, "企"),
    ("department,rescue_org,social_org", _l("部门与救援组织"), False, "#0f6e5a", 1, "部"),
]


def unit_layers(kinds: set[str] | None = None) -> list[dict]:
    """Map layer definitions of units ({kind, label, on, url, group, colour, weight, symbol, link}), optionally
    only some kinds."""
    from django.urls import reverse

    base = reverse("api-1:units_geojson")
    link = reverse("core:unit", args=[987654321]).replace("987654321", "{id}")
    return [{"kind": kind, "label": str(label), "on": on, "url": f"{base}?kind={kind}", "group": "units",
             "colour": colour, "weight": weight, "link": link,
             "symbol": {"shape": "square", "letter": letter, "colour": colour}}
            for kind, label, on, colour, weight, letter in UNIT_LAYERS if kinds is None or kind in kinds]


def _map_layers() -> list[dict]:
    """The units' layers, then every module's (ModuleConfig.map_layers(): see core/kinds/geo.py)."""
    from yingji.core.modules import modules

    layers = unit_layers()
    for config in modules():
        layers += config.map_layers()
    return layers


# Words the map script shows, in the user's language ({n}, {km} are filled in by the script).
MAP_TEXT = {
    "legend": _l("图层与图例"), "coords": _l("经纬度 (WGS-84)"), "copy": _l("复制"), "copied": _l("已复制"),
    "copy_failed": _l("无法复制，请手动选择"), "nearest_here": _l("查找此处最近资源"), "zoom_in": _l("放大"),
    "zoom_out": _l("缩小"), "exercise": _l("演练"), "detail": _l("详情"), "no_match": _l("没有找到"),
    "cluster": _l("{n} 个{label}，放大查看"), "minutes": _l("{n} 分钟"), "estimated": _l("估"),
    "estimated_title": _l("无路网数据，按直线距离估算"), "unreachable": _l("道路不可达"),
    "straight": _l("直线 {km} km"), "people": _l("{n} 人"), "loading": _l("正在查询…"),
    "found": _l("找到 {n} 个资源，可调用的在前，按道路行驶时间排序"), "found_estimated": _l("（含直线估算）"),
    "none": _l("附近 50 公里内没有符合条件的资源"), "failed": _l("查询失败"), "point": _l("位置"),
    "pick": _l("请在地图上点击位置，或选择镇/街道"), "query_point": _l("查询位置"), "unit": _l("单位"),
}


def map_context(layers: list[dict], title=None) -> dict:
    """What core/map.html needs: the layers in drawing order (units first, then as declared) and the tools the
    modules offer (ModuleConfig.map_tools(), e.g. the nearest resources to a point)."""
    from django.urls import reverse

    from yingji.core.modules import modules

    tools = {}
    for config in modules():
        tools.update(config.map_tools())
    units = reverse("api-1:list_units")
    layers = sorted(layers, key=lambda layer: layer.get("group") != "units")  # stable: declared order kept
    text = {key: str(value) for key, value in MAP_TEXT.items()}
    return {"layers": layers, "title": title, "map_config": {"units": units, "text": text, **tools}}


@login_required
def map_page(request):
    request.nav_key = "map"
    return render(request, "core/map.html", map_context(_map_layers()))


@login_required
def unit_list(request):
    request.nav_key = "units"
    within = web.within_unit(request)
    qs = selectors.units(request.user, within=within, kind=request.GET.get("kind") or None,
                         q=request.GET.get("q") or None).select_related("parent")
    return render(request, "core/unit_list.html", {
        "page": web.page_of(request, qs), "kinds": OrgUnitKind.choices, "within": within,
        "can_add": permissions.can(request.user, Action.ADD, OrgUnit),
    })


@login_required
def unit_detail(request, pk: int):
    request.nav_key = "units"
    unit = crud.get_for(request.user, OrgUnit, pk)
    tab = request.GET.get("tab", "info")
    history = people = None
    can_see_people = permissions.can(request.user, Action.VIEW, User, unit=unit)
    if tab == "people" and can_see_people:
        people = (User.objects.restrict(request.user).filter(unit=unit)
                  .prefetch_related("role_assignments__unit").order_by("username"))
    can_audit = permissions.can(request.user, Action.AUDIT, AuditEntry, unit=unit)
    if tab == "history" and can_audit:
        history = selectors.history_rows(request.user, unit)
    return render(request, "core/unit_detail.html", {
        "unit": unit, "tab": tab, "history": history, "can_audit": can_audit,
        "people": people, "can_see_people": can_see_people,
        "ancestors": unit.ancestors(),
        "children": unit.children.order_by("path")[:200],
        "can_change": permissions.can(request.user, Action.CHANGE, unit),
    })


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request, pk: int):
    request.nav_key = "units"
    unit = crud.get_for(request.user, OrgUnit, pk, Action.CHANGE)
    form = UnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(request.user, unit, {f: form.cleaned_data[f] for f in form.changed_data})
        except YingjiError as exc:
            form.add_error(None, exc.message)
            for field, errs in (exc.details or {}).items() if isinstance(exc.details, dict) else []:
                for err in errs:
                    form.add_error(field if field in form.fields else None, err)
        else:
            messages.success(request, _("已保存"))
            return redirect("core:unit", pk=unit.pk)
    return render(request, "core/unit_edit.html", {"unit": unit, "form": form})


@login_required
def audit_list(request):
    request.nav_key = "audit"
    if not permissions.can(request.user, Action.AUDIT, AuditEntry):
        raise PermissionDenied()
    visible = selectors.audit_entries(request.user)
    types = sorted(((t, type_label(t)) for t in visible.values_list("object_type", flat=True).order_by().distinct()),
                   key=lambda pair: pair[1])
    qs = selectors.audit_entries(request.user, object_type=request.GET.get("object_type") or None,
                                 actor=request.GET.get("actor") or None)
    return render(request, "core/audit_list.html", {"page": web.page_of(request, qs), "types": types})


def api_not_found(request, rest: str = ""):
    return JsonResponse(error_payload("not_found", _("没有这个 API 地址")), status=404)


# --- error pages: the shell's look in the user's language; JSON under /api/ ---------------------------------

ERROR_TEXT = {
    400: (gettext_lazy("请求无法处理"), gettext_lazy("请求格式错误，请返回重试。")),
    403: (gettext_lazy("没有权限"), gettext_lazy("您没有权限访问此页面。如需开通，请联系本单位管理员。")),
    404: (gettext_lazy("页面不存在"), gettext_lazy("找不到这个页面，地址可能有误，或者内容已被删除。")),
    500: (gettext_lazy("系统出错"), gettext_lazy("服务器内部错误，已记录。请稍后重试；如果一直出现，请联系系统管理员并提供请求编号。")),
}
API_CODES = {400: "bad_request", 403: "permission_denied", 404: "not_found", 500: "server_error"}


def _error_page(request, status: int, template: str = "core/error.html", **extra):
    title, message = ERROR_TEXT[status]
    if request.path.startswith("/api/"):
        return JsonResponse(error_payload(API_CODES[status], str(message)), status=status)
    ctx = {"error": {"status": status, "title": title, "message": message},
           "request_id": getattr(request, "request_id", ""), **extra}
    return render(request, template, ctx, status=status)


def bad_request(request, exception=None):
    if isinstance(exception, DisallowedHost):
        # The demo opened by LAN address: say which setting lets that host in. Rendered without the
        # shell (no user, no database), since the request stopped before authentication.
        host = request.META.get("HTTP_HOST", "")
        return _error_page(request, 400, "core/error_bare.html", host=host.rsplit(":", 1)[0] if host else "",
                           disallowed_host=True)
    return _error_page(request, 400, "core/error_bare.html")


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    return _error_page(request, 500, "core/error_bare.html")
