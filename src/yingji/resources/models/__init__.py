"""Models of the resource registry; every one is a shared registry (readable city-wide)."""

from yingji.core.models import Capability, CapabilityTagged, Place
from yingji.core.models.place import check_point
from yingji.resources.models.catalogue import CodeStatus, MaterialItem
from yingji.resources.models.equipment import Equipment, EquipmentStatus, Inspection
from yingji.resources.models.facilities import Facility, FacilityKind, Shelter, ShelterGrade, ShelterType
from yingji.resources.models.stock import MovementKind, StockBatch, StockMovement, Warehouse, WarehouseLevel
from yingji.resources.models.teams import (
    Expert,
    ExpertLevel,
    Readiness,
    Team,
    TeamKind,
    TeamLevel,
    TeamMember,
    TeamSpecialty,
)

__all__ = [
    "CapabilityTagged", "Place", "check_point", "Capability", "CodeStatus", "MaterialItem", "Equipment",
    "EquipmentStatus", "Inspection", "Facility", "FacilityKind", "Shelter", "ShelterGrade", "ShelterType",
    "MovementKind", "StockBatch", "StockMovement", "Warehouse", "WarehouseLevel", "Expert", "ExpertLevel",
    "Readiness", "Team", "TeamKind", "TeamLevel", "TeamMember", "TeamSpecialty",
]
