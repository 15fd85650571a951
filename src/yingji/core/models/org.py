"""The organisation tree, users and their roles at units, API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.models.place import Place
from yingji.core.roles import RoleCode

__all__ = [
    "RestrictedQuerySet",
    "OrgUnitKind",
    "OrgUnit",
    "OwnedModel",
    "User",
    "RoleAssignment",
    "ApiToken",
]


class RestrictedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what a user may do (see yingji.core.permissions)."""

    def restrict(self, user, action: str = "view"):
        from yingji.core.permissions import restrict

        return restrict(self, user, action)


class OrgUnitKind(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区/县")
    TOWN = "town", _("镇/街道")
    COMMUNITY = "community", _("社区/村")
    DEPARTMENT = "department", _("部门")
    ENTERPRISE = "enterprise", _("企业")
    RESCUE_ORG = "rescue_org", _("救援组织")
    SOCIAL_ORG = "social_org", _("社会组织")


class OrgUnit(Place):
    """Every unit in one tree. `path` is a materialised path so a subtree is one indexed prefix query."""

    code = models.CharField(_("代码"), max_length=32, unique=True,
                            help_text=_("行政区划代码或统一社会信用代码"))
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgUnitKind.choices, db_index=True)
    parent = models.ForeignKey("self", verbose_name=_("上级单位"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    scope_path_field = "path"
    city_wide_read = True
    boundary_types = ("Polygon", "MultiPolygon")

    class Meta(Place.Meta):
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    @property
    def owner_unit(self) -> OrgUnit:
        return self

    @property
    def scope_path(self) -> str:
        return self.path

    def locate(self) -> None:
        """A unit lies in its own tree: its town and community are itself or its ancestors of those kinds."""
        if not self.path or self.path == "?":
            self.town_id = self.community_id = None
            return
        ids = [int(seg, 36) for seg in self.path.strip(".").split(".") if seg]
        kinds = dict(OrgUnit.objects.filter(pk__in=ids, kind__in=("town", "community")).values_list("kind", "pk"))
        if self.kind in ("town", "community") and self.pk:
            kinds[self.kind] = self.pk
        self.town_id, self.community_id = kinds.get("town"), kinds.get("community")

    def subtree(self):
        """This unit and every unit under it: one indexed prefix query."""
        return OrgUnit.objects.filter(path__startswith=self.path)

    def ancestors(self):
        ids = [int(seg, 36) for seg in self.path.strip(".").split(".") if seg]
        return sorted(OrgUnit.objects.filter(pk__in=ids[:-1]), key=lambda u: u.depth)


class OwnedModel(models.Model):
    """Base of everything a unit owns: visibility and write rights follow the owner's place in the tree."""

    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    scope_path_field = "owner_unit__path"
    # Shared registries (resources, plans …) set this: everybody with a role reads them city-wide.
    city_wide_read = False

    class Meta:
        abstract = True

    @property
    def scope_path(self) -> str:
        return self.owner_unit.path


class YingjiUserManager(UserManager.from_queryset(RestrictedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in. Their rights come from RoleAssignments, never from Django's permissions."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=50, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("所属单位"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="users")

    objects = YingjiUserManager()

    scope_path_field = "unit__path"
    city_wide_read = False
    audit_exclude = frozenset({"password", "last_login"})

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def owner_unit(self):
        return self.unit

    @property
    def scope_path(self) -> str:
        return self.unit.path if self.unit_id else ""


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=RoleCode.choices)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("作用范围"), on_delete=models.PROTECT,
                             related_name="role_assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "unit__path"
    city_wide_read = False

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="uniq_role_assignment")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.unit}"

    @property
    def owner_unit(self):
        return self.unit

    @property
    def scope_path(self) -> str:
        return self.unit.path


class ApiToken(models.Model):
    """A machine credential. Only a SHA-256 of the secret is stored; the prefix finds the row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "user__unit__path"
    city_wide_read = False
    audit_exclude = frozenset({"key_hash", "last_used_at"})

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def owner_unit(self):
        return self.user.unit

    @property
    def scope_path(self) -> str:
        return self.user.scope_path

    @property
    def is_valid(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
