"""Warehouses (储备库), stock batches and the append-only movement ledger."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import OwnedModel, Place
from yingji.resources.models.catalogue import MaterialItem

__all__ = ["Warehouse", "WarehouseLevel", "StockBatch", "StockMovement", "MovementKind"]

QTY = {"max_digits": 14, "decimal_places": 3}


class WarehouseLevel(models.TextChoices):
    CITY = "city", _("市级")
    DISTRICT = "district", _("区县级")
    TOWN = "town", _("镇街级")
    COMMUNITY = "community", _("社区/村级")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL = "social", _("社会")


class Warehouse(OwnedModel, Place):
    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("级别"), max_length=12, choices=WarehouseLevel.choices, default=WarehouseLevel.TOWN)
    capacity_m3 = models.DecimalField(_("库容 (m³)"), null=True, blank=True, validators=[MinValueValidator(0)], **QTY)
    area_m2 = models.DecimalField(_("面积 (m²)"), null=True, blank=True, validators=[MinValueValidator(0)], **QTY)
    keeper = models.CharField(_("保管员"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    city_wide_read = True

    class Meta(Place.Meta):
        verbose_name = _("储备库")
        verbose_name_plural = _("储备库")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class StockBatch(OwnedModel):
    """One batch of one item in one warehouse. Quantity only changes through a StockMovement."""

    warehouse = models.ForeignKey(Warehouse, verbose_name=_("储备库"), on_delete=models.PROTECT, related_name="batches")
    item = models.ForeignKey(MaterialItem, verbose_name=_("物资"), on_delete=models.PROTECT, related_name="+",
                             limit_choices_to={"level": 4})
    batch_no = models.CharField(_("批次号"), max_length=60, blank=True)
    quantity = models.DecimalField(_("数量"), default=Decimal("0"), validators=[MinValueValidator(0)], **QTY)
    min_quantity = models.DecimalField(_("最低储备量"), default=Decimal("0"), validators=[MinValueValidator(0)],
                                       **QTY)
    production_date = models.DateField(_("生产日期"), null=True, blank=True)
    expiry_date = models.DateField(_("有效期至"), null=True, blank=True, db_index=True)

    city_wide_read = True

    class Meta:
        verbose_name = _("库存批次")
        verbose_name_plural = _("库存批次")
        ordering = ["warehouse_id", "item_id", "expiry_date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="stock_quantity_not_negative"),
            models.CheckConstraint(condition=models.Q(min_quantity__gte=0), name="stock_min_not_negative"),
            models.UniqueConstraint(fields=["warehouse", "item", "batch_no"], name="uniq_stock_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.item.name} {self.batch_no}".strip()

    def clean(self):
        super().clean()
        if self.production_date and self.expiry_date and self.expiry_date < self.production_date:
            raise ValidationError({"expiry_date": _("有效期不能早于生产日期")})
        if self.item_id and self.item.level != 4:
            raise ValidationError({"item": _("只能登记细类物资（第四层）")})


class MovementKind(models.TextChoices):
    IN = "in", _("入库")
    OUT = "out", _("出库")
    TRANSFER_OUT = "transfer_out", _("调出")
    TRANSFER_IN = "transfer_in", _("调入")
    ADJUST = "adjust", _("盘点调整")
    EXPIRE = "expire", _("过期报废")
    ISSUE = "issue", _("事件调用")


class StockMovement(OwnedModel):
    """One change of one batch, append-only: `delta` is signed, `balance` is the quantity after it."""

    batch = models.ForeignKey(StockBatch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("类型"), max_length=16, choices=MovementKind.choices)
    delta = models.DecimalField(_("变动数量"), **QTY)
    balance = models.DecimalField(_("变动后数量"), **QTY)
    incident_ref = models.CharField(_("事件编号"), max_length=100, blank=True)
    counterpart = models.ForeignKey(StockBatch, verbose_name=_("对方批次"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("备注"), max_length=300, blank=True)
    actor_name = models.CharField(_("经办人"), max_length=150, blank=True)

    city_wide_read = True

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(balance__gte=0), name="movement_balance_not_negative")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delta}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("stock movements are append-only")
        super().save(*args, **kwargs)
