"""The shared vocabularies: capabilities (what a resource can do) and hazard types (what can happen).

Both are stored as codes on the things that carry them ({code: quantity} for capabilities, [code, …] for
hazard types), validated against these tables and indexed as ",a,b," strings so SQL can filter on them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from yingji.core.models.org import OwnedModel, RestrictedQuerySet

__all__ = ["Capability", "HazardType", "HazardCategory", "CapabilityTagged", "HazardTagged", "CodeStatus"]


class CodeStatus(models.TextChoices):
    STANDARD = "standard", _("国标代码")
    LOCAL = "local", _("本地代码")


class Capability(OwnedModel):
    """One thing a team, an equipment item or a material can do, with an optional quantity unit (排涝 m³/h)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60, unique=True)
    category = models.CharField(_("类别"), max_length=40, blank=True)
    quantity_unit = models.CharField(_("数量单位"), max_length=20, blank=True, help_text=_("如 m³/h、人、台"))
    description = models.CharField(_("说明"), max_length=300, blank=True)

    city_wide_read = True

    class Meta:
        verbose_name = _("能力")
        verbose_name_plural = _("能力")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.quantity_unit})" if self.quantity_unit else self.name


class HazardCategory(models.TextChoices):
    """The four legal categories of 突发事件 (突发事件应对法 第二条)."""

    NATURAL = "natural", _("自然灾害")
    ACCIDENT = "accident", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")
    SOCIAL_SECURITY = "social_security", _("社会安全事件")


class HazardType(models.Model):
    """One node of the hazard taxonomy: a legal category, a subtype, or a local extension under either.

    `code` is stable and what every other table and every exchange format stores. `standard_code` carries a
    national code where one is verified (GB 6441-2025's WSA codes for production-accident types)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    category = models.CharField(_("类别"), max_length=20, choices=HazardCategory.choices, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    standard_code = models.CharField(_("国标代码"), max_length=20, blank=True)
    code_status = models.CharField(_("代码来源"), max_length=10, choices=CodeStatus.choices,
                                   default=CodeStatus.LOCAL)
    is_local = models.BooleanField(_("本地扩展"), default=True)
    sort = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = None  # global: read by everybody with a role, changed only with a grant at the root
    city_wide_read = True

    class Meta:
        verbose_name = _("灾种")
        verbose_name_plural = _("灾种")
        ordering = ["sort", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        lang = get_language() or ""
        return self.name_en if lang.startswith("en") and self.name_en else self.name

    @property
    def scope_path(self) -> None:
        return None

    def clean(self):
        super().clean()
        if self.parent_id:
            parent = self.parent
            if parent.pk == self.pk:
                raise ValidationError({"parent": _("上级不能是自己")})
            self.category = parent.category
            self.depth = parent.depth + 1


def _index(codes) -> str:
    codes = sorted(set(codes))
    return ("," + ",".join(codes) + ",") if codes else ""


class CapabilityTagged(models.Model):
    """Capabilities offered, {code: quantity or null}; `capability_index` (",a,b,") makes them filterable in SQL."""

    capabilities = models.JSONField(_("能力"), default=dict, blank=True)
    capability_index = models.CharField(max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        caps = self.capabilities
        if isinstance(caps, list):
            caps = self.capabilities = {c: None for c in caps}
        if not isinstance(caps, dict) or not all(isinstance(c, str) for c in caps):
            raise ValidationError({"capabilities": _("能力须为 {代码: 数量} 的映射")})
        known = set(Capability.objects.filter(code__in=list(caps)).values_list("code", flat=True))
        unknown = sorted(set(caps) - known)
        if unknown:
            raise ValidationError({"capabilities": _("未知的能力代码：%(codes)s") % {"codes": "、".join(unknown)}})
        for code, qty in caps.items():
            if qty in (None, ""):
                caps[code] = None
                continue
            try:
                value = Decimal(str(qty))
            except (InvalidOperation, ValueError):
                raise ValidationError({"capabilities": _("能力“%(c)s”的数量不是数字") % {"c": code}}) from None
            if not value.is_finite() or value.adjusted() > 11:
                raise ValidationError({"capabilities": _("能力“%(c)s”的数量不是有效的数字") % {"c": code}})
            if value < 0:
                raise ValidationError({"capabilities": _("能力“%(c)s”的数量不能为负") % {"c": code}})
            caps[code] = str(value)

    def index_capabilities(self) -> None:
        """Refresh `capability_index`; save() calls it, bulk paths call it themselves."""
        self.capability_index = _index(self.capabilities or {})

    def save(self, *args, **kwargs):
        self.index_capabilities()
        super().save(*args, **kwargs)

    def capability_list(self) -> list[tuple[str, str | None]]:
        return sorted((self.capabilities or {}).items())


class HazardTagged(models.Model):
    """Hazard types a resource is meant for, as taxonomy codes; `hazard_index` also holds their ancestors, so a
    filter on 自然灾害 finds a team tagged 山洪."""

    hazard_types = models.JSONField(_("灾种"), default=list, blank=True)
    hazard_index = models.CharField(max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        codes = self.hazard_types
        if codes in (None, ""):
            codes = self.hazard_types = []
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise ValidationError({"hazard_types": _("灾种须为代码列表")})
        codes = self.hazard_types = sorted(set(codes))
        known = set(HazardType.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = sorted(set(codes) - known)
        if unknown:
            raise ValidationError({"hazard_types": _("未知的灾种代码：%(codes)s") % {"codes": "、".join(unknown)}})

    def index_hazards(self) -> None:
        from yingji.core import vocabulary

        self.hazard_index = _index(vocabulary.with_ancestors(self.hazard_types or []))

    def save(self, *args, **kwargs):
        self.index_hazards()
        super().save(*args, **kwargs)
