"""The links of docs/kernel.md: incidents provides `incidents.open_from_warning` and `incidents.active`; the
command dashboard shows what `risk.features_near` and `warnings.active` answer (stand-in providers here test our
side of the contract) and copes without them."""

from __future__ import annotations

import pytest

from yingji.core import links
from yingji.incidents import selectors, services

pytestmark = pytest.mark.django_db


def test_open_from_warning_is_idempotent_and_active_lists_it(city):
    made = links.call("incidents.open_from_warning", None, title="暴雨红色预警：江北区", hazard_type="rainstorm",
                      lat=23.1, lng=113.2, level=1, source_ref="W-2026-001", description="由预警转入")
    assert set(made) == {"id", "url"} and made["url"] == f"/incidents/{made['id']}/"
    again = links.call("incidents.open_from_warning", None, title="暴雨红色预警：江北区", hazard_type="rainstorm",
                       lat=23.1, lng=113.2, source_ref="W-2026-001")
    assert again == made
    rows = links.call("incidents.active", city.commander)
    assert [r["id"] for r in rows] == [made["id"]]
    row = rows[0]
    assert set(row) >= {"id", "title", "level", "hazard_type", "lat", "lng", "phase", "url"}
    assert row["level"] == 1 and row["phase"] == "reported"
    from yingji.incidents.models import Incident

    inc = Incident.objects.get(pk=made["id"])  # the level and its basis agree: both from the red warning
    assert inc.level_basis.startswith("按预警级别定级：红色预警对应特别重大事件；按伤亡和损失：")
    assert links.call("incidents.active", city.staff_c) == []  # another town's business


def test_dashboard_shows_hazards_and_warnings_from_the_providers(city, client_for, monkeypatch):
    inc = services.report(city.duty, owner_unit=city.city, title="化工园区泄漏", hazard_type="wsa10026", lng=113.2,
                          lat=23.1)
    # Without providers: nothing, and no error.
    assert selectors.dashboard(city.duty, inc.pk)["hazards"] == []
    calls = {}

    def features_near(lat, lng, radius_m, hazard_codes=None):
        calls["near"] = (lat, lng, radius_m)
        return [{"kind": "hazard_source", "id": 7, "name": "某化工液氯储罐区", "hazard_types": ["wsa10026"],
                 "lat": lat + 0.001, "lng": lng, "risk_level": 1, "owner_unit_id": None, "url": "/risk/7/",
                 "distance_m": 111.0}]

    def active(bbox=None):
        calls["bbox"] = bbox
        return [{"id": 3, "identifier": "W3", "level": 2, "hazard_type": "rainstorm", "headline": "暴雨橙色预警",
                 "area": None, "onset": None, "expires": None, "url": "/warnings/3/"}]

    monkeypatch.setitem(links._registry, "risk.features_near", features_near)
    monkeypatch.setitem(links._registry, "warnings.active", active)
    page = client_for(city.duty).get(f"/incidents/{inc.pk}/").content.decode()
    assert "某化工液氯储罐区" in page and "暴雨橙色预警" in page
    assert calls["near"] == (23.1, 113.2, 3000)
    w, s, e, n = calls["bbox"]
    assert w < 113.2 < e and s < 23.1 < n
