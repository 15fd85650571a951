"""Django admin: read-only like every platform model (see yingji.core.adminsite); changes go through services."""

from django.contrib import admin

from yingji.core.adminsite import ReadOnlyAdmin
from yingji.resources.models import (
    Capability,
    Equipment,
    Expert,
    Facility,
    MaterialItem,
    Shelter,
    StockBatch,
    StockMovement,
    Team,
    Warehouse,
)


@admin.register(Capability)
class CapabilityAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "category", "quantity_unit")
    search_fields = ("code", "name")


@admin.register(MaterialItem)
class MaterialItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "unit_of_measure", "code_status")
    list_filter = ("level", "code_status")
    search_fields = ("code", "name")


@admin.register(StockBatch)
class StockBatchAdmin(ReadOnlyAdmin):
    list_display = ("warehouse", "item", "batch_no", "quantity", "min_quantity", "expiry_date")


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ("batch", "kind", "delta", "balance", "incident_ref", "created_at")
    list_filter = ("kind",)


for model, fields in [(Warehouse, ("code", "name", "owner_unit", "level")),
                      (Team, ("code", "name", "owner_unit", "specialty", "readiness")),
                      (Equipment, ("code", "name", "owner_unit", "status", "next_inspection_due")),
                      (Expert, ("name", "category", "owner_unit", "available")),
                      (Shelter, ("code", "name", "grade", "capacity", "is_open")),
                      (Facility, ("code", "name", "kind", "owner_unit"))]:
    admin.site.register(model, type(f"{model.__name__}Admin", (ReadOnlyAdmin,),
                                    {"list_display": fields, "search_fields": ("name",)}))
