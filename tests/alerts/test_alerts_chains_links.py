"""Disaster chains and the links: a rainstorm warning finds the landslide and flash-flood sites inside its area
through `risk.features_in_area` (a stand-in provider here, the contract) and proposes secondary warnings with
reasons; accepting one makes a draft; without a risk module it still proposes per effect. `draft_from_rule` is
idempotent per open draft; `warnings.active` lists what the map shows."""

from __future__ import annotations

import pytest
from tests.alerts.conftest import square, when

from yingji.alerts import chains, services
from yingji.alerts.models import ChainLink, Proposal, ProposalState, Source, State, Warning
from yingji.core import links
from yingji.core.errors import Conflict

pytestmark = pytest.mark.django_db

SLOPE = {"kind": "hazard_area", "id": 7, "name": "后山滑坡隐患点", "hazard_types": ["landslide"], "lat": 23.02,
         "lng": 113.27, "risk_level": 1, "owner_unit_id": None, "url": "/risk/areas/7/"}
GULLY = {"kind": "hazard_source", "id": 9, "name": "龙潭沟", "hazard_types": ["flash_flood"], "lat": 23.03,
         "lng": 113.31, "risk_level": 3, "owner_unit_id": None, "url": "/risk/sources/9/"}
FAR = {"kind": "hazard_area", "id": 11, "name": "远处滑坡点", "hazard_types": ["landslide"], "lat": 23.22,
       "lng": 113.42, "risk_level": 2, "owner_unit_id": None, "url": "/risk/areas/11/"}
FACTORY = {"kind": "hazard_source", "id": 12, "name": "化工厂", "hazard_types": ["wsa10016"], "lat": 23.02,
           "lng": 113.26, "risk_level": 1, "owner_unit_id": None, "url": "/risk/sources/12/"}


def test_default_graph_is_seeded_and_editable(city):
    assert ChainLink.objects.filter(cause="rainstorm", effect="landslide").exists()
    assert chains.ensure_default_links() == 0
    link = ChainLink.objects.get(cause="rainstorm", effect="landslide")
    link.reason = "edited"
    link.save()
    chains.ensure_default_links()
    assert ChainLink.objects.get(pk=link.pk).reason == "edited"
    g = chains.graph()
    rain = next(r for r in g["rows"] if r["cause"] == "rainstorm")
    assert {"flash_flood", "landslide", "waterlogging"} <= {e["code"] for e in rain["effects"]}


def test_rainstorm_proposes_for_the_sites_inside_its_area(city, draft, risk_provider):
    risk_provider.extend([SLOPE, GULLY, FAR, FACTORY])
    w = draft(level=2, towns=city.towns[:2])
    props = {p.feature["id"]: p for p in w.proposals.all()}
    assert set(props) == {7, 9}  # not the far one, not the factory (no chain from rainstorm)
    slope = props[7]
    assert slope.hazard_type == "landslide" and "后山滑坡隐患点" in slope.reason and "持续降雨" in slope.reason
    assert slope.level == 2  # orange + one step, one more severe for a major-risk site
    assert props[9].level == 3
    assert len(chains.propose(w)) == 2 and Proposal.objects.filter(warning=w).count() == 2  # idempotent

    second = chains.accept(city.duty, slope)
    assert second.source == Source.CHAIN and second.parent == w and second.hazard_type == "landslide"
    assert second.state == State.DRAFT and city.towns[0].pk in second.area_units
    slope.refresh_from_db()
    assert slope.state == ProposalState.ACCEPTED and slope.draft == second
    with pytest.raises(Conflict):
        chains.accept(city.duty, slope)


def test_without_a_risk_module_it_proposes_per_effect(city, draft, monkeypatch):
    monkeypatch.delitem(links._registry, "risk.features_in_area", raising=False)
    w = draft(level=3)
    codes = {p.hazard_type for p in w.proposals.all()}
    assert {"landslide", "flash_flood", "waterlogging"} <= codes
    assert all("无法定位" in p.reason for p in w.proposals.all())


def test_draft_from_rule_is_idempotent(city):
    area = square(113.25, 23.0, 0.08)
    fire = links.call("warnings.draft_from_rule", rule_id=5, rule_name="1小时雨量≥30毫米", level=3,
                      hazard_type="rainstorm", area=area, sensor_ids=[1, 2], evidence={"sum": 31}, fired_at=when())
    assert fire["created"] is True and fire["url"] == f"/warnings/{fire['id']}/"
    again = links.call("warnings.draft_from_rule", rule_id=5, rule_name="1小时雨量≥30毫米", level=2,
                       hazard_type="rainstorm", area=area, sensor_ids=[1, 2, 3], evidence={"sum": 52},
                       fired_at=when(1))
    assert again == {"id": fire["id"], "url": fire["url"], "created": False}
    w = Warning.objects.get(pk=fire["id"])
    assert w.level == 2 and w.evidence["sum"] == 52 and w.source == Source.RULE
    assert {t.pk for t in city.towns[:2]} <= set(w.area_units)
    # Once published, the next firing opens a new draft. (A rule draft has no guidance: the duty officer adds it.)
    w = services.edit(city.duty, w, {"instruction": "停止户外活动，远离低洼地带和山体边坡。"})
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    third = links.call("warnings.draft_from_rule", rule_id=5, rule_name="r", level=3, hazard_type="rainstorm",
                       area=area, sensor_ids=[], evidence={}, fired_at=when(2))
    assert third["created"] is True and third["id"] != w.pk


def test_active_lists_published_unexpired_in_bbox(city, draft):
    w = draft(level=2)
    assert links.call("warnings.active") == []
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    far = draft(level=4, towns=[city.far])
    services.submit(city.duty, far)
    services.approve(city.commander, far)
    items = links.call("warnings.active")
    assert [i["id"] for i in items] == [w.pk, far.pk]  # most severe first
    assert set(items[0]) >= {"id", "identifier", "level", "hazard_type", "headline", "area", "onset", "expires",
                             "url"}
    near = links.call("warnings.active", bbox=(113.2, 22.99, 113.3, 23.06))
    assert [i["id"] for i in near] == [w.pk]


# Like the demo's risk areas (risk/demo.py AREA_TYPES): a geological site carries landslide AND debris flow, a
# flood-prone area flood and flash flood.
GEOLOGICAL = {"kind": "hazard_area", "id": 21, "name": "长安镇地质灾害隐患点1号", "hazard_types": ["landslide", "debris_flow"],
              "lat": 23.02, "lng": 113.27, "risk_level": 2, "owner_unit_id": None, "url": "/risk/areas/21/"}
FLOOD_PRONE = {"kind": "hazard_area", "id": 22, "name": "长安镇易涝易淹区1号", "hazard_types": ["flood", "flash_flood"],
               "lat": 23.03, "lng": 113.26, "risk_level": 3, "owner_unit_id": None, "url": "/risk/areas/22/"}


def test_a_site_with_several_hazards_gets_one_proposal_per_hazard(city, draft, risk_provider):
    """The acceptance of the chains issue: a rainstorm warning proposes landslide advisories for the geological
    sites inside it, beside the debris-flow ones (the first matching link used to win, by effect code)."""
    risk_provider.extend([GEOLOGICAL, FLOOD_PRONE])
    w = draft(level=2, towns=city.towns[:2])
    got = {(p.feature["id"], p.hazard_type): p for p in w.proposals.all()}
    assert set(got) == {(21, "landslide"), (21, "debris_flow"), (22, "flash_flood")}  # no rainstorm → flood link
    slide = got[(21, "landslide")]
    assert "长安镇地质灾害隐患点1号" in slide.reason and "滑坡" in slide.reason and "持续降雨" in slide.reason
    assert "泥石流" in got[(21, "debris_flow")].reason and "沟谷" in got[(21, "debris_flow")].reason
    assert len(chains.propose(w)) == 3 and Proposal.objects.filter(warning=w).count() == 3  # idempotent
    draft_ = chains.accept(city.duty, slide)
    assert draft_.hazard_type == "landslide" and "滑坡" in draft_.headline
