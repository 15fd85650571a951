"""The registry's place and tag mixins now live in the kernel (yingji.core.models); re-exported here."""

from yingji.core.models import CapabilityTagged, HazardTagged, Place
from yingji.core.models.place import band_of, check_point, prepare

__all__ = ["Place", "CapabilityTagged", "HazardTagged", "check_point", "band_of", "prepare"]
