"""Pages of the shell: login, the workbench, the 一张图 map, the unit registry, the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_http_methods

from yingji.core import crud, permissions, selectors, services, web
from yingji.core.api_utils import error_payload
from yingji.core.errors import PermissionDenied, YingjiError
from yingji.core.forms import LoginForm, UnitForm
from yingji.core.models import AuditEntry, OrgUnit, OrgUnitKind, User
from yingji.core.roles import Action


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
    return render(request, "core/home.html", {"roles": roles, "counts": counts, "recent": recent})


UNIT_LAYERS = [
    ("district", OrgUnitKind.DISTRICT.label, True),
    ("town", OrgUnitKind.TOWN.label, True),
    ("community", OrgUnitKind.COMMUNITY.label, False),
    ("enterprise", OrgUnitKind.ENTERPRISE.label, False),
    ("department,rescue_org,social_org", _l("部门与救援组织"), False),
]


def unit_layers(kinds: set[str] | None = None) -> list[dict]:
    """Map layer definitions ({kind, label, on, url}) for units, optionally only some kinds."""
    from django.urls import reverse

    base = reverse("api-1:units_geojson")
    return [{"kind": kind, "label": str(label), "on": on, "url": f"{base}?kind={kind}"}
            for kind, label, on in UNIT_LAYERS if kinds is None or kind in kinds]


def _map_layers() -> list[dict]:
    """The units' layers, then every app's: an AppConfig may offer `map_layers()` → [{kind, label, on, url}]."""
    from django.apps import apps

    layers = unit_layers()
    for config in apps.get_app_configs():
        offer = getattr(config, "map_layers", None)
        if callable(offer):
            layers += offer()
    return layers


@login_required
def map_page(request):
    request.nav_key = "map"
    return render(request, "core/map.html", {"layers": _map_layers()})


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
    qs = selectors.audit_entries(request.user, object_type=request.GET.get("object_type") or None,
                                 actor=request.GET.get("actor") or None)
    return render(request, "core/audit_list.html", {"page": web.page_of(request, qs)})


def api_not_found(request, rest: str = ""):
    return JsonResponse(error_payload("not_found", _("没有这个 API 地址")), status=404)
