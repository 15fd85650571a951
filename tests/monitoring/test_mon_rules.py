"""Rules on ingest: a firing is recorded once and asks `warnings.draft_from_rule` with the contract's
arguments; without a warnings module the firing is still kept. Rules API, templates and the dry run."""

from __future__ import annotations

import json

from mon_util import now_ms

from yingji.monitoring import services
from yingji.monitoring.models import RuleFiring

URL = "/api/v1/monitoring/readings"
HOUR = 3_600_000


def post(client, rows):
    return client.post(URL, data=json.dumps({"readings": rows}), content_type="application/json")


def rainstorm_orange(world):
    rules = services.rules_from_template(None, owner_unit=world.tree["city"], template="rainstorm",
                                         hazard_type="rainstorm")
    return {r.level: r for r in rules}


def heavy_rain(code, start, minutes=180, mm_per_10=3.0):
    return [[code, start + i * 600_000, mm_per_10] for i in range(1, minutes // 10 + 1)]


def test_rainstorm_fires_once_and_asks_for_a_draft(world, drafts):
    rules = rainstorm_orange(world)
    start = now_ms() - 4 * HOUR
    r = post(world.client, heavy_rain("RG-001", start))  # 18 × 3 mm = 54 mm in 3 h: orange and below
    assert r.status_code == 200
    fired = {f["level"] for f in r.json()["fired"]}
    assert fired == {2, 3, 4}
    orange = [c for c in drafts.calls if c["level"] == 2]
    assert len(orange) == 1
    call = orange[0]
    assert set(call) == {"rule_id", "rule_name", "level", "hazard_type", "area", "sensor_ids", "evidence", "fired_at",
                         "is_exercise"}
    assert call["rule_id"] == rules[2].pk and call["hazard_type"] == "rainstorm" and call["is_exercise"] is False
    assert call["sensor_ids"] == [world.rain[0].pk] and call["area"]["type"] == "Polygon"
    assert call["evidence"]["clauses"][0]["sensors"][0]["series"] >= 50
    # The same batch again, and an overlapping one: nothing new fires, nothing is counted twice.
    assert post(world.client, heavy_rain("RG-001", start)).json()["fired"] == []
    assert RuleFiring.objects.filter(rule=rules[2]).count() == 1
    firing = RuleFiring.objects.get(rule=rules[2])
    assert firing.draft["url"] == f"/warnings/{drafts.calls.index(call) + 1}/"


def test_without_a_warnings_module_the_firing_is_kept(world, monkeypatch):
    from yingji.core import links

    monkeypatch.delitem(links._registry, "warnings.draft_from_rule", raising=False)  # as if not installed
    rules = rainstorm_orange(world)
    r = post(world.client, heavy_rain("RG-002", now_ms() - 4 * HOUR))
    assert r.status_code == 200
    firing = RuleFiring.objects.get(rule=rules[2])
    assert firing.draft is None and firing.sensor_ids == [world.rain[1].pk]
    rules[2].refresh_from_db()
    assert rules[2].last_fired_at == firing.fired_at


def test_out_of_order_data_fires_at_the_right_moment(world, drafts):
    rules = rainstorm_orange(world)
    rows = heavy_rain("RG-003", now_ms() - 5 * HOUR)
    post(world.client, rows[9:])
    post(world.client, rows[:9])  # the first half arrives late
    firing = RuleFiring.objects.get(rule=rules[2])
    assert firing.fired_ms == rows[16][1]  # the 17th reading makes 51 mm


def test_composite_across_sensors(world, drafts):
    from yingji.monitoring.models import Rule  # noqa: F401

    rule = services.create_rule(None, owner_unit=world.tree["city"], name="内涝", hazard_type="waterlogging",
                                definition={"level": 3, "match": "all", "clauses": [
                                    {"sensors": {"kind": "rain"}, "min_sensors": 2,
                                     "when": {"of": {"agg": "sum", "hours": 1}, "op": ">=", "value": 20}},
                                    {"sensors": {"codes": ["WL-001"]},
                                     "when": {"of": {"agg": "change", "hours": 1}, "op": ">=", "value": 0.5}}]})
    t = now_ms() - 2 * HOUR
    post(world.client, heavy_rain("RG-001", t, 60, 4.0) + heavy_rain("RG-002", t, 60, 4.0))
    assert not RuleFiring.objects.filter(rule=rule).exists()
    post(world.client, [["WL-001", t + 10 * 60_000, 1.0], ["WL-001", t + 50 * 60_000, 1.6]])
    assert RuleFiring.objects.get(rule=rule).fired_ms == t + 50 * 60_000


def test_rules_api_checks_definitions(world):
    c = world.client
    bad = {"name": "x", "hazard_type": "rainstorm", "owner_unit": world.tree["city"].pk,
           "definition": {"level": 2, "clauses": [{"sensors": {"kind": "rain"}, "when": {"op": "==", "value": 1}}]}}
    r = c.post("/api/v1/monitoring/rules", data=json.dumps(bad), content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"]["path"] == "clauses[0].when.op"
    bad["definition"]["clauses"][0]["when"]["op"] = ">="
    bad["hazard_type"] = "nonsense"
    assert c.post("/api/v1/monitoring/rules", data=json.dumps(bad), content_type="application/json").status_code == 422
    bad["hazard_type"] = "rainstorm"
    r = c.post("/api/v1/monitoring/rules", data=json.dumps(bad), content_type="application/json")
    assert r.status_code == 201 and r.json()["level"] == 2
    pk = r.json()["id"]
    r = c.patch(f"/api/v1/monitoring/rules/{pk}", data=json.dumps({"enabled": False}), content_type="application/json")
    assert r.status_code == 200 and r.json()["enabled"] is False
    r = c.post("/api/v1/monitoring/rules/from-template", data=json.dumps(
        {"template": "heat", "hazard_type": "heat", "owner_unit": world.tree["city"].pk}), content_type="application/json")
    assert r.status_code == 201 and [x["level"] for x in r.json()] == [1, 2, 3]
    assert len(c.get("/api/v1/monitoring/rules").json()) == 4


def test_dry_run_lists_when_it_would_have_fired(world):
    t = now_ms() - 30 * HOUR
    post(world.client, heavy_rain("RG-001", t) + heavy_rain("RG-002", t + 10 * HOUR))
    definition = {"level": 2, "clauses": [{"sensors": {"kind": "rain"},
                                           "when": {"of": {"agg": "sum", "hours": 3}, "op": ">=", "value": 50}}]}
    r = world.client.post("/api/v1/monitoring/rules/dry-run", data=json.dumps(
        {"definition": definition, "days": 2, "owner_unit": world.tree["city"].pk}), content_type="application/json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 2 and [f["sensors"] for f in body["fired"]] == [["RG-001"], ["RG-002"]]
    assert not RuleFiring.objects.exists()  # a dry run records nothing


def test_sensors_without_a_place_draft_over_their_rules_unit(world, drafts):
    """A gauge registered without coordinates still gets its warning drafted: over the area of the rule's unit
    (or the nearest unit above it with a boundary), not dropped for want of an area."""
    from yingji.core import crud

    sensor = world.rain[0]
    crud.update(None, sensor, {"lat": None, "lng": None})
    area = {"type": "Polygon", "coordinates": [[[113.2, 23.0], [113.4, 23.0], [113.4, 23.2], [113.2, 23.2],
                                                [113.2, 23.0]]]}
    crud.update(None, world.tree["city"], {"boundary": area})
    rainstorm_orange(world)
    assert post(world.client, heavy_rain(sensor.code, now_ms() - 4 * HOUR)).status_code == 200
    orange = [c for c in drafts.calls if c["level"] == 2]
    assert len(orange) == 1 and orange[0]["area"] == area
