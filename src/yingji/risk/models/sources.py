"""危险源 and 危险区域: an enterprise's production and storage units with their chemical holdings (graded by
GB 18218), LEC and 5×5 matrix assessments, and the hazard areas (landslide zones, flood-prone areas …)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.levels import RiskLevel
from yingji.core.models import HazardTagged, OwnedModel, Place
from yingji.domain.standards import lec, risk_matrix


class UnitType(models.TextChoices):
    PRODUCTION = "production", _("生产单元")
    STORAGE = "storage", _("储存单元")


GRADE_CHOICES = [(1, _("一级")), (2, _("二级")), (3, _("三级")), (4, _("四级"))]


class HazardSource(OwnedModel, Place, HazardTagged):
    """危险源: one production or storage unit of an enterprise (its owner unit). Its GB 18218 result (S, α, R,
    grade and every line of the arithmetic in `calculation`, decimal strings exactly as the standards library computes them) is
    recomputed whenever its holdings or the population around it change (services.sources.recompute)."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    unit_type = models.CharField(_("单元类型"), max_length=16, choices=UnitType.choices, default=UnitType.STORAGE)
    offsite_population = models.PositiveIntegerField(_("厂界外500米常住人口"), null=True, blank=True)
    is_major = models.BooleanField(_("重大危险源"), default=False, editable=False)
    grade = models.PositiveSmallIntegerField(_("重大危险源等级"), choices=GRADE_CHOICES, null=True, blank=True,
                                             editable=False)
    s_value = models.CharField(_("S 值"), max_length=64, blank=True, editable=False)
    r_value = models.CharField(_("R 值"), max_length=64, blank=True, editable=False)
    alpha = models.CharField(_("α"), max_length=16, blank=True, editable=False)
    # {"lines": [...]} — each holding's q, Q, q/Q, β, β·q/Q as decimal strings (calculator.as_json)
    calculation = models.JSONField(_("辨识计算"), default=dict, blank=True, editable=False)
    assessment_error = models.CharField(_("辨识问题"), max_length=500, blank=True, editable=False)
    assessed_at = models.DateTimeField(_("辨识时间"), null=True, blank=True, editable=False)
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, null=True, blank=True,
                                                  editable=False)
    last_review = models.DateField(_("上次评估日期"), null=True, blank=True)
    review_due = models.DateField(_("下次评估日期"), null=True, blank=True, editable=False)
    grid_cell = models.ForeignKey("risk.GridCell", verbose_name=_("所在网格"), null=True, blank=True,
                                  editable=False, on_delete=models.SET_NULL, related_name="+")

    class Meta(Place.Meta):
        verbose_name = _("危险源")
        verbose_name_plural = _("危险源")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def index_place(self) -> None:
        super().index_place()
        from yingji.risk import geo

        self.grid_cell_id = geo.cell_id_at(self.lat, self.lng)


class ChemicalHolding(OwnedModel):
    """One dangerous chemical of a unit at its design maximum quantity (t): a Table 1 chemical (sequence number,
    CAS or name) or a Table 2 hazard category, with the Table 4 symbol a Table 1 chemical outside Table 3 needs."""

    source = models.ForeignKey(HazardSource, verbose_name=_("危险源"), on_delete=models.CASCADE,
                               related_name="holdings")
    chemical = models.CharField(_("危险化学品（表1序号、CAS号或名称）"), max_length=100, blank=True)
    category = models.CharField(_("危险性类别（表2）"), max_length=40, blank=True)
    name = models.CharField(_("品名"), max_length=100, blank=True)
    symbol = models.CharField(_("危险性类别符号（表4）"), max_length=40, blank=True)
    tonnes = models.DecimalField(_("设计最大量（吨）"), max_digits=15, decimal_places=4)

    class Meta:
        verbose_name = _("危险化学品")
        verbose_name_plural = _("危险化学品")
        ordering = ["source", "pk"]

    def __str__(self) -> str:
        return self.name or self.chemical or self.category

    def clean(self):
        super().clean()
        from yingji.risk import calculator

        try:
            calculator.holding_of(self.as_input())
        except calculator.BadHolding as exc:
            raise ValidationError({exc.field: exc.message}) from None

    def as_input(self) -> dict:
        """The calculator's input for this row (the API's holding shape)."""
        out = {"tonnes": self.tonnes}
        for name in ("chemical", "category", "name", "symbol"):
            value = (getattr(self, name) or "").strip()
            if value:
                out[name] = value
        return out


class AssessmentMethod(models.TextChoices):
    LEC = "lec", _("LEC 作业条件危险性评价")
    MATRIX = "matrix", _("风险矩阵（5×5）")


class RiskAssessment(OwnedModel):
    """An LEC or 5×5 matrix assessment of a hazard source or a hazard area: who assessed it, when, the controls,
    and the level it gives (through the configurable mapping in yingji.risk.levels)."""

    source = models.ForeignKey(HazardSource, verbose_name=_("危险源"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="assessments")
    area = models.ForeignKey("risk.HazardArea", verbose_name=_("危险区域"), null=True, blank=True,
                             on_delete=models.CASCADE, related_name="assessments")
    method = models.CharField(_("评价方法"), max_length=8, choices=AssessmentMethod.choices)
    factor_l = models.DecimalField(_("L 事故发生的可能性"), max_digits=5, decimal_places=1, null=True, blank=True)
    factor_e = models.DecimalField(_("E 暴露于危险环境的频繁程度"), max_digits=5, decimal_places=1, null=True,
                                   blank=True)
    factor_c = models.DecimalField(_("C 事故后果"), max_digits=5, decimal_places=1, null=True, blank=True)
    likelihood = models.PositiveSmallIntegerField(_("可能性（1–5）"), null=True, blank=True)
    severity = models.PositiveSmallIntegerField(_("严重性（1–5）"), null=True, blank=True)
    score = models.CharField(_("分值"), max_length=20, blank=True, editable=False)
    result = models.CharField(_("评价结果"), max_length=100, blank=True, editable=False)
    level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, null=True, blank=True,
                                             editable=False)
    assessor = models.CharField(_("评价人"), max_length=100)
    assessed_on = models.DateField(_("评价日期"))
    controls = models.TextField(_("管控措施"), blank=True)
    review_due = models.DateField(_("复评日期"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("风险评价")
        verbose_name_plural = _("风险评价")
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.assessed_on}"

    def clean(self):
        super().clean()
        if (self.source_id is None) == (self.area_id is None):
            raise ValidationError({"source": _("请选择一个危险源或一个危险区域")})
        self.compute()

    def compute(self) -> None:
        """Score, result, level and review date from the factors, through the standards library."""
        from yingji.risk import levels

        if self.method == AssessmentMethod.LEC:
            factors = (("factor_l", "L"), ("factor_e", "E"), ("factor_c", "C"))
            errors = {}
            for name, letter in factors:
                value, allowed = getattr(self, name), lec.allowed_values(letter)
                if value is None:
                    errors[name] = _("LEC 评价须填写此项")
                elif value not in allowed:
                    errors[name] = _("应为 %(v)s 之一") % {"v": "、".join(str(v) for v in allowed)}
            if errors:
                raise ValidationError(errors)
            r = lec.assess(self.factor_l, self.factor_e, self.factor_c)
            self.score, self.result = format(r.d.normalize(), "f"), r.label
            self.level = levels.level_for("lec", r.band)
        elif self.method == AssessmentMethod.MATRIX:
            errors = {n: _("须为 1–5 的整数") for n in ("likelihood", "severity")
                      if getattr(self, n) is None or not 1 <= getattr(self, n) <= 5}
            if errors:
                raise ValidationError(errors)
            r = risk_matrix.assess(likelihood=self.likelihood, severity=self.severity)
            self.score, self.result = str(r.r), r.label
            self.level = levels.level_for("matrix", r.level)
        if self.assessed_on:
            self.review_due = levels.review_due(self.assessed_on, "assessment")


class AreaType(models.TextChoices):
    LANDSLIDE = "landslide", _("地质灾害隐患区")
    FLOOD = "flood", _("易涝易淹区")
    WATERLOGGING = "waterlogging", _("内涝积水点")
    CROWDED = "crowded", _("人员密集场所")
    CHEMICAL = "chemical", _("危化品集中区")
    OTHER = "other", _("其他")


class HazardArea(OwnedModel, Place, HazardTagged):
    """危险区域: a polygon with its exposed population and the hazard types it is exposed to; the sensors watching
    it come from the monitoring module (link `monitoring.sensors_for`)."""

    code = models.CharField(_("编号"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    area_type = models.CharField(_("区域类型"), max_length=16, choices=AreaType.choices)
    exposed_population = models.PositiveIntegerField(_("受威胁人口"), default=0)
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    grid_cell = models.ForeignKey("risk.GridCell", verbose_name=_("所在网格"), null=True, blank=True,
                                  editable=False, on_delete=models.SET_NULL, related_name="+")

    boundary_types = ("Polygon", "MultiPolygon")

    class Meta(Place.Meta):
        verbose_name = _("危险区域")
        verbose_name_plural = _("危险区域")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if not self.boundary:
            raise ValidationError({"boundary": _("请填写危险区域的范围（GeoJSON 多边形）")})

    def index_place(self) -> None:
        from yingji.risk import geo

        if self.boundary and (self.lat is None or self.lng is None):
            self.lng, self.lat = geo.inside_point(self.boundary)
        super().index_place()
        self.grid_cell_id = geo.cell_id_at(self.lat, self.lng)
