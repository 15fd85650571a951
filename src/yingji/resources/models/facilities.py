"""Shelters (避难场所, GB/T 35624-2017 grades I–III) and other facilities: hospitals, transport, communications,
production capacity (产能储备) and protection targets (防护目标)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import CapabilityTagged, OwnedModel, Place

__all__ = ["ShelterGrade", "ShelterType", "Shelter", "FacilityKind", "Facility"]


class ShelterGrade(models.TextChoices):
    I = "I", _("Ⅰ类（长期）")  # noqa: E741 — the standard's own name
    II = "II", _("Ⅱ类（中期）")
    III = "III", _("Ⅲ类（短期/紧急）")


class ShelterType(models.TextChoices):
    OUTDOOR = "outdoor", _("室外场地")
    INDOOR = "indoor", _("室内场所")
    MIXED = "mixed", _("室内外结合")


class Shelter(OwnedModel, Place):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    grade = models.CharField(_("等级"), max_length=4, choices=ShelterGrade.choices, db_index=True)
    shelter_type = models.CharField(_("类型"), max_length=10, choices=ShelterType.choices,
                                    default=ShelterType.OUTDOOR)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    occupancy = models.PositiveIntegerField(_("当前安置人数"), default=0)
    area_m2 = models.DecimalField(_("有效面积 (m²)"), max_digits=12, decimal_places=1, null=True, blank=True,
                                  validators=[MinValueValidator(0)])
    facilities = models.JSONField(_("配套设施"), default=list, blank=True)
    seismic_rating = models.CharField(_("抗震设防"), max_length=30, blank=True)
    is_open = models.BooleanField(_("开放"), default=False, db_index=True)
    manager = models.CharField(_("管理人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)

    city_wide_read = True
    boundary_types = ("Polygon", "MultiPolygon")

    class Meta(Place.Meta):
        verbose_name = _("避难场所")
        verbose_name_plural = _("避难场所")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class FacilityKind(models.TextChoices):
    HOSPITAL = "hospital", _("医疗机构")
    TRANSPORT_COMPANY = "transport_company", _("运输企业")
    VEHICLE = "vehicle", _("运输车辆")
    COMMS_UNIT = "comms_unit", _("通信保障单位")
    PRODUCTION = "production", _("产能储备企业")
    PROTECTION_TARGET = "protection_target", _("防护目标")


class Facility(OwnedModel, Place, CapabilityTagged):
    """The less central resource types share one table: typed capacities, free `attributes` for the rest."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=20, choices=FacilityKind.choices, db_index=True)
    subkind = models.CharField(_("细分类型"), max_length=40, blank=True,
                               help_text=_("如 学校、养老院、人员密集场所、关键基础设施、三甲医院、危货运输"))
    beds = models.PositiveIntegerField(_("床位"), null=True, blank=True)
    doctors = models.PositiveIntegerField(_("医生"), null=True, blank=True)
    nurses = models.PositiveIntegerField(_("护士"), null=True, blank=True)
    ambulances = models.PositiveIntegerField(_("救护车"), null=True, blank=True)
    vehicles = models.PositiveIntegerField(_("车辆"), null=True, blank=True)
    people = models.PositiveIntegerField(_("容纳/在册人数"), null=True, blank=True)
    capacity_note = models.CharField(_("产能/能力说明"), max_length=200, blank=True)
    attributes = models.JSONField(_("其他属性"), default=dict, blank=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)

    city_wide_read = True

    class Meta(Place.Meta):
        verbose_name = _("医疗、运输与防护目标")
        verbose_name_plural = _("医疗、运输与防护目标")
        # Covering index: the box prefilter and the capability test are answered from the index alone.
        indexes = [models.Index(fields=["lat_band", "lng", "lat", "capability_index"],
                                name="%(app_label)s_%(class)s_bandc")]
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name
