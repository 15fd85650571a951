"""Who works on what: commitments of dispatchable resources, participant units, and the exercise flag.

A commitment ties a team, an equipment item, an expert or a vehicle to a piece of work (any model). At most one
active *real* commitment per resource is enforced by a partial unique index (SQLite and PostgreSQL alike), so
two dispatchers racing for the same team get one success and one clear conflict. Availability everywhere is
derived: the resource's own readiness, then its active commitment.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models.org import OrgUnit, RestrictedQuerySet

__all__ = ["Exercise", "CommitmentState", "Commitment", "Availability", "Dispatchable", "Participant",
           "ParticipantRole", "ACTIVE_STATES"]


class Exercise(models.Model):
    """Anything a drill creates: labelled 演练 everywhere, never touches real stock or real availability."""

    is_exercise = models.BooleanField(_("演练"), default=False, db_index=True)

    class Meta:
        abstract = True


class CommitmentState(models.TextChoices):
    PROPOSED = "proposed", _("拟调派")
    COMMITTED = "committed", _("已调派")
    RELEASED = "released", _("已归建")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_STATES = (CommitmentState.COMMITTED,)


class Commitment(Exercise):
    resource_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    resource_id = models.PositiveBigIntegerField()
    resource_name = models.CharField(_("资源"), max_length=200)
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("资源所属单位"), on_delete=models.PROTECT,
                                   related_name="+")
    work_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    work_id = models.PositiveBigIntegerField(null=True, blank=True)
    purpose = models.CharField(_("任务"), max_length=200, blank=True)
    capability = models.CharField(_("能力"), max_length=40, blank=True)
    quantity = models.DecimalField(_("数量"), max_digits=14, decimal_places=3, null=True, blank=True)
    state = models.CharField(_("状态"), max_length=12, choices=CommitmentState.choices,
                             default=CommitmentState.PROPOSED, db_index=True)
    proposed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    committed_at = models.DateTimeField(_("调派时间"), null=True, blank=True)
    released_at = models.DateTimeField(_("归建时间"), null=True, blank=True)
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "owner_unit__path"
    city_wide_read = True

    class Meta:
        verbose_name = _("调派承诺")
        verbose_name_plural = _("调派承诺")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One active commitment per resource: one real, and (separately) one in exercises.
            models.UniqueConstraint(fields=["resource_type", "resource_id", "is_exercise"],
                                    condition=Q(state="committed"), name="one_active_commitment"),
        ]
        indexes = [models.Index(fields=["resource_type", "resource_id", "state"], name="commitment_res_idx"),
                   models.Index(fields=["work_type", "work_id"], name="commitment_work_idx")]

    def __str__(self) -> str:
        return f"{self.resource_name} → {self.purpose or self.work_id or ''}"

    @property
    def scope_path(self) -> str:
        return self.owner_unit.path


class Availability(models.TextChoices):
    """The one availability vocabulary shown everywhere, derived, never stored."""

    AVAILABLE = "available", _("可调用")
    COMMITTED = "committed", _("执行任务中")
    UNAVAILABLE = "unavailable", _("不可用")


class Dispatchable(models.Model):
    """A resource that can be committed to work. Subclasses say which rows are ready by their own state
    (`ready_q`); availability adds the active real commitment on top."""

    class Meta:
        abstract = True

    @classmethod
    def ready_q(cls) -> Q:
        return Q()

    @classmethod
    def active_commitments(cls):
        ct = ContentType.objects.get_for_model(cls)
        return Commitment.objects.filter(resource_type=ct, state=CommitmentState.COMMITTED, is_exercise=False)

    @classmethod
    def with_availability(cls, qs):
        """Annotate `is_committed` and `is_ready` in SQL (no query per row)."""
        committed = cls.active_commitments().filter(resource_id=OuterRef("pk"))
        ready = cls.ready_q()
        qs = qs.annotate(is_committed=Exists(committed))
        if ready:
            qs = qs.annotate(is_ready=models.ExpressionWrapper(ready, output_field=models.BooleanField()))
        else:
            qs = qs.annotate(is_ready=models.Value(True))
        return qs

    @classmethod
    def available(cls, qs):
        """Rows ready by their own state and without an active real commitment."""
        committed = cls.active_commitments().filter(resource_id=OuterRef("pk"))
        return qs.filter(cls.ready_q()).exclude(Exists(committed))

    @property
    def availability(self) -> str:
        ready = getattr(self, "is_ready", None)
        if ready is None:
            ready = type(self).objects.filter(pk=self.pk).filter(type(self).ready_q()).exists()
        if not ready:
            return Availability.UNAVAILABLE
        committed = getattr(self, "is_committed", None)
        if committed is None:
            committed = type(self).active_commitments().filter(resource_id=self.pk).exists()
        return Availability.COMMITTED if committed else Availability.AVAILABLE

    def get_availability_display(self) -> str:
        return Availability(self.availability).label


class ParticipantRole(models.TextChoices):
    LEAD = "lead", _("主办")
    CO = "co", _("协办")
    DISPATCHED = "dispatched", _("被调派")
    AREA = "area", _("区域内")
    REQUESTER = "requester", _("交办")
    OBSERVER = "observer", _("知会")


class Participant(models.Model):
    """A unit taking part in a subject it does not own: it (and its superiors) may see the subject."""

    subject_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    subject_id = models.PositiveBigIntegerField()
    unit = models.ForeignKey(OrgUnit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("角色"), max_length=12, choices=ParticipantRole.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()
    scope_path_field = "unit__path"
    city_wide_read = False

    class Meta:
        verbose_name = _("参与单位")
        verbose_name_plural = _("参与单位")
        constraints = [models.UniqueConstraint(fields=["subject_type", "subject_id", "unit", "role"],
                                               name="uniq_participant")]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="participant_subject_idx")]

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_role_display()})"

    @property
    def owner_unit(self):
        return self.unit

    @property
    def scope_path(self) -> str:
        return self.unit.path
