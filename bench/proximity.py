"""Proximity search: "equipment with capability X within R km of a point" over 100,000 resources.

Ours: yingji.resources.selectors.search — an indexed lat/lng bounding box and the capability filter in SQL,
then the exact haversine (numpy) on the rows left. Peer, measured in the same run on the same database: a
plain Python scan of every row (fetch all, filter capability and haversine in Python). Both answer the same
set; the script checks that. Runs on its own temporary SQLite database.

    python bench/proximity.py            # 100,000 rows, 300 queries (peer: 20)
    python bench/proximity.py --quick    # 20,000 rows, 100 queries (peer: 10)
Last line: RESULT proximity p95_ms=<v> scan_p95_ms=<v> ratio=<scan/ours>
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

WEST, EAST, SOUTH, NORTH = 113.104, 113.496, 22.965, 23.235
CAPS = ["pumping", "water_rescue", "breaching", "medical", "hazchem", "lighting", "comms", "search", "lifting",
        "earthwork"]


def _setup(tmp: str) -> None:
    os.environ["YINGJI_VAR_DIR"] = tmp
    os.environ["YINGJI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "yingji.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _populate(n: int, rng: random.Random):
    from yingji.core.models import OrgUnit, OrgUnitKind, User
    from yingji.resources.models import Equipment
    from yingji.resources.models.base import prepare

    unit = OrgUnit.objects.create(code="990100", name="示范市", kind=OrgUnitKind.CITY, path="000001.")
    rows = []
    for i in range(n):
        caps = {c: None for c in rng.sample(CAPS, rng.randint(1, 3))}
        e = Equipment(owner_unit=unit, code=f"B{i:06d}", name=f"装备{i}", equipment_type="bench", capabilities=caps,
                      lng=rng.uniform(WEST, EAST), lat=rng.uniform(SOUTH, NORTH))
        prepare(e)
        rows.append(e)
    Equipment.objects.bulk_create(rows, batch_size=5000)
    return User.objects.create(username="bench", is_superuser=True)


def _haversine_m(lng1, lat1, lng2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(math.sqrt(min(h, 1.0)))


def _p95(times: list[float]) -> float:
    s = sorted(times)
    return s[min(len(s) - 1, math.ceil(0.95 * len(s)) - 1)] * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--radius-km", type=float, default=5.0)
    args = ap.parse_args()
    n, queries, scans = (20_000, 100, 10) if args.quick else (100_000, 300, 20)
    rng = random.Random(2026)
    with tempfile.TemporaryDirectory(prefix="yj-bench-") as tmp:
        _setup(tmp)
        from yingji.resources import selectors
        from yingji.resources.models import Equipment
        from yingji.resources.registry import KINDS

        t0 = time.perf_counter()
        user = _populate(n, rng)
        print(f"populated {n:,} equipment rows in {time.perf_counter() - t0:.1f} s", flush=True)
        kind = KINDS["equipment"]
        radius_m = args.radius_km * 1000
        points = [(rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH), rng.choice(CAPS)) for _ in range(queries)]

        def ours(lng, lat, cap):
            qs, distances = selectors.search(user, kind, selectors.Filters(
                capability=cap, near=(lng, lat), radius_km=args.radius_km))
            return set(distances)

        def scan(lng, lat, cap):
            found = set()
            for pk, la, lo, caps in Equipment.objects.values_list("pk", "lat", "lng", "capabilities").iterator(
                    chunk_size=5000):
                if cap in caps and _haversine_m(lng, lat, lo, la) <= radius_m:
                    found.add(pk)
            return found

        for p in points[:5]:  # warm caches and check both agree
            assert ours(*p) == scan(*p), "ours and the scan disagree"
        our_times, hits = [], 0
        for p in points:
            start = time.perf_counter()
            hits += len(ours(*p))
            our_times.append(time.perf_counter() - start)
        scan_times = []
        for p in points[:scans]:
            start = time.perf_counter()
            scan(*p)
            scan_times.append(time.perf_counter() - start)
        ours_p95, scan_p95 = _p95(our_times), _p95(scan_times)
        print(f"{queries} queries, radius {args.radius_km} km, {hits / queries:.0f} hits on average")
        print(f"ours: p50 {sorted(our_times)[len(our_times) // 2] * 1000:.2f} ms, p95 {ours_p95:.2f} ms")
        print(f"scan: p50 {sorted(scan_times)[len(scan_times) // 2] * 1000:.1f} ms, p95 {scan_p95:.1f} ms")
        from django.db import connections

        connections.close_all()
    print(f"RESULT proximity p95_ms={ours_p95:.2f} scan_p95_ms={scan_p95:.1f} ratio={scan_p95 / ours_p95:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
