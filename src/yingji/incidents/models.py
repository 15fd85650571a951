"""事件指挥: incidents from the first call to the review — intake, grading, information reports (信息报送), the
command post and its working groups, requests and dispatch orders, situation reports (信息快报) and the review."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.levels import EventLevel
from yingji.core.models import Exercise, OrgUnit, OwnedModel, Place, RestrictedQuerySet

__all__ = ["Source", "Phase", "Incident", "GradingRule", "ReportKind", "ReportRule", "InfoReport",
           "DispatchStatus", "Dispatch", "Request", "CommandPost", "WorkingGroup", "SituationReport", "Review",
           "ACTIVE_PHASES", "OPEN_DISPATCH"]


class Source(models.TextChoices):
    PHONE = "phone", _("电话报警")
    LINK_110 = "110", _("110联动")
    LINK_119 = "119", _("119联动")
    LINK_120 = "120", _("120联动")
    UNIT = "unit", _("单位报告")
    PUBLIC = "public", _("群众报告")
    SENSOR = "sensor", _("监测预警")
    SYSTEM = "system", _("其他系统")


class Phase(models.TextChoices):
    REPORTED = "reported", _("接报")
    RESPONDING = "responding", _("处置中")
    RECOVERY = "recovery", _("善后")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已合并")


ACTIVE_PHASES = (Phase.REPORTED, Phase.RESPONDING, Phase.RECOVERY)


class Incident(OwnedModel, Place, Exercise):
    """One emergency: where, what, how bad (graded), and everything done about it (its timeline)."""

    title = models.CharField(_("事件名称"), max_length=200)
    hazard_type = models.CharField(_("事件类型"), max_length=40)
    source = models.CharField(_("信息来源"), max_length=12, choices=Source.choices, default=Source.PHONE)
    source_ref = models.CharField(_("来源编号"), max_length=100, blank=True)
    caller_name = models.CharField(_("报告人"), max_length=100, blank=True)
    callback_phone = models.CharField(_("回拨电话"), max_length=50, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    reported_at = models.DateTimeField(_("接报时间"))
    deaths = models.PositiveIntegerField(_("死亡人数"), default=0)
    missing = models.PositiveIntegerField(_("失踪人数"), default=0)
    serious_injuries = models.PositiveIntegerField(_("重伤人数"), default=0)
    injuries = models.PositiveIntegerField(_("轻伤人数"), default=0)
    trapped = models.PositiveIntegerField(_("被困人数"), default=0)
    affected = models.PositiveIntegerField(_("受灾人数"), default=0)
    direct_loss_wan_yuan = models.DecimalField(_("直接经济损失（万元）"), max_digits=14, decimal_places=2, default=0)
    description = models.TextField(_("事件概况"), blank=True)
    level = models.IntegerField(_("事件级别"), choices=EventLevel.choices, null=True, blank=True)
    level_basis = models.CharField(_("定级依据"), max_length=300, blank=True)
    # Opened from a warning of this colour (1 red … 4 blue): the incident is graded at least that severe, also when
    # later figures are lower.
    warning_level = models.IntegerField(_("来源预警级别"), null=True, blank=True, editable=False)
    phase = models.CharField(_("阶段"), max_length=12, choices=Phase.choices, default=Phase.REPORTED, db_index=True)
    merged_into = models.ForeignKey("self", verbose_name=_("并入"), null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="merged")
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)

    participant_actions = ("view",)

    class Meta(Place.Meta):
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        ordering = ["-reported_at", "-pk"]
        indexes = [*Place.Meta.indexes, models.Index(fields=["phase", "hazard_type"], name="incident_phase_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def reference(self) -> str:
        return f"SJ{self.reported_at:%Y%m%d}-{self.pk:05d}"


class GradingRule(models.Model):
    """An editable row of the grading table for hazard types other than production-safety accidents: the event
    reaches `level` when any stated threshold is reached (deaths, serious injuries, loss, people affected)."""

    hazard_type = models.CharField(_("适用事件类型（含下级）"), max_length=40)
    level = models.IntegerField(_("事件级别"), choices=EventLevel.choices)
    min_deaths = models.PositiveIntegerField(_("死亡人数≥"), null=True, blank=True)
    min_serious_injuries = models.PositiveIntegerField(_("重伤人数≥"), null=True, blank=True)
    min_loss_wan_yuan = models.DecimalField(_("直接经济损失≥（万元）"), max_digits=14, decimal_places=2, null=True,
                                            blank=True)
    min_affected = models.PositiveIntegerField(_("受灾人数≥"), null=True, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = None  # a city-wide table, changed with a grant at the root only
    city_wide_read = True

    class Meta:
        verbose_name = _("分级规则")
        verbose_name_plural = _("分级规则")
        ordering = ["hazard_type", "level"]

    def __str__(self) -> str:
        return f"{self.hazard_type} {self.get_level_display()}"

    @property
    def scope_path(self):
        return None


class ReportKind(models.TextChoices):
    INITIAL = "initial", _("初报")
    FOLLOW_UP = "follow_up", _("续报")
    FINAL = "final", _("终报")


class ReportChannel(models.TextChoices):
    PHONE = "phone", _("电话")
    WRITTEN = "written", _("书面")


class ReportRule(models.Model):
    """A local reporting deadline (e.g. 30 min by phone, 1 h in writing), counted from the report of the incident
    (initial), from the previous report (follow-up) or from the end of response (final)."""

    kind = models.CharField(_("报告类型"), max_length=12, choices=ReportKind.choices)
    channel = models.CharField(_("报送方式"), max_length=10, choices=ReportChannel.choices)
    minutes = models.PositiveIntegerField(_("时限（分钟）"))
    max_level = models.IntegerField(_("适用最低级别"), choices=EventLevel.choices, default=EventLevel.IV,
                                    help_text=_("级别数值不大于此值的事件适用"))
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = None
    city_wide_read = True

    class Meta:
        verbose_name = _("报送时限")
        verbose_name_plural = _("报送时限")
        ordering = ["kind", "minutes"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_channel_display()} {self.minutes}′"

    @property
    def scope_path(self):
        return None


class InfoReport(OwnedModel, Exercise):
    """One due report of an incident (初报/续报/终报, by phone or in writing): due time, when it was sent."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField(_("报告类型"), max_length=12, choices=ReportKind.choices)
    channel = models.CharField(_("报送方式"), max_length=10, choices=ReportChannel.choices)
    due_at = models.DateTimeField(_("报送时限"))
    basis = models.CharField(_("时限依据"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.CharField(_("报送人"), max_length=150, blank=True)
    recipient = models.CharField(_("报送对象"), max_length=200, blank=True)
    text = models.TextField(_("报告内容"), blank=True)
    overdue_task_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("信息报送")
        verbose_name_plural = _("信息报送")
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident} {self.get_kind_display()}（{self.get_channel_display()}）"


class DispatchStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("已调派")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已拒绝")
    EN_ROUTE = "en_route", _("在途")
    ON_SCENE = "on_scene", _("到场")
    RELEASED = "released", _("已归建")
    CANCELLED = "cancelled", _("已取消")


OPEN_DISPATCH = (DispatchStatus.DISPATCHED, DispatchStatus.ACCEPTED, DispatchStatus.EN_ROUTE, DispatchStatus.ON_SCENE)
# The order a dispatch walks through; each step stamps its own time.
NEXT_STATUS = {
    DispatchStatus.DISPATCHED: (DispatchStatus.ACCEPTED, DispatchStatus.DECLINED, DispatchStatus.CANCELLED),
    DispatchStatus.ACCEPTED: (DispatchStatus.EN_ROUTE, DispatchStatus.ON_SCENE, DispatchStatus.RELEASED,
                              DispatchStatus.CANCELLED),
    DispatchStatus.EN_ROUTE: (DispatchStatus.ON_SCENE, DispatchStatus.RELEASED),
    DispatchStatus.ON_SCENE: (DispatchStatus.RELEASED,),
}


class Dispatch(OwnedModel, Exercise):
    """A dispatch order: one team, equipment item, expert or material lot sent to an incident. Owned by the
    incident's unit; the resource's own unit sees it too (it accepts or declines)."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="dispatches")
    resource_type = models.CharField(_("资源类型"), max_length=20)
    resource_id = models.PositiveBigIntegerField(_("资源编号"))
    resource_name = models.CharField(_("资源"), max_length=200)
    resource_unit = models.ForeignKey(OrgUnit, verbose_name=_("资源所属单位"), on_delete=models.PROTECT,
                                      related_name="+")
    capability = models.CharField(_("能力"), max_length=40, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3, null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=DispatchStatus.choices,
                              default=DispatchStatus.DISPATCHED, db_index=True)
    eta_s = models.FloatField(_("预计到达（秒）"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("调派时间"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    declined_at = models.DateTimeField(_("拒绝时间"), null=True, blank=True)
    en_route_at = models.DateTimeField(_("出发时间"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("到场时间"), null=True, blank=True)
    released_at = models.DateTimeField(_("归建时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    commitment_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    movement_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    participant_actions = ("view",)  # the resource's unit takes part (participants.add at dispatch)

    @classmethod
    def scope_q(cls, paths):
        cond = Q()
        for p in paths:
            cond |= Q(owner_unit__path__startswith=p) | Q(resource_unit__path__startswith=p)
        return cond

    class Meta:
        verbose_name = _("调派单")
        verbose_name_plural = _("调派单")
        ordering = ["dispatched_at", "pk"]
        indexes = [models.Index(fields=["resource_type", "resource_id", "status"], name="dispatch_res_idx")]

    def __str__(self) -> str:
        return f"{self.resource_name} → {self.incident}"

    @property
    def scope_path(self) -> str:
        return self.owner_unit.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_DISPATCH


class Request(OwnedModel):
    """A demand line of an incident: a capability and the quantity needed (what "optimise" allocates)."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="requests")
    capability = models.CharField(_("能力"), max_length=40)
    quantity = models.DecimalField(_("需求数量"), max_digits=14, decimal_places=3)
    priority = models.PositiveSmallIntegerField(_("优先级"), default=3)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_open = models.BooleanField(_("待满足"), default=True)

    class Meta:
        verbose_name = _("资源需求")
        verbose_name_plural = _("资源需求")
        ordering = ["-priority", "pk"]

    def __str__(self) -> str:
        return f"{self.incident}: {self.capability} × {self.quantity}"


class CommandPost(OwnedModel):
    """指挥部: where and who commands the incident."""

    incident = models.OneToOneField(Incident, verbose_name=_("事件"), on_delete=models.CASCADE,
                                    related_name="command_post")
    name = models.CharField(_("名称"), max_length=200)
    commander = models.CharField(_("总指挥"), max_length=100)
    deputy = models.CharField(_("副总指挥"), max_length=100, blank=True)
    location = models.CharField(_("指挥部位置"), max_length=200, blank=True)
    set_up_at = models.DateTimeField(_("成立时间"))

    class Meta:
        verbose_name = _("现场指挥部")
        verbose_name_plural = _("现场指挥部")

    def __str__(self) -> str:
        return self.name


class WorkingGroup(OwnedModel):
    """工作组 of the command post (综合协调, 抢险救援, 医疗救治 …): the lead unit and people in roles."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("工作组"), max_length=100)
    lead_unit = models.ForeignKey(OrgUnit, verbose_name=_("牵头单位"), on_delete=models.PROTECT, related_name="+")
    leader = models.CharField(_("组长"), max_length=100, blank=True)
    members = models.JSONField(_("成员"), default=list, blank=True)  # [{"name", "role", "phone"}]
    duties = models.CharField(_("职责"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("工作组")
        verbose_name_plural = _("工作组")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class SituationReport(OwnedModel, Exercise):
    """信息快报: drafted from the record in the usual structure, edited, then sent (and no longer editable)."""

    incident = models.ForeignKey(Incident, verbose_name=_("事件"), on_delete=models.CASCADE,
                                 related_name="sitreps")
    number = models.PositiveIntegerField(_("期数"))
    title = models.CharField(_("标题"), max_length=200)
    time_text = models.TextField(_("时间"), blank=True)
    place_text = models.TextField(_("地点"), blank=True)
    overview = models.TextField(_("事件概况"), blank=True)
    casualties = models.TextField(_("伤亡情况"), blank=True)
    response = models.TextField(_("处置情况"), blank=True)
    next_steps = models.TextField(_("下一步措施"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    sent_to = models.CharField(_("报送对象"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("信息快报")
        verbose_name_plural = _("信息快报")
        ordering = ["incident", "number"]
        constraints = [models.UniqueConstraint(fields=["incident", "number"], name="uniq_sitrep_number")]

    def __str__(self) -> str:
        return self.title


class Review(OwnedModel):
    """复盘评估: timings computed from the timeline against targets, the lessons, follow-up tasks."""

    incident = models.OneToOneField(Incident, verbose_name=_("事件"), on_delete=models.CASCADE,
                                    related_name="review")
    timings = models.JSONField(_("时效"), default=dict)
    lessons = models.TextField(_("经验教训"), blank=True)
    reviewed_by = models.CharField(_("评估人"), max_length=150, blank=True)
    follow_up_task_ids = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("复盘评估")
        verbose_name_plural = _("复盘评估")

    def __str__(self) -> str:
        return f"{self.incident} 复盘"
