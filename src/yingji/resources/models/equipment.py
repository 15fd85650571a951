"""Equipment (装备) with its inspection interval and inspection records."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.models import CapabilityTagged, Dispatchable, OwnedModel, Place
from yingji.resources.models.teams import Team

__all__ = ["EquipmentStatus", "Equipment", "Inspection"]


class EquipmentStatus(models.TextChoices):
    AVAILABLE = "available", _("可用")
    MAINTENANCE = "maintenance", _("维修保养")
    RETIRED = "retired", _("已报废")


class Equipment(OwnedModel, Place, CapabilityTagged, Dispatchable):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    equipment_type = models.CharField(_("装备类型"), max_length=60, db_index=True)
    model_no = models.CharField(_("规格型号"), max_length=100, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=EquipmentStatus.choices,
                              default=EquipmentStatus.AVAILABLE, db_index=True)
    team = models.ForeignKey(Team, verbose_name=_("所属队伍"), null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="equipment")
    inspection_interval_days = models.PositiveIntegerField(_("检查周期 (天)"), null=True, blank=True)
    last_inspected_on = models.DateField(_("上次检查"), null=True, blank=True)
    next_inspection_due = models.DateField(_("下次检查到期"), null=True, blank=True, db_index=True, editable=False)

    city_wide_read = True

    class Meta(Place.Meta):
        verbose_name = _("装备")
        verbose_name_plural = _("装备")
        # Covering index: the box prefilter and the capability test are answered from the index alone.
        indexes = [models.Index(fields=["lat_band", "lng", "lat", "capability_index"],
                                name="%(app_label)s_%(class)s_bandc")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} {self.code}"

    def compute_due(self) -> None:
        """Next inspection = last + interval; never inspected counts as due now. A due date past the calendar's
        end (year 9999) is the input's fault: ValidationError, which clean() raises before anything is saved."""
        if not self.inspection_interval_days:
            self.next_inspection_due = None
        elif self.last_inspected_on:
            try:
                self.next_inspection_due = self.last_inspected_on + dt.timedelta(days=self.inspection_interval_days)
            except (OverflowError, TypeError):
                raise ValidationError({"inspection_interval_days": _("下次检查日期超出日历范围，请核对检查周期和上次检查日期")}) from None
        else:
            self.next_inspection_due = timezone.localdate()

    def clean(self):
        super().clean()
        self.compute_due()

    def save(self, *args, **kwargs):
        self.compute_due()
        super().save(*args, **kwargs)

    @classmethod
    def ready_q(cls):
        return models.Q(status=EquipmentStatus.AVAILABLE)

    @property
    def inspection_overdue(self) -> bool:
        return (self.status != EquipmentStatus.RETIRED and self.next_inspection_due is not None
                and self.next_inspection_due < timezone.localdate())


class Inspection(OwnedModel):
    equipment = models.ForeignKey(Equipment, verbose_name=_("装备"), on_delete=models.CASCADE,
                                  related_name="inspections")
    inspected_on = models.DateField(_("检查日期"))
    passed = models.BooleanField(_("合格"), default=True)
    inspector = models.CharField(_("检查人"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    city_wide_read = True

    class Meta:
        verbose_name = _("装备检查记录")
        verbose_name_plural = _("装备检查记录")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.equipment_id} {self.inspected_on}"
