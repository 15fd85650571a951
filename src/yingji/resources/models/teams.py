"""Rescue teams (救援队伍) with their members, and the expert pool (专家库)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import CapabilityTagged, Dispatchable, HazardTagged, OwnedModel, Place

__all__ = ["TeamKind", "TeamSpecialty", "TeamLevel", "Readiness", "Team", "TeamMember", "Expert", "ExpertLevel"]


class TeamKind(models.TextChoices):
    PROFESSIONAL = "professional", _("专业队伍")
    ENTERPRISE = "enterprise", _("企业队伍")
    SOCIAL = "social", _("社会力量")
    VOLUNTEER = "volunteer", _("志愿者队伍")
    MILITIA = "militia", _("民兵")


class TeamSpecialty(models.TextChoices):
    FIRE = "fire", _("消防救援")
    MINE = "mine", _("矿山救援")
    HAZCHEM = "hazchem", _("危化品救援")
    MEDICAL = "medical", _("医疗救护")
    FLOOD = "flood", _("防汛抢险")
    FOREST_FIRE = "forest_fire", _("森林灭火")
    POWER = "power", _("电力抢修")
    COMMS = "comms", _("通信保障")
    WATER = "water", _("水上救援")
    SEARCH = "search", _("搜救")
    GENERAL = "general", _("综合")


class TeamLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("区县级")
    GRASSROOTS = "grassroots", _("基层")


class Readiness(models.TextChoices):
    READY = "ready", _("随时待命")
    STANDBY = "standby", _("备勤")
    NOT_READY = "not_ready", _("不可用")


class Team(OwnedModel, Place, CapabilityTagged, HazardTagged, Dispatchable):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("性质"), max_length=16, choices=TeamKind.choices, db_index=True)
    specialty = models.CharField(_("专业"), max_length=16, choices=TeamSpecialty.choices, db_index=True)
    level = models.CharField(_("级别"), max_length=12, choices=TeamLevel.choices, default=TeamLevel.COUNTY)
    full_time = models.BooleanField(_("专职"), default=True)
    headcount = models.PositiveIntegerField(_("人数"), default=0)
    service_area = models.CharField(_("服务范围"), max_length=200, blank=True)
    readiness = models.CharField(_("战备状态"), max_length=12, choices=Readiness.choices, default=Readiness.READY,
                                 db_index=True)
    assemble_minutes = models.PositiveIntegerField(_("集结时间 (分钟)"), default=30)
    assembly_point = models.CharField(_("集结地点"), max_length=200, blank=True)
    principal = models.CharField(_("负责人"), max_length=50, blank=True)
    duty_phone = models.CharField(_("值班电话"), max_length=50, blank=True)
    qualifications = models.TextField(_("资质"), blank=True)
    major_rescues = models.TextField(_("重大救援经历"), blank=True)

    city_wide_read = True

    class Meta(Place.Meta):
        verbose_name = _("救援队伍")
        verbose_name_plural = _("救援队伍")
        # Covering index: the box prefilter and the capability test are answered from the index alone.
        indexes = [models.Index(fields=["lat_band", "lng", "lat", "capability_index"],
                                name="%(app_label)s_%(class)s_bandc")]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def ready_q(cls):
        return models.Q(readiness__in=(Readiness.READY, Readiness.STANDBY))


class TeamMember(OwnedModel):
    team = models.ForeignKey(Team, verbose_name=_("队伍"), on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=30, blank=True)
    squad = models.CharField(_("分队"), max_length=50, blank=True)
    phone = models.CharField(_("电话"), max_length=50, blank=True)
    skills = models.CharField(_("技能"), max_length=200, blank=True)
    certificates = models.CharField(_("证书"), max_length=200, blank=True)
    is_core = models.BooleanField(_("骨干"), default=False)

    city_wide_read = True
    audit_exclude = frozenset()
    personal_fields = frozenset({"phone"})  # masked for most readers: yingji.core.privacy

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        ordering = ["team_id", "squad", "name"]

    def __str__(self) -> str:
        return self.name


class ExpertLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("区县级")


class Expert(OwnedModel, Place, HazardTagged, Dispatchable):
    name = models.CharField(_("姓名"), max_length=50)
    category = models.CharField(_("专家类别"), max_length=40, db_index=True)
    specialties = models.CharField(_("专业特长"), max_length=300, blank=True)
    title = models.CharField(_("职称"), max_length=50, blank=True)
    level = models.CharField(_("级别"), max_length=12, choices=ExpertLevel.choices, default=ExpertLevel.CITY)
    employer = models.CharField(_("工作单位"), max_length=200, blank=True)
    experience_years = models.PositiveSmallIntegerField(_("从业年限"), default=0, validators=[MinValueValidator(0)])
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    available = models.BooleanField(_("可调用"), default=True, db_index=True)

    city_wide_read = True

    class Meta(Place.Meta):
        verbose_name = _("专家")
        verbose_name_plural = _("专家")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def ready_q(cls):
        return models.Q(available=True)
