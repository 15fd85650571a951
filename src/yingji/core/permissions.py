"""The one mechanism that decides what a user may see and do.

Every queryset shown to a user goes through `restrict(qs, user, action)`; every write goes through
`require(user, action, obj)`. A role held at a unit applies to that unit's whole subtree. On top of the
owner's subtree, a model may say:
- `city_wide_read = True`: a shared registry, readable by anybody holding any role;
- `participant_actions = {"view", …}`: units recorded as participants (yingji.core.models.Participant: the
  co-handling unit of a task, a unit dispatched to an incident, a unit inside a warning's area) and their
  superiors may do these actions too;
- `public_q()` (a classmethod returning a Q): rows anybody may read, without logging in;
- `scope_q(paths)` (a classmethod): its own rule for "inside these subtrees" (the audit log follows the
  subject's current unit); `scope_path_field = None`: a global vocabulary, changed only with a root grant.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

from yingji.core.errors import NotAuthenticated, PermissionDenied
from yingji.core.roles import Action, role_grants

__all__ = ["object_type", "Grant", "grants", "scopes", "restrict", "can", "require", "unit_allows", "scope_q",
           "participant_q", "units_for"]


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


def _root_paths(paths: list[str]) -> list[str]:
    return [p for p in paths if p.count(".") == 1]


def scope_q(model, paths: list[str]) -> Q:
    """Rows of `model` inside the subtrees `paths` (the per-model hook, or the owner's path)."""
    hook = getattr(model, "scope_q", None)
    if hook is not None:
        return hook(paths)
    field = getattr(model, "scope_path_field", None)
    if field is None:  # a global vocabulary: all of it, for a grant at the root only
        return Q() if _root_paths(paths) else Q(pk__in=[])
    cond = Q()
    for p in paths:
        cond |= Q(**{f"{field}__startswith": p})
    return cond


def participant_q(model, paths: list[str]) -> Q | None:
    """Rows of `model` in which a unit inside `paths` takes part (None when the model has no participants)."""
    from django.contrib.contenttypes.models import ContentType

    from yingji.core.models import Participant

    ct = ContentType.objects.get_for_model(model)
    cond = Q()
    for p in paths:
        cond |= Q(unit__path__startswith=p)
    ids = Participant.objects.filter(cond, subject_type=ct).values("subject_id")
    return Q(pk__in=ids)


def _public(model, action: str) -> Q | None:
    hook = getattr(model, "public_q", None)
    return hook() if hook is not None and action == Action.VIEW else None


def restrict(qs: QuerySet, user, action: str = Action.VIEW) -> QuerySet:
    model = qs.model
    public = _public(model, action)
    if not _active(user):
        return qs.filter(public) if public is not None else qs.none()
    if action == Action.VIEW and getattr(model, "city_wide_read", False) and (user.is_superuser or grants(user)):
        return qs
    paths = scopes(user, object_type(model), action)
    if paths is None:
        return qs
    if not paths:
        return qs.filter(public) if public is not None else qs.none()
    cond = scope_q(model, paths)
    if action in getattr(model, "participant_actions", ()):
        cond |= participant_q(model, paths)
    if public is not None:
        cond |= public
    return qs.filter(cond)


def _participates(user, action: str, obj: Model) -> bool:
    if action not in getattr(type(obj), "participant_actions", ()):
        return False
    paths = scopes(user, object_type(obj), action)
    if not paths:
        return paths is None
    return type(obj)._default_manager.filter(participant_q(type(obj), paths), pk=obj.pk).exists()


def unit_allows(user, action: str, otype: str, unit_path: str | None) -> bool:
    paths = scopes(user, otype, action)
    if paths is None:
        return True
    if unit_path is None:  # a global vocabulary
        return bool(_root_paths(paths))
    return any(unit_path.startswith(p) for p in paths)


def can(user, action: str, obj: Model | type[Model], unit=None) -> bool:
    """May `user` do `action` on `obj` (an instance), or on a new `obj` (a model) owned by `unit`?"""
    if isinstance(obj, Model) and action == Action.VIEW and _public(type(obj), action) is not None \
            and type(obj)._default_manager.filter(_public(type(obj), action), pk=obj.pk).exists():
        return True
    if not _active(user):
        return False
    otype = object_type(obj)
    if action == Action.VIEW and getattr(obj, "city_wide_read", False) and (user.is_superuser or grants(user)):
        return True
    if unit is not None:
        path = unit.path
    elif isinstance(obj, Model):
        path = obj.scope_path
        if path is not None and unit_allows(user, action, otype, path):
            return True
        return (path is None and unit_allows(user, action, otype, None)) or _participates(user, action, obj)
    elif getattr(obj, "scope_path_field", "") is None:
        return unit_allows(user, action, otype, None)
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


def units_for(user, otype: str, action: str) -> QuerySet:
    """Active units where `user` may do `action` on objects of `otype` (for owner-unit pickers)."""
    from yingji.core.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True)
    paths = scopes(user, otype, action)
    if paths is None:
        return units
    if not paths:
        return units.none()
    return units.filter(scope_q(OrgUnit, paths))
