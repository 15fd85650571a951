"""Hazard sources: the GB 18218 result recomputed from the holdings (and the population around), the risk level
from it and the latest assessment, and review due dates. Every change audited (crud) and on the timeline."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import crud, timeline
from yingji.core.errors import ValidationFailed
from yingji.risk import calculator, levels
from yingji.risk.models import ChemicalHolding, HazardSource, RiskAssessment

__all__ = ["recompute", "after_holding_write", "after_source_write", "after_assessment_write", "import_holdings",
           "result_fields"]


def _s_only(holdings) -> Decimal:
    """S = Σ q/Q when grading could not finish (a β or the population missing): the unit is still identified."""
    total = Fraction(0)
    for h in holdings:
        total += Fraction(h.tonnes) / Fraction(h.critical_quantity)
    return Decimal(total.numerator) / Decimal(total.denominator)


def result_fields(source: HazardSource, rows: list[ChemicalHolding]) -> dict:
    """The derived columns of a source from its holdings: S, α, R, grade, lines, the problem if any."""
    out = {"s_value": "0", "is_major": False, "alpha": "", "r_value": "", "grade": None, "calculation": {},
           "assessment_error": ""}
    if not rows:
        return out
    inputs = [r.as_input() for r in rows]
    try:
        result = calculator.assess(inputs, source.offsite_population)
    except ValidationFailed as exc:
        parsed = []
        for data in inputs:
            try:
                parsed.append(calculator.holding_of(data))
            except calculator.BadHolding:
                break
        s = _s_only(parsed) if len(parsed) == len(inputs) else None
        out.update({"s_value": calculator.dec(s) or "", "is_major": bool(s is not None and s >= 1),
                    "assessment_error": str(exc.message)[:500]})
        return out
    data = calculator.as_json(result)
    for line, row in zip(data["lines"], rows, strict=True):
        line["holding_id"] = row.pk
    out.update({"s_value": data["s"], "is_major": data["is_major"], "alpha": data["alpha"] or "",
                "r_value": data["r"] or "", "grade": data["grade"], "calculation": {"lines": data["lines"]}})
    return out


def _latest_level(source: HazardSource) -> int | None:
    latest = RiskAssessment.objects.filter(source=source).order_by("-assessed_on", "-pk").first()
    return latest.level if latest else None


def recompute(actor, source: HazardSource, reason: str = "") -> HazardSource:
    """Grade the source again from its holdings now; record the change (audit, and the timeline when the
    result changed)."""
    with transaction.atomic():
        source = HazardSource.objects.select_for_update().get(pk=source.pk)
        rows = list(ChemicalHolding.objects.filter(source=source).order_by("pk"))
        fields = result_fields(source, rows)
        fields["risk_level"] = levels.most_severe(levels.level_for("gb18218", fields["grade"]), _latest_level(source))
        last = source.last_review or timezone.localdate()
        fields["review_due"] = levels.review_due(last, "major_source" if fields["is_major"] else "source")
        before = (source.s_value, source.grade, source.is_major, source.r_value, source.assessment_error)
        fields["assessed_at"] = timezone.now()
        source = crud.update(actor, source, fields)
        after = (source.s_value, source.grade, source.is_major, source.r_value, source.assessment_error)
        if after != before:
            grade = source.get_grade_display() if source.grade else _("不构成重大危险源")
            text = _("重新辨识：S = %(s)s，%(g)s") % {"s": source.s_value or "—", "g": grade}
            if source.assessment_error:
                text += "；" + source.assessment_error
            timeline.add(actor, source, "assessed", text + (f"（{reason}）" if reason else ""),
                         {"s": source.s_value, "r": source.r_value, "grade": source.grade,
                          "is_major": source.is_major})
    return source


def after_holding_write(actor, holding: ChemicalHolding, op: str) -> None:
    recompute(actor, holding.source, _("危险化学品已变更"))


def after_source_write(actor, source: HazardSource, op: str) -> None:
    if op != "delete":
        recompute(actor, source, _("危险源信息已变更") if op == "update" else "")


def after_assessment_write(actor, assessment: RiskAssessment, op: str) -> None:
    if assessment.source_id:
        recompute(actor, assessment.source, _("风险评价已变更"))


def import_holdings(actor, kind, rows, report, progress) -> None:
    """Importer hook: every row checked first (every fault reported); only a clean file is written, each holding
    audited, then each source touched graded once."""
    from django.core.exceptions import ValidationError

    from yingji.core import permissions
    from yingji.core.kinds.importer import RowError, row_errors
    from yingji.core.roles import Action

    headers = dict(kind.columns)
    holdings = []
    for n, values in rows:
        holding = ChemicalHolding(**values)
        if holding.source_id:
            holding.owner_unit_id = holding.source.owner_unit_id
            if actor is not None and not permissions.can(actor, Action.IMPORT, ChemicalHolding,
                                                         unit=holding.source.owner_unit):
                report.errors.append(RowError(n, headers["source"], _("无权向该危险源导入")))
                continue
        try:
            holding.full_clean()
        except ValidationError as exc:
            row_errors(report, n, headers, exc)
            continue
        holdings.append(holding)
    if not report.ok:
        return
    touched = {}
    with transaction.atomic():
        for holding in holdings:
            crud.create(actor, holding)
            touched[holding.source_id] = holding.source
            report.created += 1
        for source in touched.values():
            recompute(actor, source, _("导入危险化学品"))
