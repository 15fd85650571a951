"""The one mechanism that decides what a user may see and do.

Every queryset shown to a user goes through `restrict(qs, user, action)`; every write goes through
`require(user, action, obj)`. A role held at a unit applies to that unit's whole subtree. Shared
registries (models with `city_wide_read = True`) are readable by anybody holding any role.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from yingji.core.errors import NotAuthenticated, PermissionDenied
from yingji.core.roles import Action, role_grants

__all__ = ["object_type", "Grant", "grants", "scopes", "restrict", "can", "require", "unit_allows"]


def object_type(model: type[Model] | Model) -> str:
    meta = model._meta
    return f"{meta.app_label}.{meta.model_name}"


@dataclass(frozen=True)
class Grant:
    role: str
    unit_id: int
    unit_path: str


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def grants(user) -> list[Grant]:
    """The user's role assignments with their units' paths, cached on the user object for the request."""
    if not _active(user):
        return []
    cached = getattr(user, "_yingji_grants", None)
    if cached is None:
        cached = [
            Grant(a.role, a.unit_id, a.unit.path)
            for a in user.role_assignments.select_related("unit").filter(unit__is_active=True)
        ]
        user._yingji_grants = cached
    return cached


def _minimal(paths: set[str]) -> list[str]:
    """Drop paths already covered by an ancestor path so the SQL has as few OR terms as possible."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return kept


def scopes(user, otype: str, action: str) -> list[str] | None:
    """Subtree paths where `user` may do `action` on `otype`; None means everywhere."""
    if not _active(user):
        return []
    if user.is_superuser:
        return None
    return _minimal({g.unit_path for g in grants(user) if role_grants(g.role, otype, action)})


def restrict(qs: QuerySet, user, action: str = Action.VIEW) -> QuerySet:
    model = qs.model
    if not _active(user):
        return qs.none()
    if action == Action.VIEW and getattr(model, "city_wide_read", False) and (user.is_superuser or grants(user)):
        return qs
    paths = scopes(user, object_type(model), action)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    field = f"{model.scope_path_field}__startswith"
    cond = Q()
    for p in paths:
        cond |= Q(**{field: p})
    return qs.filter(cond)


def unit_allows(user, action: str, otype: str, unit_path: str) -> bool:
    paths = scopes(user, otype, action)
    return paths is None or any(unit_path.startswith(p) for p in paths)


def can(user, action: str, obj: Model | type[Model], unit=None) -> bool:
    """May `user` do `action` on `obj` (an instance), or on a new `obj` (a model) owned by `unit`?"""
    if not _active(user):
        return False
    otype = object_type(obj)
    if action == Action.VIEW and getattr(obj, "city_wide_read", False) and (user.is_superuser or grants(user)):
        return True
    if unit is not None:
        path = unit.path
    elif isinstance(obj, Model):
        path = obj.scope_path or ""
    else:
        return scopes(user, otype, action) != []
    return unit_allows(user, action, otype, path)


def require(user, action: str, obj: Model | type[Model], unit=None) -> None:
    """Raise unless `user` may do `action`; `user=None` is the system itself (CLI, demo seed, jobs)."""
    if user is None:
        return
    if not getattr(user, "is_authenticated", False):
        raise NotAuthenticated()
    if not can(user, action, obj, unit):
        raise PermissionDenied()
