"""`yingji ingest-mqtt` (the MQTT subscriber) and `yingji simulate` (readings over MQTT so the demo's rules fire)."""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
import signal
import threading
import time

__all__ = ["add_commands", "simulated"]

PROFILES = {
    # kind: (default sensors' kind, value per step from the intensity and step minutes)
    "rain": lambda i, step, k: round(i * step / 60, 1),          # intensity mm/h → mm per step
    "water_level": lambda i, step, k: round(1.0 + i * step * k / 60, 3),  # rise m/h → level
    "gas": lambda i, step, k: round(min(100.0, i * (k + 1) / 6), 2),     # %LEL climbing to the intensity
}


def broker() -> tuple[str, int]:
    """Host and port of the broker from YINGJI_MQTT_URL (default mqtt://127.0.0.1:1883)."""
    from urllib.parse import urlsplit

    url = urlsplit(os.environ.get("YINGJI_MQTT_URL") or "mqtt://127.0.0.1:1883")
    return url.hostname or "127.0.0.1", url.port or 1883


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
    import django

    django.setup()


def simulated(kind: str, codes: list[str], intensity: float, hours: float, step_minutes: int,
              end_ms: int | None = None) -> list[tuple[str, int, float]]:
    """Readings ending now (to the millisecond, so they never collide with stored ones): `hours` of them every
    `step_minutes` for each sensor."""
    end_ms = int(time.time() * 1000) if end_ms is None else end_ms
    steps = max(1, int(hours * 60 // step_minutes))
    shape = PROFILES[kind]
    return [(code, end_ms - (steps - 1 - k) * step_minutes * 60_000, shape(intensity, step_minutes, k))
            for code in codes for k in range(steps)]


def default_client_id() -> str:
    """A persistent session id of this deployment: stable across restarts, different for another database on the
    same broker (two subscribers under one id would keep taking the session from each other)."""
    from django.db import connection

    where = f"{connection.vendor}:{connection.settings_dict.get('HOST', '')}:{connection.settings_dict['NAME']}"
    return "yingji-ingest-" + hashlib.sha256(where.encode()).hexdigest()[:10]


def cmd_ingest_mqtt(args) -> int:
    _django()
    from yingji.core.models import User
    from yingji.monitoring.mqtt import Subscriber

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        actor = User.objects.get(username=args.user)
    except User.DoesNotExist:
        print(f"没有用户 {args.user}（no such user）")
        return 2
    client_id = None if args.clean_session else (args.client_id or default_client_id())
    sub = Subscriber(actor, args.host, args.port, args.topic, client_id=client_id)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    sub.start()
    print(f"» MQTT {args.host}:{args.port} {args.topic}/# → {args.user}"
          f" ({'session ' + client_id if client_id else 'clean session'})", flush=True)
    try:
        sub.run(stop)
    finally:
        sub.flush()
        sub.stop()
        print(f"» {sub.stats}", flush=True)
    return 0


def cmd_simulate(args) -> int:
    _django()  # the publisher's module imports the ingest path and its models
    from yingji.monitoring.mqtt import publish_readings

    codes = [c.strip() for c in (args.sensors or "").split(",") if c.strip()]
    if not codes:
        from yingji.monitoring.models import Sensor, SensorStatus

        codes = list(Sensor.objects.filter(kind=args.kind, status=SensorStatus.ACTIVE, is_exercise=False)
                     .values_list("code", flat=True)[: args.limit])
    if not codes:
        print("没有可模拟的传感器（no sensors）")
        return 2
    readings = simulated(args.kind, codes, args.intensity, args.hours, args.step)
    if args.realtime:
        for i in range(0, len(readings), len(codes)):
            publish_readings(args.host, args.port, readings[i:i + len(codes)])
            time.sleep(args.step * 60 / args.speed)
    else:
        publish_readings(args.host, args.port, readings)
    print(f"» {len(readings)} readings for {len(codes)} sensors published to {args.host}:{args.port}", flush=True)
    return 0


def add_commands(sub) -> None:
    m = sub.add_parser("ingest-mqtt", help="store sensor readings published over MQTT (yingji/readings/<code>)")
    m.add_argument("--host", default=broker()[0], help="broker host (YINGJI_MQTT_URL)")
    m.add_argument("--port", type=int, default=broker()[1])
    m.add_argument("--topic", default="yingji/readings")
    m.add_argument("--user", default=os.environ.get("YINGJI_MQTT_USER", "duty"),
                   help="the account the readings are written as (its rights decide which sensors it may feed)")
    m.add_argument("--client-id", default=os.environ.get("YINGJI_MQTT_CLIENT_ID"),
                   help="the persistent session's client id (default: one derived from the database): the broker "
                        "keeps messages published while the subscriber is down")
    m.add_argument("--clean-session", action="store_true",
                   help="no persistent session: what is published while the subscriber is down is not kept")
    m.set_defaults(func=cmd_ingest_mqtt)

    s = sub.add_parser("simulate", help="publish simulated readings over MQTT so the demo's rules fire",
                       formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                       description="e.g. `yingji simulate rain --intensity 25 --hours 3`: 3 h of 25 mm/h on every rain "
                                   "gauge (75 mm in 3 h: 暴雨橙色), as if it had rained until now.")
    s.add_argument("kind", choices=sorted(PROFILES))
    s.add_argument("--sensors", help="comma-separated codes (default: every active sensor of that kind)")
    s.add_argument("--limit", type=int, default=4, help="at most this many sensors when none are named")
    s.add_argument("--intensity", type=float, default=25.0, help="mm/h of rain, m/h of rise, or %%LEL reached")
    s.add_argument("--hours", type=float, default=3.0)
    s.add_argument("--step", type=int, default=10, help="minutes between readings")
    s.add_argument("--realtime", action="store_true", help="publish step by step instead of all at once")
    s.add_argument("--speed", type=float, default=60.0, help="with --realtime: how much faster than real time")
    s.add_argument("--host", default=broker()[0], help="broker host (YINGJI_MQTT_URL)")
    s.add_argument("--port", type=int, default=broker()[1])
    s.set_defaults(func=cmd_simulate)
