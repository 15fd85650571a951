"""The monitoring pages people type into: the sensor form (a 500 on every visit once), and the rule editor, the
readings API and the MQTT subscriber given hostile JSON (nested 100,000 deep, a number of 5,000 digits)."""

from __future__ import annotations

import json

import pytest

from yingji.monitoring.models import Rule, Sensor

DEEP = "[" * 100_000 + "]" * 100_000
HUGE = "1" + "0" * 5000


def _rule_post(world, definition: str, op: str = "save", lang: str = "zh-hans"):
    world.client.post("/i18n/setlang/", {"language": lang, "next": "/"})
    return world.client.post("/monitoring/rules/new/", {
        "name": "暴雨", "hazard_type": "rainstorm", "days": "1", "enabled": "on", "definition": definition, "op": op})


@pytest.mark.parametrize("who", ["admin", "duty"])
def test_sensor_new_and_edit_pages_work_and_offer_what_a_sensor_needs(world, make_user, client_for, who):
    user = make_user("system_admin", world.tree["city"]) if who == "admin" else world.officer
    c = client_for(user)
    page = c.get("/monitoring/sensors/new/")
    assert page.status_code == 200
    form = page.context["form"]
    for name in ("owner_unit", "code", "name", "kind", "unit_of_measure", "status", "station", "target_model",
                 "target_id", "lng", "lat", "address"):
        assert name in form.fields, name
    for name in ("last_value", "last_at"):  # kept by ingest, never typed in
        assert name not in form.fields
    data = {"owner_unit": world.tree["A1"].pk, "code": "RG-900", "name": "新雨量站", "kind": "rain",
            "status": "active", "heartbeat_minutes": "10", "target_model": "risk.hazardarea", "target_id": "7",
            "lng": "113.31", "lat": "23.11", "address": "甲一街道"}
    r = c.post("/monitoring/sensors/new/", data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r.content[:500]
    sensor = Sensor.objects.get(code="RG-900")
    assert (sensor.kind, sensor.unit_of_measure, sensor.target_model, sensor.target_id) == (
        "rain", "mm", "risk.hazardarea", 7)
    assert c.get(f"/monitoring/sensors/{sensor.pk}/edit/").status_code == 200
    r = c.post(f"/monitoring/sensors/{sensor.pk}/edit/", {**data, "status": "maintenance", "last_value": "99"})
    assert r.status_code == 302
    sensor.refresh_from_db()
    assert sensor.status == "maintenance" and sensor.last_value is None  # a posted last reading is ignored


@pytest.mark.parametrize("text", [DEEP, HUGE, '{"level": ' + HUGE + "}", '{"a": ' * 5000 + "1" + "}" * 5000])
@pytest.mark.parametrize("op", ["save", "dry_run"])
def test_rule_editor_refuses_hostile_json_with_a_message(world, text, op):
    r = _rule_post(world, text, op)
    assert r.status_code == 422
    assert "JSON" in " ".join(r.context["form"].errors["definition"])
    assert not Rule.objects.exists()


def test_rule_editor_json_errors_are_in_the_users_language(world):
    r = _rule_post(world, DEEP, lang="en")
    assert r.status_code == 422
    text = " ".join(r.context["form"].errors["definition"])
    assert "nested too deeply" in text and "嵌套" not in text


@pytest.mark.parametrize("body", [DEEP, '{"readings": ' + DEEP + "}", '{"readings": [["RG-001", ' + HUGE + ", 1]]}"])
def test_readings_api_refuses_hostile_json_as_a_400(world, body):
    r = world.client.post("/api/v1/monitoring/readings", data=body, content_type="application/json")
    assert r.status_code == 400, r.content[:300]
    assert "JSON" in r.json()["error"]["message"]


@pytest.mark.parametrize("payload", [DEEP, HUGE, '{"ts": ' + HUGE + ', "value": 1}'])
def test_mqtt_refuses_hostile_json_as_a_bad_message(world, payload):
    from yingji.monitoring.mqtt import Subscriber

    sub = Subscriber(world.officer, topic="t/readings")
    with pytest.raises(ValueError, match="JSON"):
        sub._items("t/readings/RG-001", payload.encode())

    class Msg:
        topic, mid, qos = "t/readings/RG-001", 1, 1

    Msg.payload = payload.encode()

    class Client:
        acked = []

        def ack(self, mid, qos):
            self.acked.append(mid)

    published = []
    sub.client.publish = lambda topic, body, qos=0: published.append(json.loads(body))
    sub._on_message(Client(), None, Msg())  # refused, acknowledged, answered on the errors topic; no exception
    assert sub.stats["bad_messages"] == 1 and Client.acked == [1] and "JSON" in published[0]["errors"][0]["message"]
    assert sub.pending() == 0


def _definition(sensors: dict, op: str = ">=") -> str:
    return json.dumps({"level": 2, "clauses": [{"sensors": sensors, "when": {"op": op, "value": 50}}]})


@pytest.mark.parametrize(("sensors", "words"), [
    ({"kind": "rian"}, "rian"), ({"codes": ["RG-001", "RG-404"]}, "RG-404"), ({"ids": [10**30]}, "ids[0]"),
    ({"ids": [987654321]}, "987654321")])
@pytest.mark.parametrize("op", ["save", "dry_run"])
def test_rules_that_can_never_fire_are_refused(world, sensors, words, op):
    r = _rule_post(world, _definition(sensors), op)
    assert r.status_code == 422
    assert words in " ".join(r.context["form"].errors["definition"])
    assert not Rule.objects.exists()


def test_rules_api_refuses_unknown_sensor_kinds_and_codes(world):
    body = {"name": "x", "hazard_type": "rainstorm", "owner_unit": world.tree["city"].pk,
            "definition": json.loads(_definition({"kind": "rian"}))}
    r = world.client.post("/api/v1/monitoring/rules", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"]["path"] == "clauses[0].sensors.kind"
    body["definition"] = json.loads(_definition({"codes": ["GS-001"]}))  # owned by E1, inside the city: fine
    r = world.client.post("/api/v1/monitoring/rules", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 201


def test_a_rule_whose_sensors_are_not_installed_yet_is_saved_with_a_warning(world):
    r = _rule_post(world, _definition({"kind": "wind"}), "dry_run")
    assert r.status_code == 200 and "选不到任何传感器" in r.content.decode()
    r = _rule_post(world, _definition({"kind": "wind"}), "save")
    assert r.status_code == 302 and Rule.objects.count() == 1
    page = world.client.get(r["Location"])
    assert "选不到任何传感器" in page.content.decode()
    r = _rule_post(world, _definition({"kind": "wind"}), "dry_run", lang="en")
    assert "selects no sensor" in r.content.decode()


def test_rule_definition_errors_are_in_the_users_language(world):
    r = _rule_post(world, _definition({"kind": "rain"}, op="=>"), lang="en")
    text = " ".join(r.context["form"].errors["definition"])
    assert "clauses[0].when.op" in text and "unknown comparison" in text.lower() and "未知" not in text
    r = _rule_post(world, _definition({"kind": "rain"}, op="=>"))
    text = " ".join(r.context["form"].errors["definition"])
    assert "未知比较" in text and "unknown" not in text


def test_every_rule_error_code_has_a_translated_message():
    from yingji.domain.rules import spec
    from yingji.monitoring.services import RULE_ERRORS

    assert set(RULE_ERRORS) == set(spec.MESSAGES)
