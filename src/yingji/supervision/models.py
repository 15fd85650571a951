"""督查督办: one Task for every piece of assigned work, its handling units (主办/协办) each with a deadline, a state,
progress notes and a reply, the requester's feedback, and the editable table of result codes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models import OrgUnit, OwnedModel, RestrictedQuerySet

__all__ = ["ResultCode", "TaskState", "AssignmentState", "Source", "Urgency", "Satisfaction", "CommMode",
           "HandlingRole", "Task", "Assignment", "ProgressNote", "DEFAULT_DIMENSIONS", "dimensions", "MeetingKind",
           "Meeting", "Decision", "ResponsibilityList"]

# 办理态度 20, 联系沟通 20, 答复质量 30, 问题解决 30: the seed's 20/20/28/28 fits under these maxima.
DEFAULT_DIMENSIONS = (("办理态度", 20), ("联系沟通", 20), ("答复质量", 30), ("问题解决", 30))


def dimensions() -> tuple[tuple[str, int], ...]:
    """The feedback dimensions and their maxima (setting YINGJI["SUPERVISION_DIMENSIONS"])."""
    return tuple(tuple(d) for d in getattr(settings, "YINGJI", {}).get("SUPERVISION_DIMENSIONS", DEFAULT_DIMENSIONS))


class ResultCode(models.Model):
    """办理结果代码: A 解决采纳, B 逐步解决, C 留作参考 … (editable by a city-level administrator)."""

    code = models.CharField(_("代码"), max_length=8, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    counts_as_resolved = models.BooleanField(_("视为已解决"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = None  # a global vocabulary: changed only with a grant at the root
    city_wide_read = True

    class Meta:
        verbose_name = _("办理结果代码")
        verbose_name_plural = _("办理结果代码")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}.{self.name}"

    @property
    def scope_path(self):
        return None


class TaskState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ASSIGNED = "assigned", _("已交办")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")
    RETURNED = "returned", _("已退回")
    REOPENED = "reopened", _("重新办理")
    CANCELLED = "cancelled", _("已撤销")


class AssignmentState(models.TextChoices):
    ASSIGNED = "assigned", _("待签收")
    SIGNED = "signed", _("已签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复")
    RETURNED = "returned", _("已退回")
    CANCELLED = "cancelled", _("已撤销")


class Source(models.TextChoices):
    NONE = "", _("无")
    MOTION = "motion", _("议案/建议")
    PROPOSAL = "proposal", _("提案")
    MEETING = "meeting", _("会议决定")
    INSTRUCTION = "instruction", _("领导批示")
    INCIDENT = "incident", _("突发事件")
    WARNING = "warning", _("预警")
    PLAN = "plan", _("预案")
    DRILL = "drill", _("演练问题")
    HAZARD = "hazard", _("隐患整改")


class Urgency(models.IntegerChoices):
    # 1 is the most urgent, like every level in the platform (yingji.core.levels).
    EXTRA = 1, _("特急")
    URGENT = 2, _("紧急")
    NORMAL = 3, _("一般")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class CommMode(models.TextChoices):
    PHONE = "phone", _("通讯联系")
    VISIT = "visit", _("当面沟通")
    LETTER = "letter", _("书面答复")
    MEETING = "meeting", _("座谈会")


class HandlingRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")


class Task(OwnedModel):
    """One supervised piece of work. Owned by the supervising unit; the requester and every handling unit see it
    through yingji.core.participants."""

    reference = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=300)
    description = models.TextField(_("内容"), blank=True)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, blank=True, default="")
    source_type = models.CharField(max_length=64, blank=True, default="")  # "app.model" of a linked source
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    requester_unit = models.ForeignKey(OrgUnit, verbose_name=_("交办单位"), on_delete=models.PROTECT,
                                       related_name="+")
    requester_name = models.CharField(_("提出人"), max_length=100, blank=True)
    urgency = models.IntegerField(_("紧急程度"), choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(_("状态"), max_length=16, choices=TaskState.choices, default=TaskState.DRAFT,
                             db_index=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    scores = models.JSONField(_("评分"), default=dict, blank=True)
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True, default="")
    feedback_text = models.TextField(_("具体意见"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    is_exercise = models.BooleanField(_("演练"), default=False)

    participant_actions = ("view",)

    class Meta:
        verbose_name = _("督办任务")
        verbose_name_plural = _("督办任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    @property
    def lead(self):
        return next((a for a in self.assignments.all() if a.role == HandlingRole.LEAD), None)

    @property
    def co_handlers(self):
        return [a for a in self.assignments.all() if a.role == HandlingRole.CO]


class Assignment(OwnedModel):
    """One handling unit's part of a task (owner_unit is the handling unit): its deadline, state, reply."""

    task = models.ForeignKey(Task, verbose_name=_("督办任务"), on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(_("承办方式"), max_length=8, choices=HandlingRole.choices)
    deadline = models.DateField(_("办理期限"))
    state = models.CharField(_("状态"), max_length=16, choices=AssignmentState.choices,
                             default=AssignmentState.ASSIGNED, db_index=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    result_code = models.ForeignKey(ResultCode, verbose_name=_("办理结果"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reply_text = models.TextField(_("答复内容"), blank=True)
    comm_mode = models.CharField(_("沟通方式"), max_length=12, choices=CommMode.choices, blank=True, default="")
    comm_at = models.DateTimeField(_("沟通时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("承办")
        verbose_name_plural = _("承办")
        ordering = ["task", "role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "owner_unit"], name="uniq_assignment_unit"),
            models.UniqueConstraint(fields=["task"], condition=Q(role="lead"), name="uniq_assignment_lead"),
        ]

    def __str__(self) -> str:
        return f"{self.task.reference} {self.unit} ({self.get_role_display()})"

    @property
    def unit(self) -> OrgUnit:
        return self.owner_unit

    @classmethod
    def scope_q(cls, paths: list[str]) -> Q:
        """The handling unit's subtree, and the supervising unit's (the task's owner)."""
        cond = Q()
        for p in paths:
            cond |= Q(owner_unit__path__startswith=p) | Q(task__owner_unit__path__startswith=p)
        return cond


class ProgressNote(models.Model):
    """办理进展: a dated note by the handling unit."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("进展"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "assignment__owner_unit__path"

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def owner_unit(self):
        return self.assignment.owner_unit

    @property
    def scope_path(self):
        return self.assignment.owner_unit.path


class MeetingKind(models.TextChoices):
    SAFETY_COMMITTEE = "safety", _("安委会成员单位会议")
    DISASTER = "disaster", _("防灾减灾工作会")
    OTHER = "other", _("其他会议")


class Meeting(OwnedModel):
    """A coordination meeting: its agenda, attendees and minutes; its decisions become supervised tasks."""

    title = models.CharField(_("会议名称"), max_length=200)
    kind = models.CharField(_("会议类型"), max_length=12, choices=MeetingKind.choices, default=MeetingKind.SAFETY_COMMITTEE)
    held_at = models.DateTimeField(_("召开时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    agenda = models.TextField(_("议程"), blank=True)
    attendees = models.TextField(_("参会单位和人员"), blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Decision(OwnedModel):
    """议定事项: one decision of a meeting, supervised as the task it became."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("议定事项"))
    task = models.OneToOneField(Task, verbose_name=_("督办任务"), on_delete=models.PROTECT, related_name="decision")

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ResponsibilityList(OwnedModel):
    """责任清单: a unit's duties, versioned — a new version supersedes the previous one, which is kept."""

    version = models.PositiveIntegerField(_("版本"))
    title = models.CharField(_("名称"), max_length=200)
    items = models.TextField(_("责任事项"), help_text=_("每行一项"))
    effective_from = models.DateField(_("生效日期"))
    is_current = models.BooleanField(_("现行版本"), default=True)

    class Meta:
        verbose_name = _("责任清单")
        verbose_name_plural = _("责任清单")
        ordering = ["owner_unit", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["owner_unit", "version"], name="uniq_duty_list_version"),
            models.UniqueConstraint(fields=["owner_unit"], condition=Q(is_current=True), name="uniq_duty_list_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"
