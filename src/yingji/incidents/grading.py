"""Grading (定级): production-safety accidents by 国务院令第493号 (`accidents.grade`), every other hazard type by the
editable rule table (levels I–IV). Level 1 is 特别重大."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from yingji.core import crud, vocabulary
from yingji.core.levels import EventLevel, WarningLevel
from yingji.domain.standards import accidents

__all__ = ["Grade", "grade", "stored_grade", "basis_text", "is_production_safety", "ensure_default_rules",
           "DEFAULT_GRADING"]

PRODUCTION_SAFETY = "production_safety"
BASIS = gettext_noop("本地分级规则（参照《国家突发事件总体应急预案》分级原则，可编辑）")
# (hazard type, level, deaths ≥, serious injuries ≥, loss ≥ 万元, affected ≥)
DEFAULT_GRADING = [
    (cat, lvl, d, s, loss, aff)
    for cat in ("natural", "accident", "public_health", "social_security")
    for lvl, d, s, loss, aff in ((1, 30, 100, 10000, 1000000), (2, 10, 50, 5000, 100000),
                                 (3, 3, 10, 1000, 10000))
]


@dataclass(frozen=True)
class Grade:
    level: int
    basis: str


def is_production_safety(hazard_type: str) -> bool:
    return PRODUCTION_SAFETY in vocabulary.with_ancestors([hazard_type])


def ensure_default_rules() -> int:
    """The default table, if empty (a migration-free seed used by the demo, the tests and the first grading)."""
    from yingji.incidents.models import GradingRule

    if GradingRule.objects.exists():
        return 0
    for cat, lvl, d, s, loss, aff in DEFAULT_GRADING:
        crud.create(None, GradingRule(hazard_type=cat, level=lvl, min_deaths=d, min_serious_injuries=s,
                                      min_loss_wan_yuan=Decimal(loss), min_affected=aff, basis=BASIS))
    return len(DEFAULT_GRADING)


def grade(hazard_type: str, *, deaths: int = 0, serious_injuries: int = 0, direct_loss_wan_yuan=0,
          affected: int = 0, missing: int = 0, warning_level: int | None = None) -> Grade:
    """The level and its basis in the active language. `warning_level` (an incident opened from a warning) is a
    floor: the incident is graded at least as severe as the warning's colour (红 → I … 蓝 → IV), and the basis says
    so beside what the figures reach, so the badge and the basis always agree."""
    by_figures = _by_figures(hazard_type, deaths=deaths, serious_injuries=serious_injuries,
                             direct_loss_wan_yuan=direct_loss_wan_yuan, affected=affected, missing=missing)
    if warning_level is None or int(warning_level) not in EventLevel.values or int(warning_level) >= by_figures.level:
        return by_figures
    level = int(warning_level)
    return Grade(level, _("按预警级别定级：%(w)s预警对应%(l)s事件；按伤亡和损失：%(b)s") % {
        "w": WarningLevel(level).label, "l": EventLevel(level).label, "b": by_figures.basis})


def stored_grade(hazard_type: str, **kw) -> Grade:
    """The grade as stored on the incident: its basis in Chinese whoever graded it (other systems read it)."""
    with translation.override("zh-hans"):
        g = grade(hazard_type, **kw)
        return Grade(g.level, str(g.basis)[:300])


def basis_text(inc) -> str:
    """An incident's stored (Chinese) basis in the viewer's language, when it is what the grading would write now
    (by figures, or by the warning's level); otherwise as stored (an edited rule, a grade by hand)."""
    stored = inc.level_basis or ""
    if not stored or (translation.get_language() or "").startswith("zh") or inc.level is None:
        return stored
    figures = {k: getattr(inc, k) for k in ("deaths", "serious_injuries", "direct_loss_wan_yuan", "affected",
                                            "missing")}
    for warning_level in (inc.warning_level, None, inc.level):
        g = stored_grade(inc.hazard_type, warning_level=warning_level, **figures)
        if g.level == inc.level and g.basis == stored:
            return grade(inc.hazard_type, warning_level=warning_level, **figures).basis
    return stored


def _by_figures(hazard_type: str, *, deaths: int = 0, serious_injuries: int = 0, direct_loss_wan_yuan=0,
                affected: int = 0, missing: int = 0) -> Grade:
    if is_production_safety(hazard_type):
        g = accidents.grade(deaths, serious_injuries, direct_loss_wan_yuan)
        names = {"deaths": _("死亡人数"), "serious_injuries": _("重伤人数"), "direct_loss_wan_yuan": _("直接经济损失")}
        deciding = "、".join(str(names[k]) for k in g.deciding)
        return Grade(g.level, _("《生产安全事故报告和调查处理条例》第三条：%(label)s（%(by)s）") % {
            "label": g.label, "by": deciding})
    from yingji.incidents.models import GradingRule

    ensure_default_rules()
    codes = vocabulary.with_ancestors([hazard_type])
    loss = Decimal(str(direct_loss_wan_yuan or 0))
    best = None
    for rule in GradingRule.objects.filter(hazard_type__in=codes, is_active=True).order_by("level"):
        reached = []
        if rule.min_deaths is not None and deaths >= rule.min_deaths:
            reached.append(_("死亡 %(n)s 人") % {"n": deaths})
        if rule.min_serious_injuries is not None and serious_injuries >= rule.min_serious_injuries:
            reached.append(_("重伤 %(n)s 人") % {"n": serious_injuries})
        if rule.min_loss_wan_yuan is not None and loss >= rule.min_loss_wan_yuan:
            reached.append(_("直接经济损失 %(n)s 万元") % {"n": loss})
        if rule.min_affected is not None and affected >= rule.min_affected:
            reached.append(_("受灾 %(n)s 人") % {"n": affected})
        if reached and (best is None or rule.level < best.level):
            basis = _(BASIS) if rule.basis in ("", BASIS) else rule.basis  # an edited basis is the user's text
            best = Grade(rule.level, f"{basis}：{rule.get_level_display()}（{'、'.join(reached)}）")
    return best or Grade(4, _("%(basis)s：未达较大以上标准，定为一般") % {"basis": _(BASIS)})
