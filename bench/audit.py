"""Audit log under concurrent writers: one chain per object (ours) against one global chain (the peer).

The peer is the same code with every entry forced into a single chain — exactly the design this replaced
(one head row that every writer locks). Both run in the same process, on the same PostgreSQL database:

1. throughput: W threads, each editing its own units (distinct objects), N edits each;
2. an unrelated edit while a 2,000-row import holds its transaction open: how long the edit waits.

PostgreSQL only (SQLite has one writer at a time by design, docs/decisions/0004): a temporary database on
YINGJI_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432).

    python bench/audit.py            # 8 writers × 40 edits, import of 2,000 rows
    python bench/audit.py --quick    # 4 writers × 15 edits, import of 500 rows
Lines: RESULT audit_throughput edits_per_s=<ours> global_edits_per_s=<peer> ratio=<ours/peer>, and last
RESULT audit wait_ms=<ours> global_wait_ms=<peer> ratio=<peer/ours> — the peer's wait is cut at 3 s (the
import is released then), so that ratio is a lower bound.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))
PG_SERVER = os.environ.get("YINGJI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _run(writers: int, edits: int, import_rows: int) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection, transaction

    from yingji.core import audit, crud
    from yingji.core import services as core
    from yingji.resources.models import Warehouse

    city = core.create_unit(None, parent=None, code="990100", name="示范市", kind="city")
    units = [[core.create_unit(None, parent=city, code=f"99{w:02d}{i:04d}", name=f"单位{w}-{i}", kind="department")
              for i in range(5)] for w in range(writers)]
    real_chain_of = audit.chain_of

    def throughput() -> float:
        errors: list[BaseException] = []
        barrier = threading.Barrier(writers)

        def work(mine):
            try:
                barrier.wait()
                for k in range(edits):
                    core.update_unit(None, mine[k % len(mine)], {"contact_phone": f"0999-{k:04d}"})
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(units[w],)) for w in range(writers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        return writers * edits / (time.perf_counter() - t0)

    def wait_during_import(tag: str) -> float:
        town = units[0][0]
        ready, release = threading.Event(), threading.Event()

        def long_import():
            try:
                with transaction.atomic():
                    rows = [Warehouse(owner_unit=town, code=f"{tag}{i:05d}", name=f"库{i}") for i in range(import_rows)]
                    crud.bulk_create(None, rows)
                    ready.set()
                    release.wait(timeout=120)
            finally:
                ready.set()
                connection.close()

        t = threading.Thread(target=long_import)
        t.start()
        ready.wait(timeout=300)
        waited = {}

        def edit():
            t0 = time.perf_counter()
            core.update_unit(None, units[-1][-1], {"contact_phone": f"tag-{tag}"})
            waited["s"] = time.perf_counter() - t0
            connection.close()

        e = threading.Thread(target=edit)
        e.start()
        e.join(timeout=3)  # the peer blocks until the import commits; release it after 3 s
        release.set()
        e.join()
        t.join()
        return waited["s"]

    ours = throughput()
    ours_wait = wait_during_import("A")
    audit.chain_of = lambda object_type, object_id: "a:global"  # the peer: one chain, one head row
    try:
        peer = throughput()
        peer_wait = wait_during_import("B")
    finally:
        audit.chain_of = real_chain_of
    return {"ours": ours, "peer": peer, "ours_wait_s": ours_wait, "peer_wait_s": peer_wait}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--writers", type=int)
    ap.add_argument("--edits", type=int)
    ap.add_argument("--rows", type=int)
    args = ap.parse_args()
    writers = args.writers or (4 if args.quick else 8)
    edits = args.edits or (15 if args.quick else 40)
    rows = args.rows or (500 if args.quick else 2000)
    if args.child:
        print(json.dumps(_run(writers, edits, rows)))
        return 0
    import psycopg

    dbname = f"yingji_bench_audit_{os.getpid()}"
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as c:
            c.execute(f'CREATE DATABASE "{dbname}"')
    except Exception as exc:  # noqa: BLE001 — no server: say so, no figure
        print(f"PostgreSQL not reachable at {PG_SERVER}: {exc}")
        return 1
    try:
        with tempfile.TemporaryDirectory(prefix="yj-bench-") as tmp:
            env = dict(os.environ, DJANGO_SETTINGS_MODULE="yingji.config.settings", YINGJI_VAR_DIR=tmp,
                       YINGJI_DATABASE_URL=f"{PG_SERVER}/{dbname}")
            cmd = [sys.executable, __file__, "--child", "--writers", str(writers), "--edits", str(edits),
                   "--rows", str(rows)]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    finally:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    r = json.loads(out.strip().splitlines()[-1])
    print(f"{writers} writers × {edits} edits of distinct units: ours {r['ours']:.0f} edits/s, "
          f"one global chain {r['peer']:.0f} edits/s")
    print(f"an unrelated edit during an open {rows}-row import waited: ours {r['ours_wait_s'] * 1000:.0f} ms, "
          f"one global chain {r['peer_wait_s'] * 1000:.0f} ms (released after 3 s)")
    print(f"RESULT audit_throughput edits_per_s={r['ours']:.1f} global_edits_per_s={r['peer']:.1f} "
          f"ratio={r['ours'] / r['peer']:.2f}")
    print(f"RESULT audit wait_ms={r['ours_wait_s'] * 1000:.0f} global_wait_ms={r['peer_wait_s'] * 1000:.0f} "
          f"ratio={r['peer_wait_s'] / r['ours_wait_s']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
