"""MQTT ingest (paho-mqtt): readings published to `yingji/readings/<sensor code>` (one reading, or a list) or to
`yingji/readings` (a batch like the HTTP API's) are checked per message and stored in batches through the same
ingest path as HTTP. A malformed message is answered on `yingji/ingest-errors` and logged; it never stops the
subscriber. The client reconnects by itself (1 s, doubling to 30 s) and subscribes again on every connect.

Delivery is at most once after the broker hands a message over: a reading received but not yet flushed when the
process dies is lost (publish with QoS 1 and re-send over HTTP for a guarantee; the store makes re-sending safe).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid

import paho.mqtt.client as mqtt

from yingji.core.errors import YingjiError
from yingji.monitoring import ingest

__all__ = ["Subscriber", "publish_readings", "TOPIC", "ERRORS"]

log = logging.getLogger("yingji.monitoring.mqtt")
TOPIC = "yingji/readings"
ERRORS = "yingji/ingest-errors"


def _client(prefix: str) -> mqtt.Client:
    return mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-{uuid.uuid4().hex[:8]}")


class Subscriber:
    def __init__(self, actor, host: str = "127.0.0.1", port: int = 1883, topic: str = TOPIC, qos: int = 1,
                 max_batch: int = 5000):
        self.actor, self.host, self.port, self.topic, self.qos, self.max_batch = actor, host, port, topic, qos, max_batch
        self._lock = threading.Lock()
        self._pending = ingest.Batch()
        self._sources: list[str] = []  # the topic of each pending reading, to answer faults where they came from
        self._arrived = threading.Event()
        self.connected = threading.Event()
        self.connects = 0
        self.stats = {"messages": 0, "bad_messages": 0, "stored": 0, "duplicates": 0, "rejected": 0}
        self.client = _client("yingji-ingest")
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe

    # --- connection ---------------------------------------------------------------------------------------
    def start(self) -> None:
        """Connect (raises if the broker is unreachable now) and run the network loop in a thread."""
        self.client.connect(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self._stopping = True
        self.client.loop_stop()
        self.client.disconnect()

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.connects += 1
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
            data = json.loads(payload.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("payload is not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"payload is not JSON: {exc.msg} at {exc.pos}") from None
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
            return
        if batch.errors:
            self._reject(msg.topic, batch.errors)
        with self._lock:
            p = self._pending
            p.codes.extend(batch.codes)
            p.ts.extend(batch.ts)
            p.values.extend(list(batch.values))
            self._sources.extend([msg.topic] * len(batch.codes))
        self._arrived.set()

    def _reject(self, topic: str, errors: list) -> None:
        self.stats["bad_messages"] += 1
        log.warning("bad MQTT message on %s: %s", topic, errors[:3])
        self.client.publish(ERRORS, json.dumps({"topic": topic, "errors": errors[:50]}, ensure_ascii=False), qos=0)

    # --- storing --------------------------------------------------------------------------------------------
    def pending(self) -> int:
        with self._lock:
            return len(self._pending.codes)

    def flush(self) -> dict | None:
        """Store what has arrived (in the caller's thread: its database connection)."""
        with self._lock:
            batch, self._pending = self._pending, ingest.Batch()
            sources, self._sources = self._sources, []
            self._arrived.clear()
        if not batch.codes:
            return None
        batch.rows = range(1, len(batch.codes) + 1)
        batch.total = len(batch.codes)
        try:
            report = ingest.ingest(self.actor, batch)
        except YingjiError as exc:
            rows = (exc.details or {}).get("rows") or [{"row": 1, "field": "", "message": exc.message}]
            report = {"stored": 0, "duplicates": 0, "rejected": batch.total, "errors": rows}
        for key in ("stored", "duplicates", "rejected"):
            self.stats[key] += report[key]
        by_topic: dict[str, list] = {}
        for e in report["errors"]:
            by_topic.setdefault(sources[e["row"] - 1], []).append({**e, "row": 0})
        for topic, errors in by_topic.items():
            self._reject(topic, errors)
        return report if report["stored"] or report["duplicates"] else None

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        """Flush every `interval` seconds (sooner when max_batch readings wait) until `stop` is set."""
        from django.db import close_old_connections

        while not stop.is_set():
            self._arrived.wait(interval)
            if self.pending() < self.max_batch:
                time.sleep(min(interval, 0.2))
            try:
                self.flush()
            except Exception:  # a database hiccup must not end the subscriber; the batch is logged as lost
                log.exception("flush failed")
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
