from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Dispatchable, Exercise, HazardTagged, OwnedModel, Place


class Hydrant(OwnedModel, Place, HazardTagged, Exercise):
    """消防栓: a type with a place, hazard tags and the exercise flag."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    working = models.BooleanField(_("完好"), default=True)

    participant_actions = ("view",)

    class Meta(Place.Meta):
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Pump(OwnedModel, Place, Dispatchable):
    """A dispatchable thing: one active commitment at a time."""

    code = models.CharField(_("编号"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    ready = models.BooleanField(_("完好"), default=True)

    class Meta(Place.Meta):
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def ready_q(cls):
        return models.Q(ready=True)
