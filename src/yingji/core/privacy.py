"""Who may read people's personal contact details (a team member's mobile number) in the shared registries.

The registries are readable city-wide, but a person's mobile number is not a registry fact: it is shown to
the people who call them out or keep their record, and masked (139****5678) for everyone else. A model
names its personal fields in `personal_fields`. See docs/decisions/0017-personal-contact-details.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db.models import Model

from yingji.core.permissions import grants, object_type
from yingji.core.roles import Action, RoleCode, role_grants

__all__ = ["CONTACT_ROLES", "may_see_contacts", "may_see_contacts_at", "mask_phone", "redacted", "redact"]

# Roles that call people out, within their scope, whoever keeps the record.
CONTACT_ROLES = frozenset({RoleCode.COMMANDER, RoleCode.DUTY_OFFICER})


def may_see_contacts(user, obj: Model) -> bool:
    """Superusers; and, holding a role at the record's owner unit or above it, commanders and duty officers
    (they call people out) and whoever may change the record (the unit's administrators, staff, team leaders).
    `user=None` is the system itself."""
    if user is None:
        return True
    return may_see_contacts_at(user, obj.scope_path, object_type(obj))


def may_see_contacts_at(user, path: str, otype: str) -> bool:
    """The same rule for a record known only by its owner unit's path and its type (rows read as values, as
    the map's features are)."""
    if user is None:
        return True
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if user.is_superuser:
        return True
    return any(path.startswith(g.unit_path) and (g.role in CONTACT_ROLES or role_grants(g.role, otype, Action.CHANGE))
               for g in grants(user))


def mask_phone(value: str) -> str:
    """'13912345678' → '139****5678'; short numbers are hidden whole."""
    if not value:
        return value
    if len(value) >= 11:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)


def redacted(user, objs: Iterable[Model]) -> Iterator[Model]:
    """The objects, with personal fields masked on those `user` may not see in full (in memory, never saved)."""
    for obj in objs:
        fields = getattr(obj, "personal_fields", ())
        if fields and not may_see_contacts(user, obj):
            for name in fields:
                setattr(obj, name, mask_phone(getattr(obj, name)))
            obj._personal_masked = True
        yield obj


def redact(user, objs: Iterable[Model]) -> list[Model]:
    return list(redacted(user, objs))
