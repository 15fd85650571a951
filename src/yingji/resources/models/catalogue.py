"""The material catalogue (GB/T 38565-2020: four levels, seven digits)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import CodeStatus, OwnedModel

__all__ = ["MaterialItem", "CodeStatus"]


_seven_digits = RegexValidator(r"^[1-9]\d{6}$", _("编码须为七位数字：大类1位、中类2位、小类2位、细类2位"))


class MaterialItem(OwnedModel):
    """A class or an item of the catalogue. Levels 1–3 are classes; level 4 (细类) is what stock holds.

    The code is `D MM SS II` (GB/T 38565-2020 §5.2); lower levels pad with zeros (`2010000` is a 中类).
    Where a code is not taken from the standard's table it is marked `local`.
    """

    code = models.CharField(_("编码"), max_length=7, unique=True, validators=[_seven_digits])
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=[(1, _("大类")), (2, _("中类")), (3, _("小类")),
                                                                  (4, _("细类"))])
    parent = models.ForeignKey("self", verbose_name=_("上级类目"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    unit_of_measure = models.CharField(_("计量单位"), max_length=20, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("保质期 (天)"), null=True, blank=True)
    specification = models.CharField(_("规格型号"), max_length=200, blank=True)
    capability_codes = models.JSONField(_("能力"), default=list, blank=True)
    code_status = models.CharField(_("编码来源"), max_length=10, choices=CodeStatus.choices, default=CodeStatus.LOCAL)

    city_wide_read = True

    class Meta:
        verbose_name = _("物资目录")
        verbose_name_plural = _("物资目录")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @staticmethod
    def level_of(code: str) -> int:
        if code[5:] != "00":
            return 4
        if code[3:5] != "00":
            return 3
        return 2 if code[1:3] != "00" else 1

    @staticmethod
    def parent_code(code: str) -> str | None:
        level = MaterialItem.level_of(code)
        if level == 1:
            return None
        cut = {2: 1, 3: 3, 4: 5}[level]
        return code[:cut].ljust(7, "0")

    def clean(self):
        super().clean()
        if not self.code or len(self.code) != 7 or not self.code.isdigit():
            return
        if self.code[0] not in "123":
            raise ValidationError({"code": _("大类代码只能是 1、2、3")})
        if self.level and self.level != self.level_of(self.code):
            raise ValidationError({"level": _("层级与编码不一致")})
        expected = self.parent_code(self.code)
        if expected and (self.parent is None or self.parent.code != expected):
            raise ValidationError({"parent": _("上级类目应为 %(c)s") % {"c": expected}})
        if self.level_of(self.code) == 4 and not self.unit_of_measure:
            raise ValidationError({"unit_of_measure": _("细类物资须填写计量单位")})
