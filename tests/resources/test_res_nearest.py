"""Nearest available resources to a point, by road travel time — the duty officer's most frequent question."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import Client

from yingji.core import commitments, travel
from yingji.domain.routing import RoadGraph
from yingji.resources import services
from yingji.resources.models import Team

pytestmark = pytest.mark.django_db
POINT = (113.30, 23.10)


def _team(world, code, lng, lat, **extra):
    return services.create(None, Team, {"owner_unit": world.town_a, "code": code, "name": f"队{code}", "kind": "social",
                                        "specialty": "flood", "lng": lng, "lat": lat, "headcount": 12,
                                        "duty_phone": "0999-110", "capabilities": {"pumping": "500"}, **extra})


@pytest.fixture
def road(tmp_path, monkeypatch):
    """A road west→east along lat 23.10 at 60 km/h, and a slow lane from the north-east at 5 km/h: the team
    nearer by straight line is the slower one to arrive."""
    lon = np.array([113.20, 113.30, 113.33])
    lat = np.array([23.10, 23.10, 23.10])
    # arcs 0→1 fast (10 km, 600 s), 2→1 slow (3 km, 2160 s)
    g = RoadGraph.from_arcs([0, 1, 2, 1], [1, 0, 1, 2], [600, 600, 2160, 2160], [10_000, 10_000, 3_000, 3_000],
                            lon, lat)
    path = tmp_path / "roads.npz"
    g.save(path)
    monkeypatch.setattr(travel, "graph_path", lambda: path)
    return g


def test_ranked_by_road_time_available_first(world, road):
    far_fast = _team(world, "F", 113.20, 23.10)
    near_slow = _team(world, "S", 113.33, 23.10)
    busy = _team(world, "B", 113.30, 23.10)
    commitments.commit(None, busy, purpose="外省支援")
    c = Client()
    c.force_login(world.duty)
    body = c.get("/api/v1/resources/nearest", {"lng": POINT[0], "lat": POINT[1], "capability": "pumping",
                                                "types": "teams"}).json()
    names = [i["name"] for i in body["items"]]
    assert names == [far_fast.name, near_slow.name, busy.name]
    first = body["items"][0]
    assert first["travel_time_s"] == pytest.approx(600, abs=1) and not first["estimated"]
    assert first["availability"] == "available" and body["items"][2]["availability"] == "committed"
    assert first["headcount"] == 12 and first["quantity"] == "500" and first["unit"] == world.town_a.name


def test_without_a_road_graph_times_are_labelled_estimates(world, tmp_path, monkeypatch):
    monkeypatch.setattr(travel, "graph_path", lambda: tmp_path / "none.npz")
    _team(world, "E", 113.25, 23.10)
    c = Client()
    c.force_login(world.duty)
    body = c.get("/api/v1/resources/nearest", {"lng": POINT[0], "lat": POINT[1], "types": "teams"}).json()
    assert body["estimated"] is True and body["items"][0]["estimated"] is True


@pytest.mark.parametrize("params", [{"lng": 23.1, "lat": 113.3}, {"lng": "abc", "lat": 1}, {"lng": 113.3},
                                    {"lng": 113.3, "lat": 23.1, "types": "warehouses"},
                                    {"lng": 113.3, "lat": 23.1, "radius_km": "inf"}])
def test_bad_points_are_clear_errors(world, params):
    c = Client()
    c.force_login(world.duty)
    r = c.get("/api/v1/resources/nearest", params)
    assert r.status_code in (400, 422) and "error" in r.json()


def test_road_nodes_are_stored_and_refreshed_when_a_team_moves(world, road):
    team = _team(world, "F", 113.20, 23.10)
    c = Client()
    c.force_login(world.duty)
    c.get("/api/v1/resources/nearest", {"lng": POINT[0], "lat": POINT[1], "types": "teams"})
    team.refresh_from_db()
    assert team.road_node == 0 and team.road_graph == road.fingerprint and team.road_snap_m < 1
    services.update(None, team, {"lng": 113.33})  # it moved: the stored node no longer fits the point
    c.get("/api/v1/resources/nearest", {"lng": POINT[0], "lat": POINT[1], "types": "teams"})
    team.refresh_from_db()
    assert team.road_node == 2
    from yingji.core.models import AuditEntry

    # Refreshing the cached node is not a change of data: the audit log has the move, not the snaps.
    after = [e.after for e in AuditEntry.objects.filter(object_type="resources.team", object_id=str(team.pk))]
    assert all("road_node" not in a for a in after)
