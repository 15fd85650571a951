"""Place: where a thing is. One abstract model for org units, every registry type and every later module.

A WGS-84 point (indexed through latitude bands), an address, an optional GeoJSON geometry, and the town and
community the point falls in, derived from the organisation tree's boundaries and cached on the row. Storage
is always WGS-84; conversion to GCJ-02/BD-09 happens at display time.
"""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.domain.geo import in_china, looks_swapped

__all__ = ["Place", "check_point", "band_of", "prepare", "BANDS_PER_DEGREE"]

BANDS_PER_DEGREE = 100  # latitude bands of 0.01° (≈ 1.1 km): the first column of the spatial index


def band_of(lat: float) -> int:
    return math.floor(lat * BANDS_PER_DEGREE)


def prepare(objs) -> None:
    """Fill the derived columns save() would fill, for bulk paths (imports, seeding): one call for many rows."""
    objs = [objs] if isinstance(objs, models.Model) else list(objs)
    if not objs:
        return
    if isinstance(objs[0], Place):
        from yingji.core import places

        places.locate_many(objs)
    for obj in objs:
        for hook in ("index_place", "index_capabilities", "index_hazards", "compute_due"):
            if hasattr(obj, hook):
                getattr(obj, hook)()


def check_point(lat, lng) -> dict[str, str]:
    """Field errors for a point: both or neither given, in range, not swapped, inside China."""
    if lat is None and lng is None:
        return {}
    if lat is None or lng is None:
        return {"lat" if lat is None else "lng": str(_("经度和纬度须同时填写"))}
    if not (math.isfinite(lat) and math.isfinite(lng)):
        return {"lat": str(_("坐标不是有效的数字"))}
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
    """A WGS-84 point, an address, an optional geometry and the town/community it lies in (derived)."""

    lat = models.FloatField(_("纬度"), null=True, blank=True)
    lng = models.FloatField(_("经度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=300, blank=True)
    boundary = models.JSONField(_("范围 (GeoJSON)"), null=True, blank=True)
    lat_band = models.IntegerField(null=True, blank=True, editable=False)
    town = models.ForeignKey("core.OrgUnit", verbose_name=_("所在镇街"), null=True, blank=True, editable=False,
                             on_delete=models.SET_NULL, related_name="+")
    community = models.ForeignKey("core.OrgUnit", verbose_name=_("所在社区"), null=True, blank=True,
                                  editable=False, on_delete=models.SET_NULL, related_name="+")
    # The road-graph node nearest to the point, cached for travel times; `road_graph` names the graph it is
    # valid for (its fingerprint), so a new graph or a moved point refreshes it.
    road_node = models.BigIntegerField(null=True, blank=True, editable=False)
    road_snap_m = models.FloatField(null=True, blank=True, editable=False)
    road_graph = models.CharField(max_length=64, blank=True, editable=False)

    # Geometry types accepted in `boundary`; subclasses narrow it (units and shelters take areas only).
    boundary_types: tuple[str, ...] = ("Point", "LineString", "Polygon", "MultiPolygon", "MultiLineString")

    class Meta:
        abstract = True
        # A box query becomes `lat_band IN (…) AND lng BETWEEN …`: one short index range per band.
        indexes = [models.Index(fields=["lat_band", "lng", "lat"], name="%(app_label)s_%(class)s_band")]

    def index_place(self) -> None:
        self.lat_band = band_of(self.lat) if self.lat is not None else None

    def locate(self) -> None:
        """Derive town and community from the point (org units override this with their own tree)."""
        from yingji.core import places

        places.locate_many([self])

    def save(self, *args, **kwargs):
        self.index_place()
        self.locate()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = check_point(self.lat, self.lng)
        if self.boundary in ({}, "", []):
            self.boundary = None
        if self.boundary is not None:
            from yingji.core.geojson import clean_geometry

            try:
                self.boundary = clean_geometry(self.boundary, "boundary", self.boundary_types)
            except ValidationError as exc:
                errors["boundary"] = exc.message_dict["boundary"][0]
        if errors:
            raise ValidationError(errors)

    @property
    def point(self) -> tuple[float, float] | None:
        """(lng, lat) or None."""
        return None if self.lat is None or self.lng is None else (self.lng, self.lat)
