"""Demo data for 风险防控: grid cells for every community (two each, cut from the community's share of its town)
with a grid officer each; hazard sources for the demo city's ~300 enterprises with realistic holdings by
industry (major hazard sources of every grade, most not major), LEC and matrix assessments; ~80 hazard areas;
inspection plans and records; a few hundred hidden dangers in every state, the rectifications as supervised Tasks.

Idempotent (nothing is created when the grid exists) and deterministic (one seeded random generator). Bulk
where the platform allows it (crud.bulk_create audits every row); the hidden dangers' workflow steps go through
services.dangers so their Tasks, timelines and notifications are real."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal

import shapely
from django.db import transaction
from django.utils import timezone

from yingji.core import crud
from yingji.core.demo import DemoContext
from yingji.core.models import RoleAssignment, User
from yingji.core.models.place import prepare
from yingji.core.roles import RoleCode
from yingji.risk import geo, levels
from yingji.risk.models import (
    AreaType,
    ChemicalHolding,
    GridCell,
    GridOfficer,
    HazardArea,
    HazardSource,
    HiddenDanger,
    Inspection,
    InspectionPlan,
    RiskAssessment,
)
from yingji.risk.services import dangers, grid, sources

__all__ = ["seed"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅"
# (chemical, Table 4 symbol or None, tonnes low, high) by the industry word in the demo enterprise's name.
PROFILES = {
    "化工": [("液氯", None, 2, 60), ("液氨", None, 3, 80), ("甲醇", "W5.3", 50, 1500), ("苯", "W5.3", 5, 120),
           ("环氧乙烷", None, 1, 25)],
    "燃气": [("液化石油气", "W2", 10, 400), ("天然气", "W2", 5, 150)],
    "物流": [("甲醇", "W5.3", 20, 600), ("乙醇", "W5.3", 20, 600), ("甲苯", "W5.3", 10, 400)],
    "仓储": [("乙酸乙酯", "W5.3", 20, 500), ("丙酮", "W5.3", 20, 500), ("汽油", "W5.1", 10, 300)],
    "制药": [("乙醇", "W5.3", 5, 200), ("丙酮", "W5.3", 5, 200), ("乙醚", "W5.3", 0.5, 12)],
    "电子": [("氢", "W2", 0.2, 6), ("氟化氢", None, 0.05, 2)],
    "食品": [("液氨", None, 0.5, 25)],
    "建材": [("天然气", "W2", 1, 40)],
    "冶金": [("氧", "W7.1", 20, 400), ("煤气", "W2", 2, 40)],
    "石油": [("汽油", "W5.1", 50, 1500), ("液化石油气", "W2", 10, 300), ("天然气", "W2", 5, 100)],
    "印染": [("甲醇", "W5.3", 2, 80), ("液氨", None, 0.5, 12)],
    "造纸": [("液氯", None, 0.5, 12), ("二氧化硫", None, 1, 30)],
}
# One showcase source of each grade (R per GB 18218; population within 500 m).
SHOWCASE = [("一级", [("液氯", None, "200")], 120), ("二级", [("液氨", None, "200")], 120),
            ("三级", [("液化石油气", "W2", "300")], 60), ("四级", [("甲醇", "W5.3", "600")], 0)]
AREA_TYPES = [(AreaType.LANDSLIDE, ["landslide", "debris_flow"], "地质灾害隐患点"),
              (AreaType.FLOOD, ["flood", "flash_flood"], "易涝易淹区"),
              (AreaType.WATERLOGGING, ["waterlogging", "rainstorm"], "内涝积水点"),
              (AreaType.CROWDED, ["public_facility"], "人员密集场所"),
              (AreaType.CHEMICAL, ["wsa10023", "wsa10016"], "危化品集中区")]
CHECKLIST = ["消防通道畅通", "灭火器材完好", "危化品储存规范", "电气线路安全", "安全警示标志齐全", "应急预案与演练记录"]
DANGER_TOPICS = ["消防通道被占用", "灭火器过期", "电气线路私拉乱接", "危化品超量储存", "安全出口锁闭", "围堰破损",
                 "可燃气体报警器失效", "配电箱未接地", "堆放易燃杂物", "应急照明损坏", "防雷检测超期", "特种作业无证上岗",
                 "护栏缺失", "边坡出现裂缝", "排水沟堵塞", "广告牌松动"]


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _png(rng) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (rng.randint(60, 220), rng.randint(60, 220), rng.randint(60, 220))).save(buf, "PNG")
    return buf.getvalue()


def _community_areas(ctx: DemoContext) -> dict[int, shapely.Geometry]:
    """Each community's share of its town: the town cut by the Voronoi cells of its communities' points."""
    by_town: dict[int, list] = {}
    for c in ctx.communities:
        by_town.setdefault(c.parent_id, []).append(c)
    out = {}
    for town in ctx.towns:
        shape = geo.shape_of(town.boundary)
        members = by_town.get(town.pk, [])
        if not members or shape is None:
            continue
        points = shapely.MultiPoint([(c.lng, c.lat) for c in members])
        cells = shapely.voronoi_polygons(points, extend_to=shape)
        for c in members:
            p = shapely.Point(c.lng, c.lat)
            cell = next(g for g in cells.geoms if g.contains(p))
            if c.boundary:  # a community with its own boundary keeps it
                cell = geo.shape_of(c.boundary)
            out[c.pk] = cell.intersection(shape)  # not rounded: neighbours keep exactly shared edges
    return out


def _halves(area) -> list:
    w, s, e, n = area.bounds
    mid = round((s + n) / 2, 6)
    parts = [area.intersection(shapely.box(w - 1, s - 1, e + 1, mid)), area.intersection(shapely.box(w - 1, mid, e + 1, n + 1))]
    out = []
    for part in parts:
        if part.geom_type == "MultiPolygon":
            part = max(part.geoms, key=lambda g: g.area)
        if part.geom_type == "Polygon" and not part.is_empty:
            out.append(part)
    return out


def _seed_grid(ctx: DemoContext, rng) -> None:
    areas = _community_areas(ctx)
    features, n = [], 0
    for c in ctx.communities:
        if c.pk not in areas:
            continue
        for k, part in enumerate(_halves(areas[c.pk]), start=1):
            n += 1
            features.append({"type": "Feature", "geometry": _lists(shapely.geometry.mapping(part)), "properties": {
                "code": f"WG{c.code}{k:02d}", "name": f"{c.name}第{k}网格", "community": c.code,
                "population": rng.randint(800, 6000),
                "patrol_duties": "每日巡查一次：消防通道、危化品储存、沿街商铺、出租屋、边坡和积水点"}})
    grid.import_cells(None, {"type": "FeatureCollection", "features": features})
    # One grid officer per community (a login-less account; the demo account `grid` is the first community's).
    taken = set(User.objects.filter(username__startswith="wg").values_list("username", flat=True))
    users = [User(username=f"wg{c.code}", unit=c, display_name=f"{_name(rng)}（网格员）", password="!")
             for c in ctx.communities if f"wg{c.code}" not in taken]
    crud.bulk_create(None, users)
    officers = {u.unit_id: u for u in User.objects.filter(username__startswith="wg")}
    demo_grid = User.objects.filter(username="grid").first()
    crud.bulk_create(None, [RoleAssignment(user=u, role=RoleCode.GRID_OFFICER, unit_id=unit_id)
                            for unit_id, u in officers.items()])
    rows = []
    for cell in GridCell.objects.all():
        rows.append(GridOfficer(owner_unit_id=cell.owner_unit_id, cell=cell, user=officers[cell.owner_unit_id],
                                duties="工作日每日巡查"))
        if demo_grid is not None and cell.owner_unit_id == demo_grid.unit_id:
            rows.append(GridOfficer(owner_unit_id=cell.owner_unit_id, cell=cell, user=demo_grid, duties="周末巡查"))
    crud.bulk_create(None, rows)


def _holding(chem, symbol, tonnes) -> ChemicalHolding:
    return ChemicalHolding(chemical=chem, symbol=symbol or "", tonnes=Decimal(tonnes))


def _seed_sources(ctx: DemoContext, rng, today) -> list[HazardSource]:
    pending = []  # (source, holdings, assessment or None)
    n = 0
    for e_index, e in enumerate(ctx.enterprises):
        industry = next((w for w in PROFILES if w in e.name), "仓储")
        count = 1 + (rng.random() < 0.35) + (rng.random() < 0.1)
        for k in range(count):
            n += 1
            profile = PROFILES[industry]
            picks = rng.sample(profile, rng.randint(1, min(3, len(profile))))
            # Most units hold well under the critical quantities; one in six is sized like a real tank farm.
            big = rng.random() < 0.17
            holdings = []
            for chem, symbol, low, high in picks:
                t = rng.uniform(low, high) if big else rng.uniform(low, high) * rng.uniform(0.02, 0.25)
                holdings.append(_holding(chem, symbol, Decimal(str(round(t, 2 if t < 10 else 1)))))
            label = "储罐区" if k == 0 else ("生产装置" if k == 1 else "仓库")
            population = rng.choice((0, 12, 35, 60, 150, 420))
            if e_index < 3 * len(SHOWCASE) and k == 0:
                grade_word, rows, population = SHOWCASE[e_index % len(SHOWCASE)]
                holdings = [_holding(c, s, t) for c, s, t in rows]
                label = f"储罐区（{grade_word}示范）"
            source = HazardSource(
                owner_unit=e, code=f"WXY-{n:04d}", name=f"{e.name.removeprefix('示范')}{label}",
                unit_type="storage" if k != 1 else "production", offsite_population=population,
                lng=round(e.lng + rng.uniform(-0.002, 0.002), 6), lat=round(e.lat + rng.uniform(-0.002, 0.002), 6),
                address=e.address, last_review=today - dt.timedelta(days=rng.randint(30, 1200)),
                hazard_types=["wsa10023", "wsa10016"] if industry in ("化工", "燃气", "石油") else ["wsa10009"])
            assessment = None
            if rng.random() < 0.75:
                on = today - dt.timedelta(days=rng.randint(10, 500))
                if rng.random() < 0.5:
                    assessment = RiskAssessment(method="lec", factor_l=Decimal(rng.choice(("0.5", "1", "3", "6"))),
                                                factor_e=Decimal(rng.choice(("2", "3", "6"))),
                                                factor_c=Decimal(rng.choice(("3", "7", "15", "40"))),
                                                assessor=_name(rng), assessed_on=on, controls="定期巡检、可燃气体报警联锁")
                else:
                    assessment = RiskAssessment(method="matrix", likelihood=rng.randint(1, 5),
                                                severity=rng.randint(1, 5), assessor=_name(rng), assessed_on=on,
                                                controls="双人操作、作业许可、视频监控")
            pending.append((source, holdings, assessment))
    made = []
    for source, holdings, assessment in pending:
        fields = sources.result_fields(source, holdings)
        level = None
        if assessment is not None:
            assessment.source, assessment.owner_unit = source, source.owner_unit
            assessment.compute()
            level = assessment.level
        fields["risk_level"] = levels.most_severe(levels.level_for("gb18218", fields["grade"]), level)
        fields["review_due"] = levels.review_due(source.last_review, "major_source" if fields["is_major"] else "source")
        fields["assessed_at"] = timezone.now()
        for k, v in fields.items():
            setattr(source, k, v)
        made.append(source)
    prepare(made)
    crud.bulk_create(None, made)
    rows, checks = [], []
    for source, holdings, assessment in pending:
        for h in holdings:
            h.source, h.owner_unit = source, source.owner_unit
            rows.append(h)
        if assessment is not None:
            assessment.source = source
            checks.append(assessment)
    crud.bulk_create(None, rows)
    crud.bulk_create(None, checks)
    return made


def _seed_areas(ctx: DemoContext, rng) -> None:
    rows = []
    for k in range(80):
        town = ctx.towns[(k * 7) % len(ctx.towns)]
        area_type, hazards, word = AREA_TYPES[k % len(AREA_TYPES)]
        shape = geo.shape_of(town.boundary)
        w, s, e, n = shape.bounds
        for _ in range(20):
            x, y = rng.uniform(w, e), rng.uniform(s, n)
            if shape.contains(shapely.Point(x, y)):
                break
        r = rng.uniform(0.0015, 0.004)
        blob = shapely.Point(x, y).buffer(r, quad_segs=4).intersection(shape)
        if blob.geom_type != "Polygon":
            blob = shapely.Point(x, y).buffer(r * 0.5, quad_segs=4)
        blob = shapely.set_precision(blob, 1e-6)
        rows.append(HazardArea(
            owner_unit=town, code=f"WXQ-{k + 1:03d}", name=f"{town.name}{word}{k // len(AREA_TYPES) + 1}号",
            area_type=area_type, exposed_population=rng.choice((30, 120, 480, 1500, 6000)),
            risk_level=rng.choices((1, 2, 3, 4), weights=(1, 3, 4, 3))[0], hazard_types=hazards,
            boundary=_lists(shapely.geometry.mapping(blob)), description="示范数据：汛期重点巡查"))
    prepare(rows)
    crud.bulk_create(None, rows)


def _lists(geometry: dict) -> dict:
    def conv(x):
        return [conv(v) for v in x] if isinstance(x, (list, tuple)) else x
    return {"type": geometry["type"], "coordinates": conv(geometry["coordinates"])}


def _seed_inspections(ctx: DemoContext, rng, today, sources_made) -> None:
    plans = []
    for cell in GridCell.objects.select_related("owner_unit").order_by("code")[::3]:
        plans.append(InspectionPlan(owner_unit=cell.owner_unit, name=f"{cell.name}月度巡查", grid_cell=cell,
                                    checklist=CHECKLIST[:4], interval_days=30,
                                    next_due=today + dt.timedelta(days=rng.randint(-20, 30))))
    majors = {s.owner_unit_id: s.owner_unit for s in sources_made if s.is_major}
    for e in majors.values():
        plans.append(InspectionPlan(owner_unit=e.parent, name=f"{e.name}重大危险源季度检查", enterprise=e,
                                    checklist=CHECKLIST, interval_days=90,
                                    next_due=today + dt.timedelta(days=rng.randint(-30, 80))))
    crud.bulk_create(None, plans)
    records = []
    for plan in InspectionPlan.objects.order_by("pk")[::2]:
        items = [{"item": i, "ok": rng.random() > 0.15, "note": ""} for i in plan.checklist]
        records.append(Inspection(owner_unit_id=plan.owner_unit_id, plan=plan, grid_cell_id=plan.grid_cell_id,
                                  enterprise_id=plan.enterprise_id, inspector=_name(rng),
                                  inspected_on=plan.next_due - dt.timedelta(days=plan.interval_days),
                                  results={"items": items}, findings="发现问题已现场告知并登记隐患"))
    crud.bulk_create(None, records)


WORKFLOW_DANGERS = 60   # run through the services: reports, Tasks, evidence, verification (about 0.3 s each)
LEDGER_DANGERS = 240    # the older ledger, written in bulk: closed, cancelled, and recent ones awaiting an order


def _seed_dangers(ctx: DemoContext, rng, now, count: int = WORKFLOW_DANGERS) -> None:
    """Hidden dangers of the past half year whose workflow runs through the services, backdated: reported,
    rectifying (a supervised Task each; some past their deadline), waiting for verification, closed, cancelled."""
    cells = list(GridCell.objects.select_related("owner_unit").order_by("code"))
    officers = {o.cell_id: o.user for o in GridOfficer.objects.select_related("user")}
    enterprises = ctx.enterprises
    photo_budget = 40
    for k in range(count):
        reported = now - dt.timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 20))
        major = rng.random() < 0.12
        if k % 3 == 0:  # an enterprise's own check
            e = enterprises[(k * 13) % len(enterprises)]
            lat, lng = e.lat + rng.uniform(-0.001, 0.001), e.lng + rng.uniform(-0.001, 0.001)
            kw = {"found_by": "self", "enterprise": e}
            responsible = e
        else:
            cell = cells[(k * 17) % len(cells)]
            shape = geo.shape_of(cell.boundary)
            p = shape.representative_point()
            lat, lng = round(p.y + rng.uniform(-0.0003, 0.0003), 6), round(p.x + rng.uniform(-0.0003, 0.0003), 6)
            if not shape.contains(shapely.Point(lng, lat)):
                lat, lng = p.y, p.x
            kw = {"found_by": "grid"}
            responsible = cell.owner_unit
        photos = [(f"yh{k:03d}.png", _png(rng))] if photo_budget > 0 and k % 7 == 0 else ()
        photo_budget -= len(photos)
        reporter = officers.get(geo.cell_id_at(lat, lng)) if "enterprise" not in kw else None
        d = dangers.report(None, name=rng.choice(DANGER_TOPICS), lat=round(lat, 6), lng=round(lng, 6),
                           grade="major" if major else "general", description="示范数据", photos=photos,
                           at=reported, reporter=reporter, **kw)
        roll = rng.random()
        if roll < 0.12:
            continue  # still waiting for its order (待交办)
        ordered = reported + dt.timedelta(days=rng.randint(0, 2), hours=2)
        if ordered > now:
            continue
        deadline = (ordered + dt.timedelta(days=rng.choice((7, 15, 30, 60)))).date()
        d = dangers.order(None, d, responsible_unit=responsible, responsible_person=_name(rng), deadline=deadline,
                          order_text="限期整改，整改完成后上传照片等佐证材料", at=ordered, notify=False)
        if roll < 0.18:
            dangers.cancel(None, d, "经核实不属于隐患，撤销")
            continue
        done = ordered + dt.timedelta(days=rng.randint(1, 10))
        if done > now or roll < 0.5:
            continue  # still in rectification (some past their deadline: overdue)
        d = dangers.rectify(None, d, text="已按要求整改完毕，附整改后照片", at=done)
        checked = done + dt.timedelta(days=rng.randint(1, 3))
        if checked > now or roll < 0.72:
            continue  # waiting for verification
        dangers.verify(None, d, passed=True, note="现场复核合格，同意销号", at=checked)


def _seed_ledger(ctx: DemoContext, rng, now, count: int = LEDGER_DANGERS) -> None:
    """The older ledger in bulk (every row audited by crud.bulk_create): dangers closed or cancelled over the
    past two years before this platform ran their rectification as Tasks, and recent reports awaiting an order."""
    cells = list(GridCell.objects.select_related("owner_unit").order_by("code"))
    rows = []
    for k in range(count):
        cell = cells[(k * 29 + 7) % len(cells)]
        p = geo.shape_of(cell.boundary).representative_point()
        state = "closed" if k % 8 < 5 else ("cancelled" if k % 8 == 5 else "reported")
        reported = now - dt.timedelta(days=rng.randint(0, 10) if state == "reported" else rng.randint(60, 720),
                                      hours=rng.randint(0, 20))
        d = HiddenDanger(owner_unit=cell.owner_unit, code=f"YH{timezone.localdate(reported):%Y%m%d}L{k:03d}",
                         name=rng.choice(DANGER_TOPICS), description="历史台账", state=state, found_by="grid",
                         grade="major" if rng.random() < 0.08 else "general", lat=round(p.y, 6), lng=round(p.x, 6),
                         reported_at=reported, reporter_name=_name(rng),
                         supervising_unit=dangers.supervising_unit_of(cell.owner_unit))
        if state != "reported":
            deadline = timezone.localdate(reported) + dt.timedelta(days=30)
            d.responsible_unit, d.responsible_person, d.deadline = cell.owner_unit, _name(rng), deadline
            d.order, d.ordered_at = "限期整改", reported + dt.timedelta(days=1)
        if state == "closed":
            done = reported + dt.timedelta(days=rng.randint(3, 40))
            d.rectified_at, d.rectification = done, "已整改"
            d.verified_at = d.closed_at = done + dt.timedelta(days=2)
            d.verification = "复核合格，销号"
        elif state == "cancelled":
            d.verification = "经核实不属于隐患"
        rows.append(d)
    prepare(rows)
    crud.bulk_create(None, rows)


DEMO_ENTERPRISE_USER = ("qiye", "钱安全（企业安全员）")


def _enterprise_account(ctx: DemoContext) -> None:
    """An enterprise's own account (unit staff at the first demo enterprise, whose tank farm is the grade-1
    showcase): it sees only its own sources, holdings and hidden dangers."""
    from yingji.core import services as core_services
    from yingji.core.demo import DEMO_PASSWORD

    if not ctx.enterprises or User.objects.filter(username=DEMO_ENTERPRISE_USER[0]).exists():
        return
    user = core_services.create_user(None, username=DEMO_ENTERPRISE_USER[0], password=DEMO_PASSWORD,
                                     unit=ctx.enterprises[0], display_name=DEMO_ENTERPRISE_USER[1])
    core_services.assign_role(None, user, RoleCode.UNIT_STAFF, ctx.enterprises[0])


def seed(ctx: DemoContext, workflow: int = WORKFLOW_DANGERS, ledger: int = LEDGER_DANGERS) -> None:
    if GridCell.objects.exists():
        return
    rng = random.Random(18218)
    today = timezone.localdate()
    now = timezone.now()
    ctx.progress("风险防控：网格…")
    with transaction.atomic():
        _enterprise_account(ctx)
        _seed_grid(ctx, rng)
    ctx.progress("风险防控：危险源与危险区域…")
    with transaction.atomic():
        made = _seed_sources(ctx, rng, today)
        _seed_areas(ctx, rng)
        grid.relocate()
        _seed_inspections(ctx, rng, today, made)
    ctx.progress("风险防控：隐患…")
    with transaction.atomic():
        _seed_ledger(ctx, rng, now, ledger)
        _seed_dangers(ctx, rng, now, workflow)
    dangers.escalate_overdue(now)
    ctx.progress(f"风险防控：{GridCell.objects.count()} 个网格，{HazardSource.objects.count()} 个危险源"
                 f"（重大 {HazardSource.objects.filter(is_major=True).count()}），{HazardArea.objects.count()} 个危险区域")
