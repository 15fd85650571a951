"""Mixins shared by every resource: a WGS-84 place with indexed lat/lng, and capability tags."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.domain.geo import in_china, looks_swapped

__all__ = ["Place", "CapabilityTagged", "check_point", "band_of", "prepare"]

BANDS_PER_DEGREE = 100  # latitude bands of 0.01° (≈ 1.1 km): the first column of the spatial index


def band_of(lat: float) -> int:
    return math.floor(lat * BANDS_PER_DEGREE)


def prepare(obj) -> None:
    """Fill the derived columns save() would fill; bulk_create paths call this for each object."""
    for hook in ("index_place", "index_capabilities", "compute_due"):
        if hasattr(obj, hook):
            getattr(obj, hook)()


def check_point(lat, lng) -> dict[str, str]:
    """Field errors for a point: both or neither given, in range, not swapped, inside China."""
    if lat is None and lng is None:
        return {}
    if lat is None or lng is None:
        return {"lat" if lat is None else "lng": str(_("经度和纬度须同时填写"))}
    if not (-90 <= lat <= 90) or not (-180 <= lng <= 180):
        if -90 <= lng <= 90 and -180 <= lat <= 180:
            return {"lat": str(_("纬度超出范围 (-90~90)，经纬度可能填反了"))}
        return {"lat": str(_("坐标超出范围：纬度应在 -90~90，经度应在 -180~180"))}
    if looks_swapped(lat, lng):
        return {"lat": str(_("经纬度可能填反了：按此读数坐标在中国境外，交换后在境内"))}
    if not in_china(lng, lat):
        return {"lng": str(_("坐标不在中国境内，请核对经纬度"))}
    return {}


class Place(models.Model):
    """A WGS-84 point (indexed) and an address. Storage is WGS-84; conversion happens at display time."""

    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    lat_band = models.IntegerField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True
        # A box query becomes `lat_band IN (…) AND lng BETWEEN …`: one short index range per band.
        indexes = [models.Index(fields=["lat_band", "lng", "lat"], name="%(app_label)s_%(class)s_band")]

    def index_place(self) -> None:
        self.lat_band = band_of(self.lat) if self.lat is not None else None

    def save(self, *args, **kwargs):
        self.index_place()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = check_point(self.lat, self.lng)
        if errors:
            raise ValidationError(errors)


class CapabilityTagged(models.Model):
    """Capabilities offered, {code: quantity or null}; `capability_index` (",a,b,") makes them filterable in SQL."""

    capabilities = models.JSONField(_("能力"), default=dict, blank=True)
    capability_index = models.CharField(max_length=500, blank=True, editable=False, db_index=True)

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        from yingji.resources.models.catalogue import Capability

        caps = self.capabilities
        if isinstance(caps, list):
            caps = self.capabilities = {c: None for c in caps}
        if not isinstance(caps, dict):
            raise ValidationError({"capabilities": _("能力须为 {代码: 数量} 的映射")})
        known = set(Capability.objects.filter(code__in=list(caps)).values_list("code", flat=True))
        unknown = sorted(set(caps) - known)
        if unknown:
            raise ValidationError({"capabilities": _("未知的能力代码：%(codes)s") % {"codes": "、".join(unknown)}})
        for code, qty in caps.items():
            if qty in (None, ""):
                caps[code] = None
                continue
            try:
                value = Decimal(str(qty))
            except InvalidOperation:
                raise ValidationError({"capabilities": _("能力“%(c)s”的数量不是数字") % {"c": code}}) from None
            if value < 0:
                raise ValidationError({"capabilities": _("能力“%(c)s”的数量不能为负") % {"c": code}})
            caps[code] = str(value)

    def index_capabilities(self) -> None:
        """Refresh `capability_index`; save() calls it, bulk paths call it themselves."""
        codes = sorted(self.capabilities or {})
        self.capability_index = ("," + ",".join(codes) + ",") if codes else ""

    def save(self, *args, **kwargs):
        self.index_capabilities()
        super().save(*args, **kwargs)

    def capability_list(self) -> list[tuple[str, str | None]]:
        return sorted((self.capabilities or {}).items())
