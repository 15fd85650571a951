"""Notifications: a message about something, its copies in users' inboxes, sign-offs, channel deliveries.

One `Message` per event (its `key` makes sending idempotent); one `Notification` per recipient user; one
`SignOff` per recipient unit (or directly addressed user) when the message needs 签收; one `Delivery` per
(message, user, channel) with its attempts — the unique keys are what makes "nothing is sent twice" hold.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import OrgUnit

__all__ = ["Message", "Notification", "SignOff", "DeliveryStatus", "Delivery", "DeliveryAttempt",
           "Preference", "ContactSettings"]


class Message(models.Model):
    """What happened, once: the text, a link to the subject, and whether recipients must sign for it."""

    key = models.CharField(_("事件键"), max_length=200, unique=True)
    kind = models.CharField(_("类别"), max_length=64, db_index=True)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    subject_id = models.CharField(max_length=64, blank=True)
    needs_signoff = models.BooleanField(_("需要签收"), default=False)
    sign_deadline = models.DateTimeField(_("签收期限"), null=True, blank=True)
    sender_unit = models.ForeignKey(OrgUnit, verbose_name=_("发送单位"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")

    def __str__(self) -> str:
        return self.title

    @property
    def owner_unit(self):
        return self.sender_unit


class Notification(models.Model):
    """A message in one user's inbox; `via_unit` is the recipient unit it reached the user through."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="notifications")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    via_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="ntf_one_per_user")]
        indexes = [models.Index(fields=["user", "read_at"], name="ntf_inbox_idx")]

    def __str__(self) -> str:
        return f"{self.message.title} → {self.user}"

    @property
    def owner_unit(self):
        return self.user.unit

    @property
    def signoff_scope(self) -> str:
        return scope_of(self.via_unit_id, self.user_id)


def scope_of(unit_id: int | None, user_id: int | None) -> str:
    """Who signs for a copy: the recipient unit when it came through one, else the user addressed."""
    return f"unit:{unit_id}" if unit_id else f"user:{user_id}"


class SignOff(models.Model):
    """签收: one row per recipient unit (or directly addressed user), signed at most once, escalated at most once."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="signoffs")
    scope = models.CharField(max_length=40)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("签收单位"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签收人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("签收")
        verbose_name_plural = _("签收")
        constraints = [models.UniqueConstraint(fields=["message", "scope"], name="ntf_one_signoff_per_scope")]
        indexes = [models.Index(fields=["signed_at", "escalated_at"], name="ntf_signoff_due_idx")]

    def __str__(self) -> str:
        return f"{self.message.title} · {self.unit or self.scope}"

    @property
    def owner_unit(self):
        return self.unit


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")
    SKIPPED = "skipped", _("未发送")


class Delivery(models.Model):
    """One copy through one channel. `key` is the idempotency key of (event, recipient, channel)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=16)
    key = models.CharField(max_length=64, unique=True)
    address = models.CharField(_("地址"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = [models.UniqueConstraint(fields=["notification", "channel"], name="ntf_one_per_channel")]

    def __str__(self) -> str:
        return f"{self.channel}:{self.key[:12]} {self.status}"

    @property
    def owner_unit(self):
        return self.notification.user.unit


class DeliveryAttempt(models.Model):
    """The delivery log: every try, its outcome and what the other side answered."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {'ok' if self.ok else 'failed'} {self.status_code or ''}"

    @property
    def owner_unit(self):
        return self.delivery.notification.user.unit


class Preference(models.Model):
    """The channels a user wants for one kind of notification (the inbox is always on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=64)
    channels = models.JSONField(_("渠道"), default=list)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="ntf_one_pref_per_kind")]

    def __str__(self) -> str:
        return f"{self.user} {self.kind}: {','.join(self.channels) or '-'}"

    @property
    def owner_unit(self):
        return self.user.unit


class ContactSettings(models.Model):
    """Where a user's channels deliver beyond the account's e-mail and phone: their webhook."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"{self.user}"

    @property
    def owner_unit(self):
        return self.user.unit
