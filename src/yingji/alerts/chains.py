"""灾害链: the editable graph of hazard types (rainstorm → flash flood, landslide, waterlogging → traffic
disruption, power cut …) and the proposals a warning makes from it.

A warning looks up the effects of its hazard type (and of its ancestors), asks the risk module for the hazard
sources and areas of those types inside its area (link `risk.features_in_area`), and proposes one secondary
warning or advisory per feature, with the reason. Without a risk module it proposes one advisory per effect,
saying it could not locate specific sites. Proposals are idempotent: one per (warning, hazard, feature).
"""

from __future__ import annotations

import datetime as dt

import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import stored
from yingji.alerts.models import ChainLink, Proposal, ProposalState, Source, Warning
from yingji.core import audit, crud, links, vocabulary
from yingji.core.errors import Conflict
from yingji.core.levels import RiskLevel, WarningLevel
from yingji.core.roles import Action

__all__ = ["DEFAULT_LINKS", "ensure_default_links", "effects_of", "propose", "accept", "dismiss", "graph"]

# (cause, effect, reason, level step): the chains a city's bureau typically watches.
DEFAULT_LINKS = (
    ("rainstorm", "flash_flood", "短时强降雨易在山区小流域引发山洪", 1),
    ("rainstorm", "landslide", "持续降雨使坡体饱水，易诱发滑坡", 1),
    ("rainstorm", "debris_flow", "强降雨可能在沟谷引发泥石流", 1),
    ("rainstorm", "rockfall", "降雨软化岩土，易引发崩塌", 1),
    ("rainstorm", "waterlogging", "城区排水能力不足时易形成内涝", 0),
    ("typhoon", "rainstorm", "台风带来强降雨", 0),
    ("typhoon", "gale", "台风带来大风", 0),
    ("typhoon", "storm_surge", "台风与天文大潮叠加易引发风暴潮", 0),
    ("flash_flood", "transport", "山洪冲毁道路桥梁，造成交通中断", 1),
    ("waterlogging", "transport", "道路积水、下穿通道被淹，造成交通中断", 1),
    ("waterlogging", "public_facility", "配电设施进水，可能造成停电", 1),
    ("gale", "public_facility", "大风可能吹倒线路、广告牌，造成停电", 1),
    ("heat", "public_facility", "用电负荷骤增，电网可能过载停电", 1),
    ("heat", "forest_fire", "高温干燥，森林火险等级升高", 1),
    ("earthquake", "landslide", "地震可能诱发滑坡", 0),
    ("earthquake", "rockfall", "地震可能诱发崩塌", 0),
    ("snowstorm", "road_icing", "降雪后道路结冰", 0),
    ("road_icing", "transport", "道路结冰易引发交通事故和交通中断", 1),
    ("cold_wave", "frost", "寒潮降温易出现霜冻", 1),
)


def ensure_default_links() -> int:
    """The default graph's missing edges (a flushed test database or a fresh demo); edited edges stay."""
    known = set(vocabulary.hazard_names())
    have = set(ChainLink.objects.values_list("cause", "effect"))
    made = 0
    for cause, effect, reason, step in DEFAULT_LINKS:
        if (cause, effect) in have or cause not in known or effect not in known:
            continue
        crud.create(None, ChainLink(cause=cause, effect=effect, reason=reason, level_step=step))
        made += 1
    return made


def effects_of(code: str) -> list[ChainLink]:
    causes = vocabulary.with_ancestors([code])
    return list(ChainLink.objects.filter(cause__in=causes, is_active=True).order_by("effect"))


def graph() -> dict:
    names = vocabulary.hazard_names()
    edges = list(ChainLink.objects.filter(is_active=True).order_by("cause", "effect"))
    causes = sorted({e.cause for e in edges})
    return {"rows": [{"cause": c, "cause_name": names.get(c, c),
                      "effects": [{"code": e.effect, "name": names.get(e.effect, e.effect), "reason": e.reason,
                                   "step": e.level_step, "id": e.pk} for e in edges if e.cause == c]}
                     for c in causes]}


def _effects_for(feature_codes, effects: list[ChainLink]) -> list[ChainLink]:
    """Every effect of the chain that a feature carries (a geological site may be prone to landslide and debris
    flow at once): one link per effect hazard, the first by the graph's order when several causes lead to it."""
    carried = set().union(*(vocabulary.with_ancestors([c]) for c in feature_codes or []))
    out, seen = [], set()
    for link in effects:
        if link.effect in carried and link.effect not in seen:
            seen.add(link.effect)
            out.append(link)
    return out


def _level(w: Warning, link: ChainLink, risk_level) -> int:
    level = min(4, w.level + link.level_step)
    if risk_level == RiskLevel.MAJOR:
        level = max(1, level - 1)  # a major-risk site inside the area: one colour more severe
    return level


def propose(w: Warning) -> list[Proposal]:
    """The proposals of warning `w` (made once each; existing ones are returned as they are)."""
    effects = effects_of(w.hazard_type)
    if not effects or not w.boundary:
        return []
    with stored.chinese():  # the reasons are kept, and become a draft's description
        return _propose(w, effects)


def _propose(w: Warning, effects: list[ChainLink]) -> list[Proposal]:
    names = vocabulary.hazard_names()
    cause = names.get(w.hazard_type, w.hazard_type)
    wanted = []
    features = links.call("risk.features_in_area", w.boundary, [e.effect for e in effects], default=None)
    if features is None:
        for link in {link.effect: link for link in reversed(effects)}.values():
            wanted.append((link.effect, min(4, w.level + link.level_step), None, f"type:{link.effect}",
                           _("%(c)s可能引发%(e)s：%(r)s（未接入风险图层，无法定位具体隐患点）") % {
                               "c": cause, "e": names.get(link.effect, link.effect), "r": link.reason}))
    else:
        for f in features:
            risk = f.get("risk_level")
            risk_text = str(RiskLevel(risk).label) if risk in RiskLevel.values else _("风险等级未评定")
            kind = _("危险源") if f.get("kind") == "hazard_source" else _("风险区域")
            for link in _effects_for(f.get("hazard_types"), effects):
                wanted.append((link.effect, _level(w, link, risk), f, f"{f.get('kind')}:{f.get('id')}",
                               _("%(lv)s%(c)s预警区域内有%(k)s“%(n)s”（%(e)s，%(risk)s）：%(r)s") % {
                                   "lv": w.get_level_display(), "c": cause, "k": kind, "n": f.get("name", ""),
                                   "e": names.get(link.effect, link.effect), "risk": risk_text, "r": link.reason}))
    out = []
    for effect, level, feature, key, reason in wanted:
        existing = Proposal.objects.filter(warning=w, hazard_type=effect, feature_key=key).first()
        if existing:
            out.append(existing)
            continue
        p = Proposal(warning=w, hazard_type=effect, level=level, feature=feature, feature_key=key,
                     reason=reason[:500])
        try:
            with transaction.atomic():
                p.save()
                audit.record("create", p, None, audit.snapshot(p), None)
        except IntegrityError:
            p = Proposal.objects.get(warning=w, hazard_type=effect, feature_key=key)
        out.append(p)
    return out


def _area_of(p: Proposal) -> dict:
    f = p.feature or {}
    if f.get("lat") is not None and f.get("lng") is not None:
        # About 1 km around the site, as the secondary warning's own area.
        circle = shapely.Point(float(f["lng"]), float(f["lat"])).buffer(0.01, quad_segs=8)
        return shapely.geometry.mapping(circle)
    return p.warning.boundary


def accept(actor, proposal: Proposal) -> Warning:
    """The user accepts a proposal: a draft secondary warning (source 灾害链, parent the warning)."""
    from yingji.alerts import services

    with transaction.atomic():
        p = Proposal.objects.select_for_update().select_related("warning__owner_unit").get(pk=proposal.pk)
        w = crud.get_for(actor, Warning, p.warning_id, Action.VIEW)
        if p.state != ProposalState.PROPOSED:
            raise Conflict(_("该建议已处理"), code="bad_state")
        with stored.chinese():  # the headline goes into the CAP zh-CN info block
            names = vocabulary.hazard_names()
            effect = names.get(p.hazard_type, p.hazard_type)
            site = (p.feature or {}).get("name")
            headline = _("%(e)s%(l)s预警") % {"e": effect, "l": WarningLevel(p.level).label} + (f"（{site}）" if site else "")
        now = timezone.now()
        draft = services.create_draft(
            actor, owner_unit=w.owner_unit, headline=headline, hazard_type=p.hazard_type, level=p.level,
            onset=max(w.onset, now), expires=max(w.expires, now + dt.timedelta(hours=1)), area=_area_of(p),
            description=p.reason, instruction=w.instruction, source=Source.CHAIN, source_ref=w.identifier,
            is_exercise=w.is_exercise, parent=w, propose=False)
        before = audit.snapshot(p)
        p.state, p.draft = ProposalState.ACCEPTED, draft
        p.save(update_fields=["state", "draft"])
        audit.record("update", p, before, audit.snapshot(p), actor)
        stored.note(actor, w, "proposal_accepted", lambda: _("采纳次生灾害建议：%(r)s") % {"r": p.reason},
                    {"proposal": p.pk, "draft": draft.pk})
    return draft


def dismiss(actor, proposal: Proposal) -> Proposal:
    with transaction.atomic():
        p = Proposal.objects.select_for_update().get(pk=proposal.pk)
        w = crud.get_for(actor, Warning, p.warning_id, Action.CHANGE)
        if p.state != ProposalState.PROPOSED:
            raise Conflict(_("该建议已处理"), code="bad_state")
        before = audit.snapshot(p)
        p.state = ProposalState.DISMISSED
        p.save(update_fields=["state"])
        audit.record("update", p, before, audit.snapshot(p), actor)
        stored.note(actor, w, "proposal_dismissed", lambda: _("忽略建议：%(r)s") % {"r": p.reason}, {"proposal": p.pk})
    return p
