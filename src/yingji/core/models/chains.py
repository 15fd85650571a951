"""Hash chains: the audit log and every subject's timeline (处置过程记录), one mechanism.

Each chain (one per audited object, one per timeline subject) has its own head row, so writers of different
subjects never wait for each other. See yingji.core.chains for appending and verifying.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models.org import RestrictedQuerySet

__all__ = ["ChainHead", "AuditEntry", "TimelineEntry"]


class ChainHead(models.Model):
    """The last sequence number and hash of one chain, and the unit whose scope currently sees the subject."""

    chain = models.CharField(max_length=120, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    # Plain id, not a foreign key: deleting a unit must never touch the chain. Updated on every append, so
    # an object handed to another unit takes its history along.
    unit_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.chain} #{self.last_seq}"


class _ChainEntry(models.Model):
    chain = models.CharField(max_length=120, default="")
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(db_index=True)
    # Plain ids, not foreign keys: deleting a user or unit must never rewrite (and so break) a chain.
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=150)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = RestrictedQuerySet.as_manager()
    city_wide_read = False

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("chain entries are append-only")
        super().save(*args, **kwargs)


class AuditEntry(_ChainEntry):
    """One change to one object, in that object's chain: who, when, before, after."""

    action = models.CharField(max_length=32)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    unit_id = models.BigIntegerField(null=True, blank=True)
    unit_path = models.CharField(max_length=255, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)

    scope_path_field = "unit_path"

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="uniq_audit_chain_seq")]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"

    @classmethod
    def scope_q(cls, paths: list[str]) -> models.Q:
        """Entries follow their subject's *current* unit (the chain head's), not the unit at writing time."""
        from yingji.core.models.org import OrgUnit

        cond = models.Q()
        for p in paths:
            cond |= models.Q(path__startswith=p)
        units = OrgUnit.objects.filter(cond).values("pk")
        return models.Q(chain__in=ChainHead.objects.filter(unit_id__in=units).values("chain"))


class TimelineEntry(_ChainEntry):
    """One event in the life of a subject (a task, an incident, a warning, a drill …)."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    kind = models.CharField(_("类型"), max_length=40)
    text = models.TextField(_("内容"), blank=True)
    data = models.TextField(blank=True)  # canonical JSON, covered by the hash
    is_exercise = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("时间线记录")
        verbose_name_plural = _("时间线记录")
        ordering = ["subject_type", "subject_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["chain", "seq"], name="uniq_timeline_chain_seq")]
        indexes = [models.Index(fields=["subject_type", "subject_id", "seq"], name="timeline_subject_idx")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.kind}"
