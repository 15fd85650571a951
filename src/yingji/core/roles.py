"""The roles of the platform and what each grants.

A role is assigned to a user *at a unit*; its grants apply to objects owned by that unit and every unit
under it. Object types are "app_label.model" strings; a grant pattern may be "*" or "app_label.*".
Roles live in code (not the database) so that the permission matrix is reviewed, versioned and tested
like any other rule; see docs/decisions/0002-roles-in-code.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Action", "RoleCode", "Role", "ROLES", "role_grants"]


class Action(models.TextChoices):
    VIEW = "view", _("查看")
    ADD = "add", _("新增")
    CHANGE = "change", _("修改")
    DELETE = "delete", _("删除")
    APPROVE = "approve", _("审批")
    DISPATCH = "dispatch", _("调度")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    AUDIT = "audit", _("查看审计")


ALL = frozenset(Action.values)
READ = frozenset({Action.VIEW, Action.EXPORT})
WRITE = frozenset({Action.VIEW, Action.ADD, Action.CHANGE, Action.EXPORT, Action.IMPORT})


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    COMMANDER = "commander", _("指挥长")
    DUTY_OFFICER = "duty_officer", _("值班员")
    UNIT_ADMIN = "unit_admin", _("单位管理员")
    UNIT_STAFF = "unit_staff", _("单位工作人员")
    TEAM_LEADER = "team_leader", _("队伍负责人")
    GRID_OFFICER = "grid_officer", _("网格员")
    EXPERT = "expert", _("专家")
    VIEWER = "viewer", _("观察员")


# Types whose records never leave their owner's subtree, whatever a role's "*" says.
PRIVATE_TYPES = frozenset({"core.user", "core.roleassignment", "core.apitoken", "core.auditentry"})


@dataclass(frozen=True)
class Role:
    code: str
    grants: dict[str, frozenset[str]] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return RoleCode(self.code).label

    def allows(self, object_type: str, action: str) -> bool:
        app = object_type.split(".", 1)[0]
        # Private types (people, credentials, the audit trail) need a grant that names them.
        patterns = (object_type,) if object_type in PRIVATE_TYPES else (object_type, f"{app}.*", "*")
        # The most specific pattern present decides: "core.orgunit": READ overrides "*": WRITE.
        for pattern in patterns:
            if pattern in self.grants:
                return action in self.grants[pattern]
        return False


# Object types named here that do not exist yet belong to apps still to come; naming them now keeps
# the matrix in one reviewed place.
ROLES: dict[str, Role] = {
    RoleCode.SYSTEM_ADMIN: Role(RoleCode.SYSTEM_ADMIN, {"*": ALL, **{t: ALL for t in PRIVATE_TYPES}}),
    RoleCode.COMMANDER: Role(
        RoleCode.COMMANDER,
        {
            "*": READ | {Action.APPROVE},
            "incidents.*": ALL - {Action.DELETE},
            "dispatch.*": ALL - {Action.DELETE},
            "warnings.*": ALL - {Action.DELETE},
            "alerts.*": ALL - {Action.DELETE},  # the warnings module's label (docs/decisions/0065)
            "core.auditentry": frozenset({Action.VIEW, Action.AUDIT}),
        },
    ),
    RoleCode.DUTY_OFFICER: Role(
        RoleCode.DUTY_OFFICER,
        {
            "*": READ,
            "incidents.*": WRITE | {Action.DISPATCH},
            "dispatch.*": WRITE | {Action.DISPATCH},
            "warnings.*": WRITE,
            "alerts.*": WRITE,
            "monitoring.*": WRITE,
        },
    ),
    RoleCode.UNIT_ADMIN: Role(
        RoleCode.UNIT_ADMIN,
        {
            "*": ALL - {Action.DISPATCH},
            "core.user": ALL,
            "core.roleassignment": ALL,
            "core.apitoken": frozenset({Action.VIEW, Action.DELETE}),
            "core.auditentry": frozenset({Action.VIEW, Action.AUDIT}),
        },
    ),
    RoleCode.UNIT_STAFF: Role(
        RoleCode.UNIT_STAFF,
        {
            "*": WRITE,
            "core.orgunit": READ,
        },
    ),
    RoleCode.TEAM_LEADER: Role(
        RoleCode.TEAM_LEADER,
        {"*": READ, "resources.team": WRITE, "resources.teammember": WRITE, "resources.equipment": WRITE},
    ),
    RoleCode.GRID_OFFICER: Role(
        RoleCode.GRID_OFFICER,
        {"*": READ, "risk.*": WRITE, "monitoring.report": WRITE},
    ),
    RoleCode.EXPERT: Role(RoleCode.EXPERT, {"*": READ}),
    RoleCode.VIEWER: Role(RoleCode.VIEWER, {"*": frozenset({Action.VIEW})}),
}



def role_grants(role_code: str, object_type: str, action: str) -> bool:
    role = ROLES.get(role_code)
    return bool(role and role.allows(object_type, action))
