"""Writes for the core app: units, users, roles, tokens. The only place core data changes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, crud, permissions
from yingji.core.errors import Conflict, PermissionDenied, ValidationFailed
from yingji.core.models import ApiToken, OrgUnit, RoleAssignment, User
from yingji.core.roles import PRIVATE_TYPES, ROLES, Action, RoleCode

__all__ = [
    "segment",
    "create_unit",
    "update_unit",
    "delete_unit",
    "create_user",
    "update_user",
    "may_grant",
    "require_manageable",
    "assign_role",
    "revoke_role",
    "issue_token",
    "revoke_token",
    "authenticate_token",
]

UNIT_FIELDS = {"code", "name", "kind", "boundary", "lat", "lng", "address", "contact_name", "contact_phone",
               "is_active"}


def segment(pk: int) -> str:
    """A unit's path segment: its id in fixed-width base 36, so siblings sort by creation."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    n = pk
    while n:
        n, r = divmod(n, 36)
        out = digits[r] + out
    return (out or "0").rjust(6, "0") + "."


def create_unit(actor, *, parent: OrgUnit | None, **fields) -> OrgUnit:
    """Create a unit under `parent` (None only for the root, by the system or a superuser)."""
    unknown = set(fields) - UNIT_FIELDS
    if unknown:
        raise ValidationFailed(details={f: [_("未知字段")] for f in sorted(unknown)})
    if parent is None and actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("只有系统管理员可以创建顶级单位"))
    unit = OrgUnit(parent=parent, **fields)
    if parent is not None:
        permissions.require(actor, Action.ADD, OrgUnit, unit=parent)
    with transaction.atomic():
        crud.full_clean(unit, exclude=["path"])
        unit.path = "?"
        crud._save(unit)
        unit.path = (parent.path if parent else "") + segment(unit.pk)
        unit.depth = parent.depth + 1 if parent else 0
        unit.save(update_fields=["path", "depth", "town", "community", "lat_band"])
        audit.record("create", unit, None, audit.snapshot(unit), actor)
    return unit


def update_unit(actor, unit: OrgUnit, changes: dict) -> OrgUnit:
    """Change a unit's fields; a new `parent` moves the whole subtree with one UPDATE."""
    changes = dict(changes)
    new_parent = changes.pop("parent", unit.parent)
    unknown = set(changes) - UNIT_FIELDS
    if unknown:
        raise ValidationFailed(details={f: [_("未知字段")] for f in sorted(unknown)})
    with transaction.atomic():
        unit = crud.get_for(actor, OrgUnit, unit.pk, Action.CHANGE, lock=True)
        if (new_parent.pk if new_parent else None) != unit.parent_id:
            _move(actor, unit, new_parent)
        return crud.update(actor, unit, changes) if changes else unit


def _move(actor, unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    if new_parent is None:
        raise ValidationFailed(details={"parent": [_("不能把单位移为顶级单位")]})
    if new_parent.path.startswith(unit.path):
        raise ValidationFailed(details={"parent": [_("不能把单位移到它自己或其下级之下")]})
    permissions.require(actor, Action.CHANGE, OrgUnit, unit=new_parent)
    before = audit.snapshot(unit)
    old_path, new_path = unit.path, new_parent.path + segment(unit.pk)
    depth_shift = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", Length(Value(old_path)) + 1)),
        depth=F("depth") + depth_shift,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    moved = list(OrgUnit.objects.filter(path__startswith=new_path))
    for u in moved:  # the subtree may now lie in another town or community of the tree
        u.locate()
    OrgUnit.objects.bulk_update(moved, ["town", "community"], batch_size=500)
    unit.refresh_from_db()
    audit.record("move", unit, before, audit.snapshot(unit), actor)


def delete_unit(actor, unit: OrgUnit) -> None:
    if unit.children.exists():
        raise Conflict(_("该单位下还有下级单位，请先移走或删除下级单位"))
    crud.delete(actor, unit)


def create_user(actor, *, username: str, password: str | None, unit: OrgUnit, display_name: str = "",
                phone: str = "", email: str = "") -> User:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = User(username=username, unit=unit, display_name=display_name, phone=phone, email=email)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(details={"password": list(exc.messages)}) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    permissions.require(actor, Action.ADD, User, unit=unit)
    with transaction.atomic():
        crud.full_clean(user, exclude=["password"])
        crud._save(user)
        audit.record("create", user, None, audit.snapshot(user), actor)
    return user


def _probe_types() -> frozenset[str]:
    """One object type per distinct rule in the role table: what a role allows on these it allows anywhere."""
    probes = set(PRIVATE_TYPES) | {"~other.~other"}
    for role in ROLES.values():
        for pattern in role.grants:
            if pattern != "*":
                probes.add(pattern.replace("*", "~other"))
    return frozenset(probes)


_PROBES = _probe_types()


def may_grant(actor, role: str, unit: OrgUnit) -> bool:
    """May `actor` hand out `role` at `unit`? Only a role they could hold themselves: every right it gives there
    must already be theirs there. System administrators are made by superusers only."""
    if actor is None or actor.is_superuser:
        return True
    if role == RoleCode.SYSTEM_ADMIN or role not in ROLES:
        return False
    if not permissions.can(actor, Action.ADD, RoleAssignment, unit=unit):
        return False
    held = [ROLES[g.role] for g in permissions.grants(actor) if unit.path.startswith(g.unit_path)]
    wanted = ROLES[role]
    return all(any(h.allows(t, a) for h in held) for t in _PROBES for a in Action.values if wanted.allows(t, a))


def require_manageable(actor, user: User) -> None:
    """Nobody acts on an account (edit, deactivate, roles, tokens) holding a role they could not grant there:
    a unit administrator cannot touch a city-wide system administrator whose home unit is in their district."""
    if actor is None or actor.is_superuser:
        return
    if user.is_superuser:
        raise PermissionDenied(_("只有超级管理员可以管理超级管理员账号"))
    for ra in user.role_assignments.select_related("unit"):
        if not may_grant(actor, ra.role, ra.unit):
            raise PermissionDenied(_("该账号拥有超出您管理范围的角色，您不能管理它"))


USER_FIELDS = {"display_name", "phone", "email", "is_active"}


def update_user(actor, user: User, changes: dict) -> User:
    """Change a person's details or deactivate them; only within the actor's reach (see require_manageable)."""
    unknown = set(changes) - USER_FIELDS
    if unknown:
        raise ValidationFailed(details={f: [_("未知字段")] for f in sorted(unknown)})
    with transaction.atomic():
        user = crud.get_for(actor, User, user.pk, Action.CHANGE, lock=True)
        require_manageable(actor, user)
        return crud.update(actor, user, changes)


def assign_role(actor, user: User, role: str, unit: OrgUnit) -> RoleAssignment:
    """Give `user` a role at `unit`. Nobody hands out a role they could not hold, nor to an account above them."""
    if role not in RoleCode.values:
        raise ValidationFailed(details={"role": [_("未知角色：%(role)s") % {"role": role}]})
    permissions.require(actor, Action.ADD, RoleAssignment, unit=unit)
    if not may_grant(actor, role, unit):
        raise PermissionDenied(_("不能授予超出自身权限的角色"))
    ra = RoleAssignment(user=user, role=role, unit=unit)
    with transaction.atomic():
        require_manageable(actor, User.objects.select_for_update().get(pk=user.pk))
        if RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
            raise Conflict(_("该用户在此单位已有此角色"))
        crud._save(ra)
        audit.record("create", ra, None, audit.snapshot(ra), actor)
    user.__dict__.pop("_yingji_grants", None)
    return ra


def revoke_role(actor, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        require_manageable(actor, User.objects.select_for_update().get(pk=assignment.user_id))
        crud.delete(actor, assignment)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(actor, user: User, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """Create a token for `user`; the plaintext is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        permissions.require(actor, Action.ADD, user)
        require_manageable(actor, user)
    if not name.strip():
        raise ValidationFailed(details={"name": [_("请填写令牌名称")]})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    plaintext = f"yj_{prefix}_{secret}"
    expires = timezone.now() + timedelta(days=days) if days else None
    token = ApiToken(user=user, name=name.strip(), prefix=prefix, key_hash=_hash(plaintext), expires_at=expires)
    with transaction.atomic():
        crud._save(token)
        audit.record("create", token, None, audit.snapshot(token), actor)
    return token, plaintext


def revoke_token(actor, token: ApiToken) -> ApiToken:
    if actor is not None and actor.pk != token.user_id:
        permissions.require(actor, Action.DELETE, token)
        require_manageable(actor, token.user)
    with transaction.atomic():
        before = audit.snapshot(token)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record("revoke", token, before, audit.snapshot(token), actor)
    return token


def authenticate_token(plaintext: str) -> User | None:
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != "yj":
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=parts[1]).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(plaintext)):
        return None
    if not token.is_valid or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

