"""预警发布 (warnings): the warning with its published CAP versions, the disaster-chain graph of hazard types and
the proposals it makes, and the webhook subscribers of the public feed. Package `yingji.alerts`, label `alerts`
(`warnings` is a standard-library module; docs/decisions/0065)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.levels import WarningLevel
from yingji.core.models import Exercise, HazardTagged, OwnedModel, Place, RestrictedQuerySet

__all__ = ["State", "Source", "Warning", "CapMessage", "ChainLink", "Proposal", "ProposalState", "Subscriber",
           "SubscriberDelivery", "OPEN_STATES", "LIVE_STATES"]


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PENDING = "pending", _("待审批")
    PUBLISHED = "published", _("已发布")
    CANCELLED = "cancelled", _("已解除")
    EXPIRED = "expired", _("已过期")


OPEN_STATES = (State.DRAFT, State.PENDING)
LIVE_STATES = (State.PUBLISHED,)


class Source(models.TextChoices):
    MANUAL = "manual", _("人工")
    RULE = "rule", _("监测规则")
    EXTERNAL = "external", _("外部预警")
    CHAIN = "chain", _("灾害链")


class Warning(OwnedModel, Place, HazardTagged, Exercise):
    """One warning through its life: draft → pending approval → published (updated) → cancelled or expired.
    `boundary` is its area (Polygon/MultiPolygon); lat/lng its centre; `area_units` the towns inside."""

    identifier = models.CharField(_("预警编号"), max_length=64, unique=True)
    headline = models.CharField(_("标题"), max_length=200)
    hazard_type = models.CharField(_("灾种"), max_length=64)
    level = models.IntegerField(_("预警级别"), choices=WarningLevel.choices)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.MANUAL)
    source_ref = models.CharField(_("来源标识"), max_length=200, blank=True)
    rule_id = models.CharField(_("规则"), max_length=64, blank=True, db_index=True)
    evidence = models.JSONField(_("依据"), default=dict, blank=True)
    area_desc = models.CharField(_("区域描述"), max_length=500, blank=True)
    area_units = models.JSONField(_("区域内镇街"), default=list, blank=True)
    onset = models.DateTimeField(_("生效时间"))
    expires = models.DateTimeField(_("失效时间"))
    description = models.TextField(_("预警内容"), blank=True)
    instruction = models.TextField(_("防御措施与指引"), blank=True)
    headline_en = models.CharField(_("英文标题"), max_length=200, blank=True)
    description_en = models.TextField(_("英文内容"), blank=True)
    instruction_en = models.TextField(_("英文防御指引"), blank=True)
    version = models.PositiveIntegerField(_("版本"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("解除/过期时间"), null=True, blank=True)
    end_reason = models.CharField(_("解除原因"), max_length=500, blank=True)
    reject_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("原生预警"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="secondary")
    incident_ref = models.JSONField(_("关联事件"), null=True, blank=True)

    boundary_types = ("Polygon", "MultiPolygon")
    participant_actions = ("view",)

    class Meta(Place.Meta):
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["lat_band", "lng", "lat"], name="alerts_warning_band"),
                   models.Index(fields=["state", "expires"], name="alerts_warning_live")]
        # One open draft per firing rule (warnings.draft_from_rule is idempotent even when two firings race).
        constraints = [models.UniqueConstraint(fields=["rule_id", "is_exercise"], name="alerts_one_open_rule_draft",
                                               condition=Q(source="rule", state__in=["draft", "pending"]))]

    @property
    def evidence_text(self) -> str:
        """The evidence (a rule's firing: clauses, sensors, values) as indented JSON for people to read."""
        import json

        return json.dumps(self.evidence, ensure_ascii=False, indent=2, sort_keys=True, default=str)

    def __str__(self) -> str:
        return self.headline

    @classmethod
    def public_q(cls) -> Q:
        # Published warnings are public (the public page and the CAP feed): anybody may read them.
        return Q(state=State.PUBLISHED)

    @property
    def name(self) -> str:  # the map and generic pages call things by name
        return self.headline


class CapMessage(models.Model):
    """One CAP message as sent (Alert, Update or Cancel): kept byte for byte, so its URL and ETag never change."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="messages")
    identifier = models.CharField(max_length=64, unique=True)
    msg_type = models.CharField(max_length=8)
    sent = models.DateTimeField()
    xml = models.BinaryField()
    etag = models.CharField(max_length=64)
    signed = models.BooleanField(default=False)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "warning__owner_unit__path"

    class Meta:
        ordering = ["-sent", "-id"]

    def __str__(self) -> str:
        return self.identifier

    @property
    def owner_unit(self):
        return self.warning.owner_unit


class ChainLink(models.Model):
    """灾害链: one edge of the graph of hazard types — `cause` may bring on `effect`, with the reason shown in
    proposals. Editable by a city-level administrator."""

    cause = models.CharField(_("原生灾种"), max_length=64, db_index=True)
    effect = models.CharField(_("次生灾种"), max_length=64)
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    level_step = models.PositiveSmallIntegerField(_("级别降低"), default=1,
                                                  help_text=_("次生预警比原生预警低几级（0 为同级）"))
    is_active = models.BooleanField(_("启用"), default=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = None
    city_wide_read = True

    class Meta:
        verbose_name = _("灾害链")
        verbose_name_plural = _("灾害链")
        ordering = ["cause", "effect"]
        constraints = [models.UniqueConstraint(fields=["cause", "effect"], name="alerts_one_link_per_pair")]

    def __str__(self) -> str:
        return f"{self.cause} → {self.effect}"

    @property
    def scope_path(self):
        return None


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("待处理")
    ACCEPTED = "accepted", _("已采纳")
    DISMISSED = "dismissed", _("已忽略")


class Proposal(models.Model):
    """A secondary warning or advisory the chain proposes for a hazard source or area inside a warning's area."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="proposals")
    hazard_type = models.CharField(_("次生灾种"), max_length=64)
    level = models.IntegerField(_("建议级别"), choices=WarningLevel.choices)
    feature = models.JSONField(_("风险对象"), null=True, blank=True)
    feature_key = models.CharField(max_length=80, blank=True)
    reason = models.CharField(_("理由"), max_length=500)
    state = models.CharField(_("状态"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    draft = models.ForeignKey(Warning, verbose_name=_("生成的草稿"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "warning__owner_unit__path"

    class Meta:
        ordering = ["level", "id"]
        constraints = [models.UniqueConstraint(fields=["warning", "hazard_type", "feature_key"],
                                               name="alerts_one_proposal_per_feature")]

    def __str__(self) -> str:
        return self.reason

    @property
    def owner_unit(self):
        return self.warning.owner_unit


class Subscriber(OwnedModel):
    """A system that receives each published CAP message by webhook (POST, HMAC-signed)."""

    name = models.CharField(_("名称"), max_length=100)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=200, blank=True)
    min_level = models.IntegerField(_("最低级别"), choices=WarningLevel.choices, default=WarningLevel.BLUE,
                                    help_text=_("只推送此级别及更高级别的预警"))
    include_exercises = models.BooleanField(_("推送演练"), default=False)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警订阅方")
        verbose_name_plural = _("预警订阅方")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SubscriberDelivery(models.Model):
    """One CAP message to one subscriber: claimed, sent, retried with back-off; once per pair."""

    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    message = models.ForeignKey(CapMessage, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, default="pending", db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "subscriber__owner_unit__path"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["subscriber", "message"], name="alerts_one_delivery")]

    @property
    def owner_unit(self):
        return self.subscriber.owner_unit
