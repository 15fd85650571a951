"""The Django admin as a read-only window on the data, for system administrators (see docs/decisions/0016).

It has no login of its own (it sends people to the platform's throttled login) and no rights of its own:
who may open it and what each list shows come from the platform's roles, through `permissions`. Nothing in
it writes: changes go through the pages and the API, whose services validate, keep the unit tree whole and
audit every change.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = ["YingjiAdminConfig", "YingjiAdminSite", "ReadOnlyAdmin"]


class YingjiAdminSite(admin.AdminSite):
    site_header = _("应急管理平台 · 数据浏览（只读）")
    site_title = _("数据浏览")
    index_title = _("数据浏览（只读）")

    def has_permission(self, request) -> bool:
        """Superusers, and whoever holds the system administrator role (at any unit: they see their subtree)."""
        from yingji.core import permissions
        from yingji.core.roles import RoleCode

        user = request.user
        if not (user.is_authenticated and user.is_active):
            return False
        return user.is_superuser or any(g.role == RoleCode.SYSTEM_ADMIN for g in permissions.grants(user))

    def login(self, request, extra_context=None):
        """No second login form: the platform's one login is throttled."""
        # Imported here: this module is loaded from INSTALLED_APPS, before models may be imported.
        from django.contrib.auth.views import redirect_to_login

        from yingji.core.errors import PermissionDenied

        if request.user.is_authenticated:
            raise PermissionDenied(_("数据浏览仅对系统管理员开放"))  # not a redirect: that would loop
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("core:login"))


class YingjiAdminConfig(AdminConfig):
    default_site = "yingji.core.adminsite.YingjiAdminSite"


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model shown read-only, restricted like every other list in the platform."""

    view_action = "view"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        from yingji.core import permissions

        return permissions.can(request.user, self.view_action, obj if obj is not None else self.model)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_queryset(self, request):
        from yingji.core import permissions

        return permissions.restrict(super().get_queryset(request), request.user, self.view_action)

    def get_actions(self, request):
        return {}
