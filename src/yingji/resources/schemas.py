"""API schemas of the stock operations (the generic types' schemas come from yingji.core.kinds.schemas)."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

__all__ = ["ReceiveIn", "IssueIn", "TransferIn", "AdjustIn", "InspectionIn"]


# Quantities as the ledger stores them: numeric(14,3), so at most 99,999,999,999.999.
def _qty(default=..., ge=None, gt=0, description: str | None = None):
    return Field(default, gt=gt, ge=ge, max_digits=14, decimal_places=3, allow_inf_nan=False,
                 description=description)


class ReceiveIn(Schema):
    warehouse_id: int = Field(..., ge=1)
    item_id: int | None = Field(None, ge=1)
    item_code: str | None = Field(None, max_length=7, description="catalogue code instead of item_id")
    quantity: Decimal = _qty()
    batch_no: str = Field("", max_length=60)
    production_date: date | None = None
    expiry_date: date | None = None
    min_quantity: Decimal | None = _qty(None, ge=0, gt=None)
    note: str = Field("", max_length=300)


class IssueIn(Schema):
    quantity: Decimal = _qty()
    incident_ref: str = Field("", max_length=100)
    note: str = Field("", max_length=300)
    kind: str = Field("issue", description="'issue' (to an incident) or 'out'")


class TransferIn(Schema):
    to_warehouse_id: int = Field(..., ge=1)
    quantity: Decimal = _qty()
    note: str = Field("", max_length=300)


class AdjustIn(Schema):
    counted: Decimal = _qty(ge=0, gt=None)
    note: str = Field("", max_length=300)


class InspectionIn(Schema):
    inspected_on: date
    passed: bool = True
    inspector: str = Field("", max_length=50)
    note: str = Field("", max_length=300)
