"""Exercise mode: an exercise incident is labelled, commits only in the exercise ledger and never changes real
stock or real availability; and what a town sees (its own incidents, those it is dispatched to)."""

from __future__ import annotations

import pytest
from tests.incidents.conftest import ok, post

from yingji.core.models import Availability, Commitment
from yingji.incidents import dispatching, services

pytestmark = pytest.mark.django_db


def test_exercise_dispatch_never_changes_real_availability_or_stock(city, client_for):
    drill = services.report(city.duty, owner_unit=city.city, title="防汛演练", hazard_type="flood", lng=113.2,
                            lat=23.1, is_exercise=True)
    real = services.report(city.duty, owner_unit=city.city, title="真实内涝", hazard_type="flood", lng=113.21,
                           lat=23.1)
    team = city.teams["a"]
    d = dispatching.dispatch(city.duty, drill, resource_type="teams", resource_id=team.pk, capability="pumping")
    assert d.is_exercise
    assert Commitment.objects.get(pk=d.commitment_id).is_exercise
    team.refresh_from_db()
    assert team.availability == Availability.AVAILABLE
    # The real incident still gets the team, and its recommendation lists it.
    rec = dispatching.recommend(city.duty, real, "pumping", 1000)
    assert team.pk in [i["resource_id"] for i in rec["items"]]
    dispatching.dispatch(city.duty, real, resource_type="teams", resource_id=team.pk, capability="pumping")
    # …but the exercise ledger is busy: the drill cannot take it twice.
    again = services.report(city.duty, owner_unit=city.city, title="防汛演练二", hazard_type="flood", lng=113.2,
                            lat=23.1, is_exercise=True)
    assert team.pk not in [i["resource_id"] for i in dispatching.recommend(city.duty, again, "pumping", 1)["items"]]
    # Materials in an exercise: accepted, but no stock-out.
    m = dispatching.dispatch(city.duty, drill, resource_type="stock", resource_id=city.batch.pk, quantity=100)
    dispatching.set_status(city.staff_a, m, "accepted")
    city.batch.refresh_from_db()
    assert city.batch.quantity == 500 and m.__class__.objects.get(pk=m.pk).movement_id is None
    # Labelled in the API.
    assert ok(client_for(city.duty).get(f"/api/v1/incidents/{drill.pk}"))["is_exercise"] is True


def test_a_town_sees_its_own_incidents_and_those_it_is_dispatched_to(city, client_for):
    own = services.report(city.staff_c, owner_unit=city.town_c, title="白沙镇道路塌陷", hazard_type="ground_collapse",
                          lng=113.4, lat=23.1)
    inside = services.report(city.duty, owner_unit=city.city, title="长安镇火情", hazard_type="wsa10009",
                             lng=113.2, lat=23.1)
    elsewhere = services.report(city.duty, owner_unit=city.city, title="青山街道内涝", hazard_type="flood",
                                lng=113.3, lat=23.1)
    c = client_for(city.staff_c)
    seen = {i["id"] for i in ok(c.get("/api/v1/incidents?limit=50"))["items"]}
    assert seen == {own.pk}
    dispatching.dispatch(city.duty, elsewhere, resource_type="teams", resource_id=city.teams["c"].pk)
    seen = {i["id"] for i in ok(c.get("/api/v1/incidents?limit=50"))["items"]}
    assert seen == {own.pk, elsewhere.pk}
    # A town sees incidents in its area (the city's record of a fire in 长安镇 is 长安镇's to see).
    assert inside.pk in {i["id"] for i in ok(client_for(city.staff_a).get("/api/v1/incidents"))["items"]}
    # The command centre sees all.
    assert {own.pk, inside.pk, elsewhere.pk} <= {i["id"] for i in ok(client_for(city.commander).get(
        "/api/v1/incidents"))["items"]}


def test_duplicates_are_offered_and_a_merge_keeps_both_timelines(city, client_for):
    duty = client_for(city.duty)
    first = ok(post(duty, "/api/v1/incidents", {"title": "江边内涝", "hazard_type": "waterlogging", "lng": 113.2,
                                                "lat": 23.1, "caller_name": "张三"}), 201)
    second = ok(post(duty, "/api/v1/incidents", {"title": "江边积水", "hazard_type": "waterlogging", "lng": 113.203,
                                                 "lat": 23.101, "trapped": 3}), 201)
    assert [d["id"] for d in second["duplicates"]] == [first["id"]]
    far = ok(post(duty, "/api/v1/incidents", {"title": "远处积水", "hazard_type": "waterlogging", "lng": 113.35,
                                              "lat": 23.1}), 201)
    assert far["duplicates"] == []
    merged = ok(post(duty, f"/api/v1/incidents/{first['id']}/merge", {"other_id": second["id"]}))
    assert merged["trapped"] == 3
    entries = ok(duty.get(f"/api/v1/incidents/{first['id']}/timeline?limit=200"))["items"]
    assert {e["incident"] for e in entries} == {first["id"], second["id"]}
    assert any(e["kind"] == "merged" for e in entries)
    assert ok(duty.get(f"/api/v1/incidents/{second['id']}"))["phase"] == "merged"
