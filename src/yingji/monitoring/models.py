"""Monitoring: stations, sensors (with a generic link to the hazard source or area they watch), readings kept
by the readings store (never through the ORM), rules and the record of every time a rule fired."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.levels import WarningLevel
from yingji.core.models import Exercise, OwnedModel, Place

__all__ = ["SensorKind", "SensorStatus", "Station", "Sensor", "Reading", "Rule", "RuleFiring", "DEFAULT_UNITS"]


class SensorKind(models.TextChoices):
    RAIN = "rain", _("雨量计")
    WATER_LEVEL = "water_level", _("水位计")
    GAS = "gas", _("气体浓度")
    DISPLACEMENT = "displacement", _("位移计")
    TEMPERATURE = "temperature", _("温度计")
    WIND = "wind", _("风速计")
    HUMIDITY = "humidity", _("湿度计")
    OTHER = "other", _("其他")


DEFAULT_UNITS = {"rain": "mm", "water_level": "m", "gas": "%LEL", "displacement": "mm", "temperature": "℃",
                 "wind": "m/s", "humidity": "%", "other": ""}


# What a sensor may watch, by model label ("app_label.model", as links name them) and id.
TARGET_MODELS = [("risk.hazardsource", _("危险源")), ("risk.hazardarea", _("风险区域"))]


class SensorStatus(models.TextChoices):
    ACTIVE = "active", _("在线")
    OFFLINE = "offline", _("离线")
    MAINTENANCE = "maintenance", _("维护中")
    RETIRED = "retired", _("停用")


class Station(OwnedModel, Place, Exercise):
    """监测站: a site holding several sensors."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)

    class Meta(Place.Meta):
        ordering = ["code"]
        verbose_name = _("监测站")

    def __str__(self) -> str:
        return self.name


class Sensor(OwnedModel, Place, Exercise):
    """传感器: one measured quantity at one place, watched for heartbeats."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=SensorKind.choices)
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    station = models.ForeignKey(Station, verbose_name=_("监测站"), null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="sensors")
    # The hazard source or area it watches, by type and id: monitoring never imports the risk module.
    target_model = models.CharField(_("监测对象类型"), max_length=60, blank=True, choices=TARGET_MODELS)
    target_id = models.PositiveBigIntegerField(_("监测对象编号"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=SensorStatus.choices, default=SensorStatus.ACTIVE)
    heartbeat_minutes = models.PositiveIntegerField(_("心跳间隔（分钟）"), default=10,
                                                    help_text=_("超过三个间隔没有数据即判为离线"))
    last_value = models.FloatField(_("最新读数"), null=True, blank=True, editable=False)
    last_at = models.DateTimeField(_("最新读数时间"), null=True, blank=True, editable=False)
    last_seen_at = models.DateTimeField(_("最近收到数据"), null=True, blank=True, editable=False)
    offline_task_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta(Place.Meta):
        ordering = ["code"]
        verbose_name = _("传感器")
        indexes = [*Place.Meta.indexes, models.Index(fields=["target_model", "target_id"], name="mon_sensor_target"),
                   models.Index(fields=["kind"], name="mon_sensor_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.unit_of_measure:
            self.unit_of_measure = DEFAULT_UNITS.get(self.kind, "")
        super().save(*args, **kwargs)


class Reading(models.Model):
    """One value of one sensor at one moment (epoch milliseconds). Written and read only by the readings store
    (`monitoring.store`); the model exists for the migration and for the admin."""

    pk = models.CompositePrimaryKey("sensor_id", "ts")
    sensor_id = models.BigIntegerField()
    ts = models.BigIntegerField()
    value = models.FloatField()

    class Meta:
        db_table = "monitoring_reading"


class Rule(OwnedModel, Exercise):
    """预警规则: a JSON definition (yingji.domain.rules.spec) mapped to a warning level and a hazard type."""

    name = models.CharField(_("名称"), max_length=100)
    hazard_type = models.CharField(_("灾种"), max_length=40)
    level = models.IntegerField(_("预警级别"), choices=WarningLevel.choices)
    definition = models.JSONField(_("规则定义"))
    enabled = models.BooleanField(_("启用"), default=True)
    area = models.JSONField(_("预警范围 (GeoJSON)"), null=True, blank=True)
    template = models.CharField(_("模板"), max_length=40, blank=True)
    last_fired_at = models.DateTimeField(_("最近触发"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("预警规则")

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """A moment a rule started to hold, kept whether or not a warnings module answered."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    fired_ms = models.BigIntegerField()
    fired_at = models.DateTimeField(_("触发时间"))
    level = models.IntegerField(_("预警级别"), choices=WarningLevel.choices)
    sensor_ids = models.JSONField(default=list)
    evidence = models.JSONField(default=dict)
    draft = models.JSONField(_("预警草稿"), null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fired_ms"]
        constraints = [models.UniqueConstraint(fields=["rule", "fired_ms"], name="mon_firing_once")]
