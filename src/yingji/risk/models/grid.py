"""网格: the cells a community is divided into, each patrolled by its grid officers (网格员)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import OwnedModel, Place


class GridCell(OwnedModel, Place):
    """A polygon inside one community (its owner unit), with the highest risk level found inside it (cached)."""

    code = models.CharField(_("网格编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    population = models.PositiveIntegerField(_("常住人口"), null=True, blank=True)
    patrol_duties = models.TextField(_("巡查职责"), blank=True)

    boundary_types = ("Polygon",)

    class Meta(Place.Meta):
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def index_place(self) -> None:
        super().index_place()
        if self.boundary and (self.lat is None or self.lng is None):
            from yingji.risk import geo

            self.lng, self.lat = geo.inside_point(self.boundary)
            super().index_place()


class GridOfficer(OwnedModel):
    """网格员: a user who patrols a grid cell, with their duties there."""

    cell = models.ForeignKey(GridCell, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("网格员"), on_delete=models.PROTECT,
                             related_name="+")
    duties = models.CharField(_("巡查安排"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        ordering = ["cell", "pk"]
        constraints = [models.UniqueConstraint(fields=["cell", "user"], name="risk_uniq_grid_officer")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.cell}"
