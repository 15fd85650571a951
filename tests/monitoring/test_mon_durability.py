"""`kill -9` the server during ingest: every reading acknowledged with a 2xx is there after the restart, and
re-sending every batch stores nothing twice. A real gunicorn on a real SQLite file, killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
django.setup()
from yingji.core import services, crud
from yingji.core.models import OrgUnitKind as K
from yingji.monitoring.models import Sensor
city = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY)
user = services.create_user(None, username="feeder", password="correct-horse-9", unit=city)
services.assign_role(None, user, "duty_officer", city)
for i in range(20):
    crud.create(None, Sensor(owner_unit=city, code=f"K-{i:02d}", name=f"K {i}", kind="water_level"))
print(services.issue_token(None, user, "ingest")[1])
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(env, port) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/levels", timeout=2)
            return proc
        except urllib.error.HTTPError:
            return proc  # answering (401 without a token)
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


def _post(port, token, rows) -> dict | None:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/monitoring/readings",
                                 data=json.dumps({"readings": rows}).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read()) if 200 <= r.status < 300 else None
    except (OSError, urllib.error.HTTPError):
        return None


def test_acknowledged_readings_survive_kill_9_and_resending_counts_nothing_twice(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("YINGJI_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(HOME=str(tmp_path), YINGJI_VAR_DIR=str(var), YINGJI_SECRET_KEY="test-only")
    subprocess.run([sys.executable, "-m", "yingji.cli", "migrate", "-v", "0"], env=env, check=True)
    token = subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    port = _free_port()
    server = _serve(env, port)
    acked: list[list] = []
    stop = threading.Event()
    base = int(time.time() * 1000) - 86_400_000

    def feed():
        n = 0
        while not stop.is_set():
            rows = [[f"K-{i % 20:02d}", base + n * 1000 + i // 20, float(i)] for i in range(500)]
            n += 1
            answer = _post(port, token, rows)
            if answer is not None:
                assert answer["stored"] + answer["duplicates"] == 500
                acked.append(rows)

    feeder = threading.Thread(target=feed)
    feeder.start()
    deadline = time.monotonic() + 120
    while len(acked) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(server.pid, signal.SIGKILL)  # the master and its workers, mid-request
    server.wait()
    stop.set()
    feeder.join()
    assert len(acked) >= 5

    db = sqlite3.connect(var / "yingji.sqlite3")
    stored = {(s, t) for s, t in db.execute("SELECT s.code, r.ts FROM monitoring_reading r JOIN monitoring_sensor s "
                                            "ON s.id = r.sensor_id")}
    db.close()
    wanted = {(code, ts) for rows in acked for code, ts, _v in rows}
    assert wanted <= stored, f"{len(wanted - stored)} acknowledged readings lost"

    server = _serve(env, port)
    try:
        for rows in acked:
            answer = _post(port, token, rows)
            assert answer is not None and answer["stored"] == 0 and answer["duplicates"] == 500
        db = sqlite3.connect(var / "yingji.sqlite3")
        assert db.execute("SELECT COUNT(*) FROM monitoring_reading").fetchone()[0] == len(stored)
        db.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
