"""Proximity search: "equipment with capability X within R km of a point" over 100,000 resources.

Ours: yingji.resources.selectors.search — the (lat_band, lng, lat, capability) index narrows SQL to a
bounding box, then the exact haversine (numpy) on the rows left. Peers, in the same run, on the same
database, at the same query points and the same number of samples each:

- "no index": the very SQL statement ours executed (captured per point), run on a raw cursor with the
  index switched off (SQLite `NOT INDEXED`; PostgreSQL `enable_indexscan/bitmapscan/indexonlyscan = off`),
  then the same numpy haversine. It skips the ORM, so it is, if anything, favoured.
- "scan": every row fetched and filtered in Python (capability and haversine per row).

Every contender's answer is checked against ours at every query point. Each backend runs in its own
process: SQLite in a temporary file, PostgreSQL in a temporary database on YINGJI_BENCH_PG_URL
(default postgres://postgres@127.0.0.1:5432), skipped with a reason when unreachable.

    python bench/proximity.py            # 100,000 rows, 100 query points
    python bench/proximity.py --quick    # 10,000 rows, 25 query points
Last line: RESULT proximity median_ms=<ours, SQLite> noindex_median_ms=<v> ratio=<noindex/ours>
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

WEST, EAST, SOUTH, NORTH = 113.104, 113.496, 22.965, 23.235
CAPS = [
    "pumping",
    "water_rescue",
    "breaching",
    "medical",
    "hazchem",
    "lighting",
    "comms",
    "search",
    "lifting",
    "earthwork",
]
PG_SERVER = os.environ.get("YINGJI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _populate(n: int, rng: random.Random):
    from yingji.core.models import OrgUnit, OrgUnitKind, User
    from yingji.resources.models import Equipment
    from yingji.resources.models.base import prepare

    unit = OrgUnit.objects.create(code="990100", name="示范市", kind=OrgUnitKind.CITY, path="000001.")
    rows = []
    for i in range(n):
        caps = {c: None for c in rng.sample(CAPS, rng.randint(1, 3))}
        e = Equipment(
            owner_unit=unit,
            code=f"B{i:06d}",
            name=f"装备{i}",
            equipment_type="bench",
            capabilities=caps,
            lng=rng.uniform(WEST, EAST),
            lat=rng.uniform(SOUTH, NORTH),
        )
        prepare(e)
        rows.append(e)
    Equipment.objects.bulk_create(rows, batch_size=5000)
    return User.objects.create(username="bench", is_superuser=True)


def _haversine_m(lng1, lat1, lng2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(h, 1.0)))


def _stats(times: list[float]) -> dict[str, float]:
    s = sorted(times)
    return {
        "median_ms": statistics.median(s) * 1000,
        "p95_ms": s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)] * 1000,
        "n": len(s),
    }


def run_backend(backend: str, n: int, queries: int, radius_km: float) -> dict:
    """Populate one database, time the three contenders at the same points; return their figures."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    import numpy as np
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.domain.geo import haversine_m
    from yingji.resources import selectors
    from yingji.resources.models import Equipment
    from yingji.resources.registry import KINDS

    rng = random.Random(2026)
    t0 = time.perf_counter()
    user = _populate(n, rng)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    populated = time.perf_counter() - t0
    kind = KINDS["equipment"]
    radius_m = radius_km * 1000
    points = [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), rng.choice(CAPS)) for _ in range(queries)]
    table = Equipment._meta.db_table

    def ours(lng, lat, cap):
        _, distances = selectors.search(
            user, kind, selectors.Filters(capability=cap, near=(lng, lat), radius_km=radius_km)
        )
        return set(distances)

    # The statement ours runs at each point, captured once (outside any timing), and its no-index twin.
    statements = []
    for p in points:
        with CaptureQueriesContext(connection) as captured:
            ours(*p)
        (sql,) = [q["sql"] for q in captured.captured_queries if table in q["sql"]]
        if connection.vendor == "sqlite":
            sql = sql.replace(f'FROM "{table}"', f'FROM "{table}" NOT INDEXED', 1)
        statements.append(sql)

    def no_index(i, lng, lat, cap):
        with connection.cursor() as cur:
            cur.execute(statements[i])
            rows = cur.fetchall()
        if not rows:
            return set()
        arr = np.asarray(rows, dtype=float)
        dist = haversine_m(lng, lat, arr[:, 2], arr[:, 1])
        return set(arr[dist <= radius_m, 0].astype(np.int64).tolist())

    def scan(lng, lat, cap):
        found = set()
        for pk, la, lo, caps in Equipment.objects.values_list("pk", "lat", "lng", "capabilities").iterator(
            chunk_size=5000
        ):
            if cap in caps and _haversine_m(lng, lat, lo, la) <= radius_m:
                found.add(pk)
        return found

    if connection.vendor == "postgresql":
        off = "SET enable_indexscan = off; SET enable_bitmapscan = off; SET enable_indexonlyscan = off"
        on = "RESET enable_indexscan; RESET enable_bitmapscan; RESET enable_indexonlyscan"
    else:
        off = on = ""

    def switch(sql):
        if sql:
            with connection.cursor() as cur:
                for part in sql.split(";"):
                    cur.execute(part)

    times = {"ours": [], "noindex": [], "scan": []}
    hits = 0
    for i, p in enumerate(points):  # interleaved, so load on the shared machine hits all three alike
        start = time.perf_counter()
        want = ours(*p)
        times["ours"].append(time.perf_counter() - start)
        hits += len(want)
        switch(off)
        start = time.perf_counter()
        got = no_index(i, *p)
        times["noindex"].append(time.perf_counter() - start)
        switch(on)
        assert got == want, f"no-index query disagrees at point {i}"
        start = time.perf_counter()
        got = scan(*p)
        times["scan"].append(time.perf_counter() - start)
        assert got == want, f"scan disagrees at point {i}"
    return {
        "backend": backend,
        "rows": n,
        "populate_s": populated,
        "hits": hits / queries,
        **{k: _stats(v) for k, v in times.items()},
    }


def _child(backend: str, args) -> dict | str:
    """Run one backend in a fresh process (Django is configured once per process)."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="yingji.config.settings")
    with tempfile.TemporaryDirectory(prefix="yj-bench-") as tmp:
        env["YINGJI_VAR_DIR"] = tmp
        dbname = f"yingji_bench_{os.getpid()}"
        if backend == "sqlite":
            env["YINGJI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        else:
            try:
                import psycopg

                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=5) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
                    c.execute(f'CREATE DATABASE "{dbname}"')
            except Exception as exc:  # no server here: the peer is skipped, with the reason printed
                return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc) else ''}"
            env["YINGJI_DATABASE_URL"] = f"{PG_SERVER}/{dbname}"
        cmd = [
            sys.executable,
            __file__,
            "--child",
            backend,
            "--rows",
            str(args.rows),
            "--queries",
            str(args.queries),
            "--radius-km",
            str(args.radius_km),
        ]
        try:
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        except subprocess.CalledProcessError as exc:
            print(exc.stdout, exc.stderr, file=sys.stderr)
            raise
        finally:
            if backend == "postgres":
                import psycopg

                with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--radius-km", type=float, default=5.0)
    ap.add_argument("--rows", type=int)
    ap.add_argument("--queries", type=int)
    ap.add_argument("--child", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.rows = args.rows or (10_000 if args.quick else 100_000)
    args.queries = args.queries or (25 if args.quick else 100)
    if args.child:
        print(json.dumps(run_backend(args.child, args.rows, args.queries, args.radius_km)))
        return 0
    results = {}
    for backend in ("sqlite", "postgres"):
        r = _child(backend, args)
        if isinstance(r, str):
            print(f"\n== {backend}: skipped ({r})")
            continue
        results[backend] = r
        print(
            f"\n== {backend}: {r['rows']:,} rows (populated in {r['populate_s']:.1f} s), {args.queries} query "
            f"points, radius {args.radius_km} km, {r['hits']:.0f} hits on average; answers equal at every point"
        )
        for key, title in (
            ("ours", "ours (selectors.search)"),
            ("noindex", "same SQL, index off"),
            ("scan", "Python scan of all rows"),
        ):
            s = r[key]
            print(f"{title:<26} median {s['median_ms']:8.2f} ms   p95 {s['p95_ms']:8.2f} ms   (n={s['n']})")
        print(
            f"no-index / ours: median {r['noindex']['median_ms'] / r['ours']['median_ms']:.1f}x, "
            f"p95 {r['noindex']['p95_ms'] / r['ours']['p95_ms']:.1f}x; scan / ours: median "
            f"{r['scan']['median_ms'] / r['ours']['median_ms']:.0f}x"
        )
    print()
    for backend in ("postgres", "sqlite"):
        if backend in results:
            r = results[backend]
            o, p = r["ours"], r["noindex"]
            name = "proximity" if backend == "sqlite" else "proximity_postgres"
            print(
                f"RESULT {name}_p95 p95_ms={o['p95_ms']:.3g} noindex_p95_ms={p['p95_ms']:.3g} "
                f"ratio={p['p95_ms'] / o['p95_ms']:.3g}"
            )
            print(
                f"RESULT {name} median_ms={o['median_ms']:.3g} noindex_median_ms={p['median_ms']:.3g} "
                f"ratio={p['median_ms'] / o['median_ms']:.3g}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
