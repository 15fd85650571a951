"""隐患排查治理: inspection plans by grid cell or enterprise, inspection records with their checklists, and hidden
dangers (一般/重大) from report to rectification (a supervised Task), verification and closure (销号)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import HazardTagged, OrgUnit, OwnedModel, Place


class InspectionPlan(OwnedModel):
    """排查计划: who inspects what (a grid cell or an enterprise), how often, against which checklist."""

    name = models.CharField(_("名称"), max_length=200)
    grid_cell = models.ForeignKey("risk.GridCell", verbose_name=_("网格"), null=True, blank=True,
                                  on_delete=models.CASCADE, related_name="+")
    enterprise = models.ForeignKey(OrgUnit, verbose_name=_("企业"), null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="+", limit_choices_to={"kind": "enterprise"})
    checklist = models.JSONField(_("检查项"), default=list, blank=True)
    interval_days = models.PositiveSmallIntegerField(_("周期（天）"), default=30)
    next_due = models.DateField(_("下次排查日期"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("排查计划")
        verbose_name_plural = _("排查计划")
        ordering = ["next_due", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.grid_cell_id is None and self.enterprise_id is None:
            raise ValidationError({"grid_cell": _("请选择网格或企业")})
        if self.enterprise_id and self.enterprise.kind != "enterprise":
            raise ValidationError({"enterprise": _("所选单位不是企业")})


class Inspection(OwnedModel):
    """排查记录: one inspection, its checklist answered item by item ({"items": [{item, ok, note}]})."""

    plan = models.ForeignKey(InspectionPlan, verbose_name=_("排查计划"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="inspections")
    grid_cell = models.ForeignKey("risk.GridCell", verbose_name=_("网格"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    enterprise = models.ForeignKey(OrgUnit, verbose_name=_("企业"), null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", limit_choices_to={"kind": "enterprise"})
    inspector = models.CharField(_("检查人"), max_length=100)
    inspected_on = models.DateField(_("检查日期"))
    results = models.JSONField(_("检查结果"), default=dict, blank=True)
    findings = models.TextField(_("检查情况"), blank=True)

    class Meta:
        verbose_name = _("排查记录")
        verbose_name_plural = _("排查记录")
        ordering = ["-inspected_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.inspected_on} {self.inspector}"


class DangerGrade(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class DangerState(models.TextChoices):
    REPORTED = "reported", _("待交办")
    RECTIFYING = "rectifying", _("整改中")
    VERIFYING = "verifying", _("待验收")
    CLOSED = "closed", _("已销号")
    CANCELLED = "cancelled", _("已撤销")


class DangerSource(models.TextChoices):
    GRID = "grid", _("网格员巡查")
    SELF = "self", _("企业自查")
    INSPECTION = "inspection", _("监督检查")
    PUBLIC = "public", _("群众举报")


OPEN_STATES = (DangerState.REPORTED, DangerState.RECTIFYING, DangerState.VERIFYING)


class HiddenDanger(OwnedModel, Place, HazardTagged):
    """事故隐患: found by a grid officer, an enterprise's own check or an inspection; its rectification is a
    supervised Task (yingji.supervision) handed to the responsible unit with an order and a deadline; the
    responsible unit uploads evidence, the supervising town verifies and closes it (销号). Past the deadline it
    is escalated once (jobs.py). The responsible unit takes part (participants) and so sees and acts on it."""

    code = models.CharField(_("隐患编号"), max_length=24, unique=True)
    name = models.CharField(_("隐患名称"), max_length=200)
    description = models.TextField(_("隐患描述"), blank=True)
    grade = models.CharField(_("隐患等级"), max_length=8, choices=DangerGrade.choices, default=DangerGrade.GENERAL)
    state = models.CharField(_("状态"), max_length=12, choices=DangerState.choices, default=DangerState.REPORTED,
                             editable=False)
    found_by = models.CharField(_("发现途径"), max_length=12, choices=DangerSource.choices,
                                default=DangerSource.GRID)
    grid_cell = models.ForeignKey("risk.GridCell", verbose_name=_("所在网格"), null=True, blank=True,
                                  editable=False, on_delete=models.SET_NULL, related_name="+")
    enterprise = models.ForeignKey(OrgUnit, verbose_name=_("企业"), null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", limit_choices_to={"kind": "enterprise"})
    hazard_source = models.ForeignKey("risk.HazardSource", verbose_name=_("危险源"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="dangers")
    inspection = models.ForeignKey(Inspection, verbose_name=_("排查记录"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="dangers")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", editable=False)
    reporter_name = models.CharField(_("报告人姓名"), max_length=100, blank=True, editable=False)
    reported_at = models.DateTimeField(_("报告时间"), editable=False)
    supervising_unit = models.ForeignKey(OrgUnit, verbose_name=_("督办单位"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", editable=False)
    responsible_unit = models.ForeignKey(OrgUnit, verbose_name=_("整改责任单位"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", editable=False)
    responsible_person = models.CharField(_("整改责任人"), max_length=100, blank=True, editable=False)
    order = models.TextField(_("整改要求"), blank=True, editable=False)
    deadline = models.DateField(_("整改期限"), null=True, blank=True, editable=False)
    task = models.ForeignKey("supervision.Task", verbose_name=_("督办任务"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+", editable=False)
    ordered_at = models.DateTimeField(_("交办时间"), null=True, blank=True, editable=False)
    rectified_at = models.DateTimeField(_("整改完成时间"), null=True, blank=True, editable=False)
    rectification = models.TextField(_("整改情况"), blank=True, editable=False)
    verified_at = models.DateTimeField(_("验收时间"), null=True, blank=True, editable=False)
    verification = models.TextField(_("验收意见"), blank=True, editable=False)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("超期升级时间"), null=True, blank=True, editable=False)

    participant_actions = ("view", "change")

    class Meta(Place.Meta):
        verbose_name = _("隐患")
        verbose_name_plural = _("隐患")
        ordering = ["-reported_at", "-pk"]
        indexes = [*Place.Meta.indexes, models.Index(fields=["state", "deadline"], name="risk_danger_state_due")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def index_place(self) -> None:
        super().index_place()
        from yingji.risk import geo

        self.grid_cell_id = geo.cell_id_at(self.lat, self.lng)

    @property
    def is_overdue(self) -> bool:
        from django.utils import timezone

        return (self.state == DangerState.RECTIFYING and self.deadline is not None
                and self.deadline < timezone.localdate())
