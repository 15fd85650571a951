"""Recommendation for one incident: "the fastest free resources for N of capability X", over ≥ 10,000
dispatchable resources in the demo city, including the road travel times.

Ours: yingji.incidents.dispatching.recommend — the indexed band query narrows to free resources with the
capability near the incident, the nearest candidates per type keep their snapped road nodes (cached on the
rows, as in production), one reverse Dijkstra times them all, and the allocation engine's `rank` orders them.
Peer, in the same run, same database, same incidents and questions, same number of samples: the naive version
— every dispatchable row fetched, straight-line distance to each computed in Python, the same nearest
candidates kept, then each candidate routed on its own (one search per candidate, fresh points); both keep the nearest 40 per type. Both answers
are checked to agree (the same fastest resources, the same times to 0.1 s).

    python bench/recommend.py            # 12,000 resources, 200 questions
    python bench/recommend.py --quick    # 10,500 resources, 40 questions
Last line: RESULT recommend p95_ms=<ours> naive_p95_ms=<peer> ratio=<naive/ours>
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "src"))

WEST, EAST, SOUTH, NORTH = 113.104, 113.496, 22.965, 23.235
CAPS = ["pumping", "water_rescue", "hazchem", "firefighting", "search", "medical", "earthwork", "breaching"]
QTY = {"pumping": 1000, "water_rescue": 10, "firefighting": 40, "search": 20, "medical": 20, "earthwork": 100}


def _p95(xs):
    xs = sorted(xs)
    return xs[max(0, math.ceil(0.95 * len(xs)) - 1)]


def _populate(n_teams: int, n_equipment: int, rng: random.Random):
    from yingji.core.models import OrgUnit, OrgUnitKind, User
    from yingji.core.models.place import prepare
    from yingji.resources.models import Equipment, Team

    city = OrgUnit.objects.create(code="990100", name="示范市", kind=OrgUnitKind.CITY, path="000001.")
    units = [OrgUnit.objects.create(code=f"9901{k:04d}", name=f"单位{k}", kind=OrgUnitKind.TOWN, parent=city,
                                    path=f"000001.{k + 2:06x}.") for k in range(40)]

    def point():
        return rng.uniform(WEST, EAST), rng.uniform(SOUTH, NORTH)

    def caps():
        return {c: (str(QTY[c] * rng.choice((0.5, 1, 2))) if c in QTY else None)
                for c in rng.sample(CAPS, rng.randint(1, 3))}

    teams, equipment = [], []
    for i in range(n_teams):
        lng, lat = point()
        t = Team(owner_unit=rng.choice(units), code=f"T{i:06d}", name=f"队伍{i}", kind="professional",
                 specialty="general", headcount=20, capabilities=caps(), lng=lng, lat=lat,
                 readiness="not_ready" if rng.random() < 0.08 else "ready")
        prepare(t)
        teams.append(t)
    for i in range(n_equipment):
        lng, lat = point()
        e = Equipment(owner_unit=rng.choice(units), code=f"E{i:06d}", name=f"装备{i}", equipment_type="bench",
                      capabilities=caps(), lng=lng, lat=lat,
                      status="maintenance" if rng.random() < 0.05 else "available")
        prepare(e)
        equipment.append(e)
    Team.objects.bulk_create(teams, batch_size=2000)
    Equipment.objects.bulk_create(equipment, batch_size=2000)
    return city, User.objects.create(username="bench", is_superuser=True)


def _naive(graph, inc, capability, quantity, limit=10, per_type=40):
    """Every row in Python: straight-line distance, the same candidates, each routed on its own."""
    from yingji.domain.dispatch import Demand, Resource, rank
    from yingji.resources.models import Equipment, Team

    rows = []
    for key, model, ready in (("teams", Team, lambda r: r["readiness"] in ("ready", "standby")),
                              ("equipment", Equipment, lambda r: r["status"] == "available")):
        fields = ["pk", "lat", "lng", "capabilities", "readiness" if model is Team else "status"]
        found = []
        for r in model.objects.values(*fields):
            if capability not in (r["capabilities"] or {}) or not ready(r):
                continue
            p1, p2 = math.radians(inc.lat), math.radians(r["lat"])
            dp, dl = p2 - p1, math.radians(r["lng"] - inc.lng)
            h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
            d = 2 * 6371008.8 * math.asin(math.sqrt(h))
            if d <= 60000:
                found.append((d, r))
        found.sort(key=lambda x: x[0])
        rows += [(key, r) for _d, r in found[:per_type]]
    times = [float(graph.travel_times((r["lng"], r["lat"]), [(inc.lng, inc.lat)], limit_s=5400)[0]) for _k, r in rows]
    value = [float(r["capabilities"].get(capability) or 1) for _k, r in rows]
    res = [Resource(f"{k}:{r['pk']}", {capability: v}) for (k, r), v in zip(rows, value, strict=True)]
    return rank(Demand(str(inc.pk), capability, quantity), res, times, k=limit)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n_teams, n_equipment, questions = (3500, 7000, 40) if args.quick else (4000, 8000, 200)
    tmp = tempfile.mkdtemp(prefix="yj-bench-recommend-")
    os.environ["YINGJI_VAR_DIR"] = tmp
    os.environ["YINGJI_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yingji.core import travel, vocabulary
    from yingji.core.models import User
    from yingji.incidents import dispatching, services
    from yingji.resources.models import Equipment, Team
    from yingji.roads_cli import generate_demo_roads

    vocabulary.seed_hazard_types()
    from yingji.resources import catalogue

    rng = random.Random(11)
    generate_demo_roads(str(travel.graph_path()))
    city, _ = _populate(n_teams, n_equipment, rng)
    user = User.objects.get(username="bench")
    catalogue.seed_catalogue(city)
    graph = travel.provider()
    started = time.perf_counter()
    for model in (Team, Equipment):  # the registry's places are snapped once and keep their node (production)
        travel.snap_places(list(model.objects.all()), graph)
    snap_s = time.perf_counter() - started
    incidents = [services.report(None, owner_unit=city, title=f"事件{k}", hazard_type="flood",
                                 lng=rng.uniform(WEST + 0.03, EAST - 0.03), lat=rng.uniform(SOUTH + 0.02, NORTH - 0.02))
                 for k in range(20)]
    asks = [(rng.choice(incidents), c, QTY.get(c, 2) * rng.choice((1, 3))) for c in
            (rng.choice(CAPS) for _ in range(questions))]
    for inc in incidents:  # warm: the incident's own snap is stored at its first question
        dispatching.recommend(user, inc, "pumping", 1)
    ours, peer, ours_cpu, peer_cpu, checked = [], [], [], [], 0
    for inc, cap, qty in asks:
        t0, c0 = time.perf_counter(), time.process_time()
        mine = dispatching.recommend(user, inc, cap, qty)
        ours.append(time.perf_counter() - t0)
        ours_cpu.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        theirs = _naive(graph, inc, cap, qty)
        peer.append(time.perf_counter() - t0)
        peer_cpu.append(time.process_time() - c0)
        a = [(i["resource_type"], i["resource_id"], round(i["travel_time_s"], 1)) for i in mine["items"]]
        b = [(r.resource_id.split(":")[0], int(r.resource_id.split(":")[1]), round(r.eta_s, 1)) for r in theirs]
        if [x[2] for x in a] != [x[2] for x in b]:
            print(f"MISMATCH at {inc.pk} {cap}: ours {a[:3]} naive {b[:3]}", file=sys.stderr)
            return 1
        checked += 1
    n = Team.objects.count() + Equipment.objects.count()
    ours_ms, peer_ms = [x * 1000 for x in ours], [x * 1000 for x in peer]
    print(f"resources: {n:,} dispatchable (teams {Team.objects.count():,}, equipment {Equipment.objects.count():,}); "
          f"road graph {graph.node_count:,} nodes; one-off snapping of every place {snap_s:.1f} s")
    print(f"questions: {len(asks)} (answers checked equal: {checked})")
    print(f"ours : p50 {statistics.median(ours_ms):.1f} ms, p95 {_p95(ours_ms):.1f} ms "
          f"(CPU p95 {_p95(ours_cpu) * 1000:.1f} ms)")
    print(f"naive: p50 {statistics.median(peer_ms):.1f} ms, p95 {_p95(peer_ms):.1f} ms "
          f"(CPU p95 {_p95(peer_cpu) * 1000:.1f} ms)")
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ratio = _p95(peer_ms) / _p95(ours_ms)
    print(f"RESULT recommend p95_ms={_p95(ours_ms):.4g} naive_p95_ms={_p95(peer_ms):.4g} ratio={ratio:.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
