"""Reads for the core app. Every list is restricted by the user through yingji.core.permissions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from yingji.core import permissions
from yingji.core.models import AuditEntry, OrgUnit
from yingji.core.roles import Action

__all__ = ["unit", "units", "users", "own_tokens", "own_token", "audit_entries", "object_history", "history_rows", "nav_permissions"]


def unit(user, pk, action: str = Action.VIEW) -> OrgUnit:
    """One unit the user may see (NotFound otherwise, like a missing one)."""
    from yingji.core import crud

    return crud.get_for(user, OrgUnit, pk, action)


def units(user, *, within: OrgUnit | None = None, kind: str | None = None, q: str | None = None,
          action: str = Action.VIEW) -> QuerySet[OrgUnit]:
    qs = OrgUnit.objects.restrict(user, action)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    if kind:
        qs = qs.filter(kind__in=kind.split(","))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__startswith=q))
    return qs


def audit_entries(user, *, object_type: str | None = None, object_id: str | None = None,
                  actor: str | None = None) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.restrict(user, Action.AUDIT)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=str(object_id))
    if actor:
        qs = qs.filter(actor_name=actor)
    return qs.order_by("-at", "-pk")


def object_history(user, obj) -> QuerySet[AuditEntry]:
    return audit_entries(user, object_type=permissions.object_type(obj), object_id=str(obj.pk))


def history_rows(user, obj, limit: int = 100) -> list[tuple]:
    """(entry, before, after) for an object's history tab; empty unless the user may read the audit log."""
    from yingji.core.audit import parsed

    return [(e, parsed(e.before), parsed(e.after)) for e in object_history(user, obj)[:limit]]


def nav_permissions(user) -> dict[str, bool]:
    """Which parts of the shell this user may open, for the navigation."""
    return {
        "audit": permissions.can(user, Action.AUDIT, AuditEntry),
        "admin_units": permissions.can(user, Action.ADD, OrgUnit),
    }


def users(user, *, within: OrgUnit | None = None, q: str | None = None):
    """People the user may see, with their roles (one query for the roles of the whole page)."""
    from django.db.models import Prefetch

    from yingji.core.models import RoleAssignment, User

    roles = Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("unit"))
    qs = User.objects.restrict(user, Action.VIEW).prefetch_related(roles)
    if within is not None:
        qs = qs.filter(unit__path__startswith=within.path)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    return qs


def own_tokens(user):
    from yingji.core.models import ApiToken

    return ApiToken.objects.filter(user=user).order_by("-created_at")


def own_token(user, pk):
    """One of the user's own API tokens (NotFound otherwise)."""
    from yingji.core.errors import NotFound

    token = own_tokens(user).filter(pk=pk).first() if str(pk).isdigit() and len(str(pk)) < 19 else None
    if token is None:
        raise NotFound()
    return token
