"""MQTT ingest (paho-mqtt): readings published to `yingji/readings/<sensor code>` (one reading, or a list) or to
`yingji/readings` (a batch like the HTTP API's) are checked per message and stored in batches through the same
ingest path as HTTP. A malformed message is answered on `yingji/ingest-errors` and logged; it never stops the
subscriber. The client reconnects by itself (1 s, doubling to 30 s) and subscribes again on every connect.

Delivery is at least once for QoS 1: a message is acknowledged to the broker only once its readings are stored (or
it was refused for good), so one received but not yet stored when the process dies is delivered again. With a
`client_id` (the `yingji ingest-mqtt` default) the session persists (MQTT 5, a day's session expiry): the broker
keeps the subscription and queues the messages published while the subscriber is down, up to its
`max_queued_messages` (Mosquitto: 1,000 by default; raise it for longer outages). The store's key makes the
repeats harmless. A flush the database refuses keeps its readings for the next try instead of losing them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from yingji.core import jsontext
from yingji.core.errors import YingjiError
from yingji.monitoring import ingest

__all__ = ["Subscriber", "publish_readings", "TOPIC", "ERRORS"]

log = logging.getLogger("yingji.monitoring.mqtt")
TOPIC = "yingji/readings"
ERRORS = "yingji/ingest-errors"


SESSION_EXPIRY_S = 86_400  # how long the broker keeps a persistent subscriber's session and queue


def _client(prefix: str) -> mqtt.Client:
    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-{uuid.uuid4().hex[:8]}")


class Subscriber:
    """`client_id`: a persistent session under that id (one subscriber per id: a second one takes the session
    over); None: a fresh id and a clean session each time (what was published while it was down is not kept)."""

    def __init__(self, actor, host: str = "127.0.0.1", port: int = 1883, topic: str = TOPIC, qos: int = 1,
                 max_batch: int = 5000, client_id: str | None = None):
        self.actor, self.host, self.port, self.topic, self.qos, self.max_batch = actor, host, port, topic, qos, max_batch
        self._lock = threading.Lock()
        self._pending = ingest.Batch()
        self._sources: list[str] = []  # the topic of each pending reading, to answer faults where they came from
        self._acks: list[tuple[int, int, int]] = []  # (connection, mid, qos) of the messages in _pending
        self._arrived = threading.Event()
        self.connected = threading.Event()
        self.connects = 0
        self.stats = {"messages": 0, "bad_messages": 0, "stored": 0, "duplicates": 0, "rejected": 0}
        self.persistent = client_id is not None
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5,
                                  client_id=client_id or f"yingji-ingest-{uuid.uuid4().hex[:8]}")
        self.client.manual_ack_set(True)  # acknowledged when stored, not when received
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # --- connection ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect (raises if the broker is unreachable now) and run the network loop in a thread."""
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S if self.persistent else 0
        props.ReceiveMaximum = 65535  # unacknowledged messages wait for the next flush (up to ~0.5 s)
        self.client.connect(self.host, self.port, keepalive=30, clean_start=not self.persistent, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self._stopping = True
        self.client.loop_stop()
        self.client.disconnect()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.connects += 1  # messages of an earlier connection are acknowledged no more: the broker sends them again
        client.subscribe([(self.topic, self.qos), (self.topic + "/+", self.qos)])
        log.info("MQTT connected to %s:%s, subscribing to %s", self.host, self.port, self.topic)

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties):
        # `connected` means the broker has acknowledged the subscription: a message published before the SUBACK
        # may be routed before the subscription exists, and is then not delivered to us at all.
        failed = [rc for rc in reason_codes if rc.is_failure]
        if failed:
            log.warning("MQTT subscription to %s refused: %s", self.topic, failed)
            return
        self.connected.set()
        log.info("MQTT subscribed to %s", self.topic)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        if getattr(self, "_stopping", False):
            return
        log.warning("MQTT disconnected (%s); reconnecting", reason_code)

    # --- messages -------------------------------------------------------------------------------------------
    def _items(self, topic: str, payload: bytes) -> list:
        try:
            data = jsontext.loads(payload.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("payload is not UTF-8") from None
        except jsontext.JsonTextError as exc:  # bad syntax, nested past the limit, a number of 5,000 digits
            raise ValueError(f"payload is not JSON we accept ({exc.code}): {exc.message}") from None
        code = topic[len(self.topic) + 1:] if topic.startswith(self.topic + "/") else ""
        if not code:
            items = data.get("readings") if isinstance(data, dict) else data
            if not isinstance(items, list):
                raise ValueError('expected {"readings": [...]} or a list')
            return items
        readings = data if isinstance(data, list) else [data]
        out = []
        for r in readings:
            if not isinstance(r, dict) or set(r) - {"ts", "value"}:
                raise ValueError('each reading is {"ts": ..., "value": ...}')
            out.append([code, r.get("ts"), r.get("value")])
        return out

    def _on_message(self, client, userdata, msg):
        self.stats["messages"] += 1
        try:
            batch = ingest.Batch()
            ingest._items(batch, self._items(msg.topic, msg.payload), literals=True)
        except (ValueError, YingjiError) as exc:
            self._reject(msg.topic, [{"row": 0, "field": "", "message": str(exc)}])
            client.ack(msg.mid, msg.qos)  # refused for good: sending it again would not make it better
            return
        if batch.errors:
            self._reject(msg.topic, batch.errors)
        with self._lock:
            self._add(batch.codes, batch.ts, list(batch.values), [msg.topic] * len(batch.codes),
                      [(self.connects, msg.mid, msg.qos)])
        self._arrived.set()

    def _add(self, codes, ts, values, sources, acks) -> None:
        p = self._pending
        p.codes.extend(codes)
        p.ts.extend(ts)
        p.values.extend(values)
        self._sources.extend(sources)
        self._acks.extend(acks)

    def _reject(self, topic: str, errors: list) -> None:
        self.stats["bad_messages"] += 1
        log.warning("bad MQTT message on %s: %s", topic, errors[:3])
        self.client.publish(ERRORS, json.dumps({"topic": topic, "errors": errors[:50]}, ensure_ascii=False), qos=0)

    # --- storing --------------------------------------------------------------------------------------------
    def pending(self) -> int:
        with self._lock:
            return len(self._pending.codes)

    def flush(self) -> dict | None:
        """Store what has arrived (in the caller's thread: its database connection), then acknowledge those
        messages. If storing fails (the database unreachable, say) the readings stay pending for the next try."""
        with self._lock:
            batch, self._pending = self._pending, ingest.Batch()
            sources, self._sources = self._sources, []
            acks, self._acks = self._acks, []
            self._arrived.clear()
        if not batch.codes:
            self._ack(acks)
            return None
        batch.rows = range(1, len(batch.codes) + 1)
        batch.total = len(batch.codes)
        try:
            report = ingest.ingest(self.actor, batch)
        except YingjiError as exc:
            rows = (exc.details or {}).get("rows") or [{"row": 1, "field": "", "message": exc.message}]
            report = {"stored": 0, "duplicates": 0, "rejected": batch.total, "errors": rows}
        except Exception:
            with self._lock:  # back in front of what arrived meanwhile, for the next flush
                later = (self._pending, self._sources, self._acks)
                self._pending, self._sources, self._acks = ingest.Batch(), [], []
                self._add(batch.codes, batch.ts, batch.values, sources, acks)  # ingest reads them, never changes them
                self._add(later[0].codes, later[0].ts, later[0].values, later[1], later[2])
            raise
        self._ack(acks)
        for key in ("stored", "duplicates", "rejected"):
            self.stats[key] += report[key]
        by_topic: dict[str, list] = {}
        for e in report["errors"]:
            by_topic.setdefault(sources[e["row"] - 1], []).append({**e, "row": 0})
        for topic, errors in by_topic.items():
            self._reject(topic, errors)
        return report if report["stored"] or report["duplicates"] else None

    def _ack(self, acks) -> None:
        for conn, mid, qos in acks:
            if conn == self.connects and qos:  # a message of an earlier connection comes again; its mid is stale
                self.client.ack(mid, qos)

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Flush every `interval` seconds (sooner when max_batch readings wait) until `stop` is set."""
        from django.db import close_old_connections

        while not stop.is_set():
            self._arrived.wait(interval)
            if self.pending() < self.max_batch:
                time.sleep(min(interval, 0.2))
            try:
                self.flush()
            except Exception:  # a database hiccup must not end the subscriber; the batch waits for the next try
                log.exception("flush failed; %d readings kept for the next try", self.pending())
                close_old_connections()


def publish_readings(host: str, port: int, readings: list[tuple[str, int, float]], qos: int = 1,
                     topic: str = TOPIC) -> int:
    """Publish readings one message per reading to `<topic>/<code>`; returns the number published."""
    client = _client("yingji-sim")
    client.connect(host, port, keepalive=30)
    client.loop_start()
    try:
        infos = [client.publish(f"{topic}/{code}", json.dumps({"ts": ts, "value": value}), qos=qos)
                 for code, ts, value in readings]
        for info in infos:
            info.wait_for_publish(timeout=30)
    finally:
        client.loop_stop()
        client.disconnect()
    return len(readings)
