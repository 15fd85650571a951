"""The duty officer's flow through the API: report → grade → recommend → dispatch → accept → arrive → close →
review, with the timeline as the record (issue 11's contract)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.incidents.conftest import error, ok, post

from yingji.core.models import Commitment
from yingji.notifications.models import Notification

pytestmark = pytest.mark.django_db
API = "/api/v1/incidents"


def _report(c, **extra):
    body = {"title": "长安镇内涝", "hazard_type": "waterlogging", "lng": 113.205, "lat": 23.102,
            "occurred_at": "2026-12-02T08:00:00+08:00", "deaths": 0, "serious_injuries": 0,
            "direct_loss_wan_yuan": "10", "is_exercise": False, **extra}
    return ok(post(c, API, body), 201)


def test_report_grade_dispatch_accept_arrive_close_review(city, client_for):
    duty = client_for(city.duty)
    inc = _report(duty)
    assert inc["level"] == 4 and inc["level_label"] == "一般" and inc["phase"] == "reported"

    # New figures re-grade it, with the reason on the timeline.
    inc = ok(duty.patch(f"{API}/{inc['id']}", {"deaths": 4, "reason": "续报：发现 4 名遇难者"},
                        content_type="application/json"))
    assert inc["level"] == 3
    entries = ok(duty.get(f"{API}/{inc['id']}/timeline?limit=100"))["items"]
    regraded = [e for e in entries if e["kind"] == "regraded"]
    assert regraded and "续报：发现 4 名遇难者" in regraded[0]["text"]
    assert all(len(e["hash"]) == 64 for e in entries)

    # Recommendation: fastest first, for pumping 3,000 m³/h.
    rec = ok(duty.get(f"{API}/{inc['id']}/recommendation?capability=pumping&quantity=3000"))
    items = rec["items"]
    assert [i["resource_id"] for i in items][0] == city.teams["a"].pk
    times = [i["travel_time_s"] for i in items]
    assert times == sorted(times)
    assert {"resource_type", "resource_id", "name", "unit", "quantity", "travel_time_s"} <= set(items[0])

    # Dispatch three teams from three different units.
    ids = []
    for key in ("a", "b", "blue"):
        cap = "water_rescue" if key == "blue" else "pumping"
        d = ok(post(duty, f"{API}/{inc['id']}/dispatches", {
            "resource_type": "teams", "resource_id": city.teams[key].pk, "capability": cap, "quantity": 1}), 201)
        ids.append(d["id"])
    assert Commitment.objects.filter(state="committed", is_exercise=False).count() == 3
    assert ok(duty.get(f"{API}/{inc['id']}"))["phase"] == "responding"

    # Each owning unit gets a 签收 item and answers it; the duty officer may not answer for them.
    assert Notification.objects.filter(user=city.staff_a, message__needs_signoff=True).exists()
    error(post(duty, f"/api/v1/dispatches/{ids[0]}/status", {"status": "accepted"}), 403)
    error(post(client_for(city.staff_b), f"/api/v1/dispatches/{ids[0]}/status", {"status": "accepted"}), 404)
    for who, pk in ((city.staff_a, ids[0]), (city.staff_b, ids[1]), (city.leader, ids[2])):
        d = ok(post(client_for(who), f"/api/v1/dispatches/{pk}/status", {"status": "accepted"}))
        assert d["status"] == "accepted" and d["accepted_at"]
    # The town sees the incident it is dispatched to.
    assert ok(client_for(city.staff_b).get(f"{API}/{inc['id']}"))["id"] == inc["id"]
    for pk in ids:
        ok(post(duty, f"/api/v1/dispatches/{pk}/status", {"status": "en_route"}))
        d = ok(post(duty, f"/api/v1/dispatches/{pk}/status", {"status": "on_scene"}))
        assert d["on_scene_at"]
    error(post(duty, f"/api/v1/dispatches/{ids[0]}/status", {"status": "accepted"}), 409, "bad_state")

    # Closing needs the final report.
    error(post(duty, f"{API}/{inc['id']}/close"), 409, "final_report_missing")
    ok(post(duty, f"{API}/{inc['id']}/phase", {"phase": "recovery"}))
    reports = ok(duty.get(f"{API}/{inc['id']}/reports"))
    for r in reports:
        if not r["submitted_at"]:
            ok(post(duty, f"{API}/reports/{r['id']}/submit", {"text": "情况报告", "recipient": "市政府总值班室"}))
    closed = ok(post(duty, f"{API}/{inc['id']}/close", {"note": "险情排除"}))
    assert closed["phase"] == "closed"
    assert Commitment.objects.filter(state="committed").count() == 0

    rv = ok(post(duty, f"{API}/{inc['id']}/review", {
        "lessons": "排涝力量到场及时；低洼路段预警不足。",
        "follow_ups": [{"unit_id": city.town_a.pk, "title": "完善低洼路段积水预警", "due": str(dt.date.today() + dt.timedelta(days=30))}]}), 201)
    t = rv["timings"]
    assert t["first_dispatch_s"] is not None and t["first_dispatch_s"] >= 0
    assert len(t["arrivals"]) == 3 and all(a["seconds"] is not None for a in t["arrivals"])
    assert len(rv["follow_up_task_ids"]) == 1


def test_decline_frees_the_team(city, client_for):
    duty = client_for(city.duty)
    inc = _report(duty)
    d = ok(post(duty, f"{API}/{inc['id']}/dispatches", {"resource_type": "teams", "resource_id": city.teams["a"].pk,
                                                       "capability": "pumping"}), 201)
    ok(post(client_for(city.staff_a), f"/api/v1/dispatches/{d['id']}/status", {"status": "declined",
                                                                              "note": "队伍正在执行其他任务"}))
    assert Commitment.objects.filter(state="committed").count() == 0
    again = ok(post(duty, f"{API}/{inc['id']}/dispatches", {"resource_type": "teams",
                                                           "resource_id": city.teams["a"].pk}), 201)
    assert again["status"] == "dispatched"


def test_bad_input_changes_nothing(city, client_for):
    from yingji.incidents.models import Incident

    duty = client_for(city.duty)
    error(post(duty, API, {"title": "x", "hazard_type": "no_such", "lng": 113.2, "lat": 23.1}), 422)
    error(post(duty, API, {"title": "x", "hazard_type": "flood", "lng": 23.1, "lat": 113.2}), 422)
    error(post(duty, API, {"title": "x", "hazard_type": "flood", "lng": 113.2, "lat": 23.1, "deaths": -1}), 422)
    assert Incident.objects.count() == 0
    inc = _report(duty)
    error(duty.get(f"{API}/{inc['id']}/recommendation?capability=nope&quantity=1"), 422)
    error(post(duty, f"{API}/{inc['id']}/dispatches", {"resource_type": "shelters", "resource_id": 1}), 422)
    error(post(duty, f"{API}/{inc['id']}/dispatches", {"resource_type": "teams", "resource_id": 999999}), 404)
    error(post(client_for(city.staff_c), API, {"title": "x", "hazard_type": "flood", "lng": 113.2, "lat": 23.1,
                                               "owner_unit_id": city.city.pk}), 403)


def test_materials_post_a_stock_out_when_the_warehouse_accepts(city, client_for):
    from yingji.resources.models import StockMovement

    duty = client_for(city.duty)
    inc = _report(duty)
    d = ok(post(duty, f"{API}/{inc['id']}/dispatches", {"resource_type": "stock", "resource_id": city.batch.pk,
                                                       "quantity": 120}), 201)
    city.batch.refresh_from_db()
    assert city.batch.quantity == 500
    ok(post(client_for(city.staff_a), f"/api/v1/dispatches/{d['id']}/status", {"status": "accepted"}))
    city.batch.refresh_from_db()
    assert city.batch.quantity == 380
    move = StockMovement.objects.filter(batch=city.batch, kind="issue").get()
    assert move.incident_ref.startswith("SJ")
