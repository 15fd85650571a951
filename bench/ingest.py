"""Sustained ingest through the HTTP batch API (gunicorn, 2 workers, JSON, rules evaluated on every batch) against
a raw `executemany` of the same rows into the same SQLite database in the same run; then the same on PostgreSQL
against a raw COPY of the same rows.

Data: 200 rain gauges reporting every minute; each batch is 100 minutes of all gauges (20,000 readings, as a
gateway uploading every hour or two), sent in time order by 2 client threads with keep-alive connections. Rule: a
threshold plus a rolling 1 h sum (as bench/rules.py), evaluated on every batch with the hour before it read back;
short downpours make it fire now and then. Longer windows read back more (the 3 h rainstorm rule reads 4 h 50 min
per batch): see bench/README.md. Latency arrival → warning draft:
the rules run inside the request and the draft link is called before the answer, so the response time of a batch
that fired bounds it (p50/p99 over those batches). The peers are at their best: the fastest of three runs,
each into a fresh table after a checkpoint. YINGJI_BENCH_TRACE=1 prints every batch's latency.

    python bench/ingest.py            # 30 batches (600,000 readings) per backend
    python bench/ingest.py --quick    # 10 batches
    python bench/ingest.py --no-pg    # SQLite only
PostgreSQL at YINGJI_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432), in a temporary database.
Last line: RESULT ingest readings_per_s=<http sqlite> raw_readings_per_s=<executemany> ratio=<http/raw>
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "src")
PG_SERVER = os.environ.get("YINGJI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
SENSORS, MINUTES = 200, 100
WORKERS = int(os.environ.get("YINGJI_BENCH_WORKERS", "2"))  # as `yingji demo` serves
DDL = ('CREATE TABLE IF NOT EXISTS bench_raw ("sensor_id" bigint NOT NULL, "ts" bigint NOT NULL, "value" real NOT NULL, '
       'PRIMARY KEY ("sensor_id", "ts"))')

SETUP = """
import django, os, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
django.setup()
from yingji.core import services, crud, vocabulary
from yingji.core.models import OrgUnitKind as K
from yingji.monitoring.models import Sensor
from yingji.monitoring import services as mon
vocabulary.seed_hazard_types()
box = {"type": "Polygon", "coordinates": [[[113.0, 22.9], [113.6, 22.9], [113.6, 23.4], [113.0, 23.4], [113.0, 22.9]]]}
city = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY, boundary=box)
user = services.create_user(None, username="feeder", password="correct-horse-9", unit=city)
services.assign_role(None, user, "duty_officer", city)
ids = {}
for i in range(%(n)d):
    s = crud.create(None, Sensor(owner_unit=city, code=f"RG-{i:04d}", name=f"RG {i}", kind="rain",
                                 lat=22.95 + (i %% 20) * 0.02, lng=113.05 + (i // 20) * 0.05))  # a draft needs an area
    ids[s.code] = s.pk
mon.create_rule(None, owner_unit=city, name="1 h", hazard_type="rainstorm", definition={"level": 3, "clauses": [
    {"sensors": {"kind": "rain"}, "stale_minutes": 10, "when": {"any": [{"op": ">=", "value": 8},
     {"of": {"agg": "sum", "hours": 1}, "op": ">=", "value": 50}]}}]})
print(json.dumps({"token": services.issue_token(None, user, "bench")[1], "ids": ids}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_batches(codes: list[str], n: int, seed: int = 3) -> list[list[list]]:
    rng = np.random.default_rng(seed)
    start = int(time.time() * 1000) - (n * MINUTES + 10) * 60_000
    batches = []
    for b in range(n):
        t = start + (b * MINUTES + np.arange(MINUTES)) * 60_000
        v = np.round(rng.gamma(0.2, 1.0, (len(codes), MINUTES)), 1)
        if b % 4 == 1:  # a downpour on a few gauges
            v[rng.integers(0, len(codes), 3)] += 9.0
        batches.append([[c, int(tt), float(x)] for i, c in enumerate(codes) for tt, x in zip(t, v[i], strict=True)])
    return batches


def serve(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(port), "--workers", str(WORKERS)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def http_ingest(port: int, token: str, bodies: list[bytes], threads: int = 2) -> dict:
    queue = list(enumerate(bodies))
    lock = threading.Lock()
    latencies, fired_lat, stored = [], [], [0]

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                if not queue:
                    break
                _i, body = queue.pop(0)
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/monitoring/readings", body=body,
                         headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
            resp = conn.getresponse()
            data = json.loads(resp.read())
            dt = time.perf_counter() - t0
            if resp.status != 200:
                raise SystemExit(f"ingest failed: {resp.status} {data}")
            with lock:
                latencies.append(dt)
                stored[0] += data["stored"]
                if data["fired"]:
                    fired_lat.append(dt)
        conn.close()

    start = time.perf_counter()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if os.environ.get("YINGJI_BENCH_TRACE"):  # each batch's latency, in the order answered
        print("latencies ms:", [round(x * 1000) for x in latencies])
    return {"seconds": time.perf_counter() - start, "stored": stored[0], "latencies": latencies, "fired": fired_lat}


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(xs, q)) * 1000 if xs else float("nan")


def raw_sqlite(path: str, batches: list[list[tuple]], tries: int = 3) -> float:
    """The fastest of `tries` runs, each into a fresh table, after the server's WAL is checkpointed away (the
    peer at its best: it varied by half from run to run when it met the server's leftover WAL)."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    best = float("inf")
    for k in range(tries):
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute(DDL.replace("bench_raw", f"bench_raw_{k}") + " WITHOUT ROWID")
        sql = f"INSERT OR IGNORE INTO bench_raw_{k} (sensor_id, ts, value) VALUES (?, ?, ?)"
        start = time.perf_counter()
        for rows in batches:
            db.execute("BEGIN")
            db.executemany(sql, rows)
            db.execute("COMMIT")
        best = min(best, time.perf_counter() - start)
        if os.environ.get("YINGJI_BENCH_TRACE"):
            print(f"raw run {k + 1}: {time.perf_counter() - start:.2f} s")
    db.close()
    return best


def raw_copy(url: str, batches: list[list[tuple]], tries: int = 3) -> float:
    """The fastest of `tries` runs of text COPY, each into a fresh table."""
    import psycopg

    best = float("inf")
    with psycopg.connect(url, autocommit=True) as conn:
        for k in range(tries):
            conn.execute("CHECKPOINT")
            conn.execute(DDL.replace("bench_raw", f"bench_raw_{k}"))
            start = time.perf_counter()
            for rows in batches:
                with conn.transaction(), conn.cursor() as cur:
                    buf = "".join(f"{s}\t{t}\t{v!r}\n" for s, t, v in rows)
                    with cur.copy(f"COPY bench_raw_{k} (sensor_id, ts, value) FROM STDIN") as cp:
                        cp.write(buf)
            best = min(best, time.perf_counter() - start)
    return best


def run(label: str, env: dict, n: int, raw) -> tuple[float, float]:
    subprocess.run([sys.executable, "-m", "yingji.cli", "migrate", "-v", "0"], env=env, check=True)
    out = subprocess.run([sys.executable, "-c", SETUP % {"n": SENSORS}], env=env, check=True, capture_output=True,
                         text=True).stdout.strip().splitlines()[-1]
    setup = json.loads(out)
    codes = sorted(setup["ids"])
    batches = make_batches(codes, n)
    bodies = [json.dumps({"readings": b}).encode() for b in batches]
    id_rows = [[(setup["ids"][c], t, v) for c, t, v in b] for b in batches]
    total = sum(len(b) for b in batches)
    port = free_port()
    server = serve(env, port)
    try:
        http_ingest(port, setup["token"], [json.dumps({"readings": batches[0][:100]}).encode()], 1)  # warm up
        res = http_ingest(port, setup["token"], bodies, threads=WORKERS)
    finally:
        server.terminate()
        server.wait(30)
    raw_sec = raw(id_rows)
    rate, raw_rate = total / res["seconds"], total / raw_sec
    print(f"{label}: {total:,} readings over HTTP in {res['seconds']:.2f} s = {rate:,.0f}/s (stored "
          f"{res['stored']:,}); raw {raw_sec:.2f} s = {raw_rate:,.0f}/s; ratio {rate / raw_rate:.2f}")
    print(f"{label}: batch latency p50 {pct(res['latencies'], 50):.0f} ms p99 {pct(res['latencies'], 99):.0f} ms; "
          f"arrival → draft (batches that fired: {len(res['fired'])}) p50 {pct(res['fired'], 50):.0f} ms "
          f"p99 {pct(res['fired'], 99):.0f} ms")
    return rate, raw_rate, pct(res["fired"], 99)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    n = 10 if args.quick else 30
    base_env = {k: v for k, v in os.environ.items() if k not in ("YINGJI_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    base_env["PYTHONPATH"] = SRC + os.pathsep + base_env.get("PYTHONPATH", "")
    lines = []
    with tempfile.TemporaryDirectory(prefix="yj-bench-ingest-") as tmp:
        env = {**base_env, "YINGJI_VAR_DIR": tmp, "YINGJI_SECRET_KEY": "bench-only", "HOME": tmp}
        path = os.path.join(tmp, "yingji.sqlite3")
        rate, raw_rate, p99 = run("SQLite", env, n, lambda rows: raw_sqlite(path, rows))
        lines.append(f"RESULT ingest readings_per_s={rate:.0f} raw_readings_per_s={raw_rate:.0f} "
                     f"ratio={rate / raw_rate:.2f} draft_p99_ms={p99:.0f}")
        if not args.no_pg:
            try:
                import psycopg

                name = f"yj_bench_{uuid.uuid4().hex[:8]}"
                with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as c:
                    c.execute(f"CREATE DATABASE {name}")
            except Exception as exc:  # noqa: BLE001
                print(f"PostgreSQL skipped: {exc}")
            else:
                url = f"{PG_SERVER}/{name}"
                try:
                    pg_env = {**env, "YINGJI_DATABASE_URL": url}
                    prate, copy_rate, pp99 = run("PostgreSQL", pg_env, n, lambda rows: raw_copy(url, rows))
                    print(f"RESULT ingest_pg readings_per_s={prate:.0f} copy_readings_per_s={copy_rate:.0f} "
                          f"ratio={prate / copy_rate:.2f} draft_p99_ms={pp99:.0f}")
                finally:
                    with psycopg.connect(PG_SERVER + "/postgres", autocommit=True) as c:
                        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    print(lines[-1])


if __name__ == "__main__":
    main()
