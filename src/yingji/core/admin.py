"""Django admin: a read-only window for system administrators (see yingji.core.adminsite)."""

from django.contrib import admin
from django.contrib.auth.models import Group

from yingji.core.adminsite import ReadOnlyAdmin
from yingji.core.models import ApiToken, AuditEntry, OrgUnit, RoleAssignment, User
from yingji.core.roles import Action

# Rights come from roles held at units, never from Django's groups and permissions: nothing to show.
admin.site.unregister(Group)


@admin.register(OrgUnit)
class OrgUnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "display_name", "unit", "is_active", "is_superuser")
    search_fields = ("username", "display_name")
    exclude = ("password", "groups", "user_permissions")


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "unit")
    list_filter = ("role",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("name", "user", "prefix", "expires_at", "revoked_at")
    exclude = ("key_hash",)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    view_action = Action.AUDIT
    list_display = ("chain", "seq", "at", "actor_name", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
