"""The MQTT subscriber against the real Mosquitto at 127.0.0.1:1883 (these tests fail, never skip, when it is
unreachable), and against a broker of our own that we stop and start again to see the subscriber reconnect."""

from __future__ import annotations

import json
import math
import shutil
import socket
import subprocess
import threading
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from mon_util import now_ms

from yingji.monitoring import cli
from yingji.monitoring.models import RuleFiring
from yingji.monitoring.mqtt import ERRORS, Subscriber, publish_readings
from yingji.monitoring.store import get_store

BROKER = ("127.0.0.1", 1883)


def wait_for(predicate, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def listener(host, port, topic):
    got = []
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-listen-{uuid.uuid4().hex[:6]}")
    ready = threading.Event()
    c.on_connect = lambda client, *a: (client.subscribe(topic, 1), ready.set())
    c.on_message = lambda client, u, msg: got.append(json.loads(msg.payload))
    c.connect(host, port)
    c.loop_start()
    ready.wait(10)
    return c, got


@pytest.fixture
def topic():
    return f"yingji-test-{uuid.uuid4().hex[:8]}/readings"


def raw_publish(host, port, items):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:6]}")
    c.connect(host, port)
    c.loop_start()
    for t, payload in items:
        c.publish(t, payload, qos=1).wait_for_publish(10)
    c.loop_stop()
    c.disconnect()


def test_subscriber_stores_good_readings_and_survives_malformed_payloads(world, topic):
    sub = Subscriber(world.officer, *BROKER, topic=topic)
    sub.start()  # raises (the test fails) if the broker is unreachable
    errors_client, errors = listener(*BROKER, ERRORS)
    try:
        wait_for(sub.connected.is_set, "the subscription")
        t = now_ms() - 60_000
        raw_publish(*BROKER, [
            (f"{topic}/RG-001", b"\xff\xfe not utf-8"),
            (f"{topic}/RG-001", b"{not json"),
            (f"{topic}/RG-001", json.dumps({"ts": t, "value": "wet"}).encode()),
            (f"{topic}/RG-001", json.dumps({"ts": t, "value": math.nan}).encode()),
            (f"{topic}/RG-001", json.dumps({"ts": t + 86_400_000 * 5, "value": 1}).encode()),
            (f"{topic}/NOPE-1", json.dumps({"ts": t, "value": 1}).encode()),
            (f"{topic}/RG-001", json.dumps([{"ts": t, "value": 1.5}, {"ts": t + 60_000, "value": 2.0}]).encode()),
            (topic, json.dumps({"readings": [["GS-001", t, 11.0]]}).encode()),
        ])
        wait_for(lambda: sub.stats["messages"] >= 8, "eight messages")
        report = sub.flush()
        assert report["stored"] == 3, report
        assert get_store().count([world.rain[0].pk]) == 2 and get_store().count([world.gas.pk]) == 1
        wait_for(lambda: len([e for e in errors if e["topic"].startswith(topic)]) >= 6, "the error answers")
        mine = [e for e in errors if e["topic"].startswith(topic)]
        text = json.dumps(mine, ensure_ascii=False)
        assert "UTF-8" in text and "JSON" in text and "NOPE-1" in text
        # Still alive: a good reading after all that is stored.
        raw_publish(*BROKER, [(f"{topic}/RG-002", json.dumps({"ts": t, "value": 0.5}).encode())])
        wait_for(lambda: sub.pending() >= 1, "the next reading")
        assert sub.flush()["stored"] == 1
    finally:
        sub.stop()
        errors_client.loop_stop()
        errors_client.disconnect()


def test_simulated_rain_over_mqtt_fires_the_rainstorm_rule(world, topic, drafts):
    from yingji.monitoring import services

    rules = services.rules_from_template(None, owner_unit=world.tree["city"], template="rainstorm",
                                         hazard_type="rainstorm")
    sub = Subscriber(world.officer, *BROKER, topic=topic)
    sub.start()
    try:
        wait_for(sub.connected.is_set, "the subscription")
        readings = cli.simulated("rain", ["RG-001", "RG-003"], intensity=25, hours=3, step_minutes=10)
        publish_readings(*BROKER, readings, topic=topic)
        wait_for(lambda: sub.pending() >= len(readings), "the simulated readings")
        report = sub.flush()
        assert report["stored"] == len(readings)
        orange = next(r for r in rules if r.level == 2)
        assert RuleFiring.objects.filter(rule=orange).exists()
        assert any(c["level"] == 2 and c["hazard_type"] == "rainstorm" for c in drafts.calls)
    finally:
        sub.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _broker(port: int) -> subprocess.Popen:
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    p = subprocess.Popen([exe, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(lambda: _accepts(port), "our broker")
    return p


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def test_subscriber_reconnects_after_a_broker_restart(world, topic):
    port = _free_port()
    broker = _broker(port)
    sub = Subscriber(world.officer, "127.0.0.1", port, topic=topic)
    try:
        sub.start()
        wait_for(lambda: sub.connects == 1, "the first connection")
        broker.kill()
        broker.wait()
        wait_for(lambda: not sub.connected.is_set(), "the disconnect")
        broker = _broker(port)
        wait_for(lambda: sub.connects == 2, "the reconnection", seconds=60)
        publish_readings("127.0.0.1", port, [("WL-001", now_ms() - 1000, 1.25)], topic=topic)
        wait_for(lambda: sub.pending() == 1, "a reading after the restart")
        assert sub.flush()["stored"] == 1
    finally:
        sub.stop()
        broker.kill()
        broker.wait()


def _crash(sub: Subscriber) -> None:
    """As if the process died: the network loop stops and the socket closes without an MQTT DISCONNECT."""
    sub.client.loop_stop()
    sub.client.socket().close()


def _end_session(client_id: str) -> None:
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    c.connect(*BROKER, clean_start=True, properties=props)
    c.loop_start()
    time.sleep(0.2)
    c.loop_stop()
    c.disconnect()


def test_a_reading_received_but_not_stored_comes_again_after_a_crash(world, topic):
    """At least once: messages are acknowledged only when stored, and the persistent session keeps what is
    published while the subscriber is down."""
    client_id = f"yingji-test-{uuid.uuid4().hex[:8]}"
    t = now_ms() - 3_600_000
    first = Subscriber(world.officer, *BROKER, topic=topic, client_id=client_id)
    try:
        first.start()
        wait_for(first.connected.is_set, "the subscription")
        publish_readings(*BROKER, [("RG-001", t + k * 60_000, 1.0) for k in range(5)], topic=topic)
        wait_for(lambda: first.pending() == 5, "five readings received")
        _crash(first)  # received, never stored
        publish_readings(*BROKER, [("RG-002", t + k * 60_000, 2.0) for k in range(3)], topic=topic)  # while down
        assert get_store().count([world.rain[0].pk, world.rain[1].pk]) == 0

        second = Subscriber(world.officer, *BROKER, topic=topic, client_id=client_id)
        second.start()
        try:
            wait_for(lambda: second.pending() == 8, "the five again and the three published meanwhile")
            assert second.flush()["stored"] == 8
        finally:
            second.stop()
        assert get_store().count([world.rain[0].pk]) == 5 and get_store().count([world.rain[1].pk]) == 3

        third = Subscriber(world.officer, *BROKER, topic=topic, client_id=client_id)  # acknowledged: none again
        third.start()
        try:
            wait_for(third.connected.is_set, "the subscription")
            publish_readings(*BROKER, [("RG-003", t, 3.0)], topic=topic)
            wait_for(lambda: third.pending() >= 1, "a new reading")
            time.sleep(0.3)
            assert third.pending() == 1
        finally:
            third.stop()
    finally:
        _end_session(client_id)


def test_a_flush_the_database_refuses_keeps_its_readings(world, topic):
    from django.db import connection

    sub = Subscriber(world.officer, *BROKER, topic=topic)
    sub.start()
    try:
        wait_for(sub.connected.is_set, "the subscription")
        t = now_ms() - 600_000
        publish_readings(*BROKER, [("RG-001", t, 1.0), ("RG-001", t + 60_000, 2.0)], topic=topic)
        wait_for(lambda: sub.pending() == 2, "two readings")
        with connection.cursor() as cur:  # the table gone for a moment: a real refusal by the database
            cur.execute("ALTER TABLE monitoring_reading RENAME TO monitoring_reading_away")
        try:
            with pytest.raises(Exception, match="monitoring_reading"):  # the driver's own error: the store uses it
                sub.flush()
        finally:
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE monitoring_reading_away RENAME TO monitoring_reading")
        assert sub.pending() == 2
        assert sub.flush()["stored"] == 2
        assert get_store().count([world.rain[0].pk]) == 2
    finally:
        sub.stop()
