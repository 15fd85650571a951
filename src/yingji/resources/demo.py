"""Demo data for 示范市: warehouses and stock, teams with members, equipment, experts, shelters and facilities.

Deterministic and idempotent (everything is keyed by a code; a second run creates nothing). Some gaps are left
on purpose — stock below minimum, batches expiring or expired, overdue inspections, teams not ready — so the
readiness dashboard has something real to show.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone
from shapely.geometry import Point, shape

from yingji.core import crud
from yingji.core.demo import EAST, NORTH, SOUTH, WEST, DemoContext
from yingji.core.models import OrgUnit, OrgUnitKind
from yingji.resources.catalogue import seed_catalogue
from yingji.resources.models import (
    Equipment,
    Expert,
    Facility,
    MaterialItem,
    MovementKind,
    Shelter,
    StockBatch,
    StockMovement,
    Team,
    TeamMember,
    Warehouse,
)
from yingji.resources.models.base import prepare

__all__ = ["seed"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏辉林峰"

EQUIPMENT_TYPES = [  # (type, name, capabilities, inspection interval days)
    ("舟艇", "冲锋舟", {"water_rescue": "8"}, 90), ("舟艇", "橡皮艇", {"water_rescue": "6"}, 90),
    ("排水机械", "移动泵车", {"pumping": "1000"}, 60), ("排水机械", "龙吸水排涝车", {"pumping": "3000"}, 60),
    ("排水机械", "潜水泵", {"pumping": "200"}, 90), ("破拆工具", "液压破拆工具组", {"breaching": None}, 180),
    ("生命探测", "雷达生命探测仪", {"collapse_search": None, "search": None}, 180),
    ("侦检", "有毒气体检测仪", {"detection": None, "hazchem": None}, 90),
    ("防护", "正压式空气呼吸器", {"hazchem": None}, 30), ("动力", "柴油发电机组", {"power_supply": "200"}, 90),
    ("照明", "移动照明灯塔", {"lighting": "4"}, 120), ("通信", "便携式卫星站", {"satellite_comms": "2"}, 90),
    ("通信", "应急通信车", {"comms": None, "satellite_comms": "4"}, 60),
    ("无人机", "侦察无人机", {"drone_recon": "1"}, 60), ("工程机械", "挖掘机", {"earthwork": "120"}, 180),
    ("起重", "汽车起重机 25t", {"lifting": "25"}, 180), ("消防车辆", "水罐消防车", {"firefighting": "40"}, 30),
    ("消防车辆", "泡沫消防车", {"firefighting": "40", "hazchem": None}, 30),
    ("医疗", "自动体外除颤器", {"medical": None}, 90), ("医疗", "负压救护车", {"medical": None,
                                                                     "patient_transport": "2"}, 60),
]

TEAM_SPECS = [  # (specialty, kind, name stem, capabilities, hazard type codes)
    ("fire", "professional", "消防救援站", {"firefighting": "40", "breaching": None, "high_angle": None},
     ["wsa10009", "public_facility"]),
    ("hazchem", "professional", "危化品应急救援队", {"hazchem": None, "leak_plugging": None,
                                                  "decontamination": "200"}, ["production_safety", "environmental"]),
    ("medical", "professional", "紧急医学救援队", {"medical": "20", "patient_transport": "10"}, ["public_health"]),
    ("flood", "professional", "防汛抢险队", {"pumping": "2000", "earthwork": "100", "water_rescue": "10"},
     ["flood", "typhoon"]),
    ("power", "enterprise", "电力抢修队", {"power_repair": None, "power_supply": "500"}, ["typhoon", "road_icing"]),
    ("comms", "enterprise", "通信保障队", {"comms": None, "satellite_comms": "2"}, ["typhoon", "earthquake"]),
    ("water", "social", "水上救援队", {"water_rescue": "15", "swift_water": None}, ["flood"]),
    ("search", "social", "蓝天救援分队", {"search": "20", "collapse_search": None, "search_dog": "2"},
     ["earthquake", "landslide"]),
    ("general", "volunteer", "应急志愿服务队", {"shelter_setup": "50", "food_supply": "500"}, ["flood", "typhoon"]),
    ("general", "militia", "民兵应急排", {"earthwork": "50", "search": "30"}, ["flood", "forest_fire"]),
    ("mine", "enterprise", "矿山救护队", {"mine_rescue": "15"}, ["production_safety"]),
    ("forest_fire", "professional", "森林消防中队", {"forest_fire": "30"}, ["forest_fire"]),
]

EXPERT_CATEGORIES = [("危险化学品", ["production_safety", "environmental"]), ("防汛抗旱", ["flood", "drought"]), ("地质灾害", ["landslide", "earthquake"]),
                     ("消防", ["wsa10009"]), ("医疗卫生", ["public_health"]), ("建筑结构", ["public_facility", "earthquake"]),
                     ("气象", ["typhoon", "rainstorm"]), ("电力", ["public_facility"]), ("交通运输", ["transport"]),
                     ("特种设备", ["wsa10014"])]
TITLES = ["高级工程师", "教授级高级工程师", "主任医师", "副教授", "教授", "工程师", "副主任医师"]
SHELTER_FACILITIES = ["应急供水", "应急供电", "应急厕所", "医疗救护点", "物资储备", "应急广播", "消防设施", "标识系统"]


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


class _Places:
    """Random points inside a unit's area (town polygons) or near its own point."""

    def __init__(self, rng: random.Random, towns: list[OrgUnit]):
        self.rng = rng
        self.towns = [(t, shape(t.boundary)) for t in towns if t.boundary]
        self.by_path = {t.path: poly for t, poly in self.towns}

    def in_town(self, poly) -> tuple[float, float]:
        w, s, e, n = poly.bounds
        for _ in range(50):
            lng, lat = self.rng.uniform(w, e), self.rng.uniform(s, n)
            if poly.contains(Point(lng, lat)):
                return round(lng, 6), round(lat, 6)
        c = poly.representative_point()
        return round(c.x, 6), round(c.y, 6)

    def for_unit(self, unit: OrgUnit) -> tuple[float, float]:
        for path, poly in self.by_path.items():
            if unit.path.startswith(path):
                return self.in_town(poly)
        if unit.lat is not None and unit.lng is not None:
            return (round(unit.lng + self.rng.uniform(-0.01, 0.01), 6),
                    round(unit.lat + self.rng.uniform(-0.01, 0.01), 6))
        return self.anywhere()

    def anywhere(self) -> tuple[float, float]:
        return self.in_town(self.rng.choice(self.towns)[1]) if self.towns else (
            round(self.rng.uniform(WEST, EAST), 6), round(self.rng.uniform(SOUTH, NORTH), 6))


def _in_city(name: str) -> str:
    """An address in the demo city: 示范市长安镇, and 示范市应急管理局 (not 示范市示范市应急管理局)."""
    return name if name.startswith("示范市") else f"示范市{name}"


def _unique(name: str, seen: dict[str, int]) -> str:
    """The second team a unit keeps under one stem is its 第2分队, so no two teams share a name."""
    seen[name] = seen.get(name, 0) + 1
    return name if seen[name] == 1 else f"{name}第{seen[name]}分队"


def _missing(model, objs: list, key=lambda o: o.code) -> list:
    """Only the objects whose key is not there yet (idempotence)."""
    have = set(model.objects.values_list("code", flat=True)) if hasattr(model, "code") else set()
    return [o for o in objs if key(o) not in have]


def _create(model, objs: list) -> int:
    prepare(objs)
    crud.bulk_create(None, objs, batch_size=500)
    return len(objs)


def seed(ctx: DemoContext) -> None:
    rng = random.Random(38565)
    today = timezone.localdate()
    places = _Places(rng, ctx.towns)
    caps, items = seed_catalogue(ctx.city)
    socials = list(OrgUnit.objects.filter(kind=OrgUnitKind.SOCIAL_ORG).order_by("path"))
    fire = next((d for d in ctx.departments if "消防" in d.name), ctx.departments[0])
    bureau = ctx.departments[0]

    # Warehouses: 2 city-level, one per district, one per town (60 towns → every second), some enterprises.
    owners = [(bureau, "city"), (bureau, "city")] + [(d, "district") for d in ctx.districts]
    owners += [(t, "town") for t in ctx.towns[::2]] + [(e, "enterprise") for e in ctx.enterprises[::60]]
    warehouses = []
    for k, (unit, level) in enumerate(owners[:42], start=1):
        lng, lat = places.for_unit(unit)
        warehouses.append(Warehouse(
            owner_unit=unit, code=f"CK-{k:03d}", name=f"{unit.name.removeprefix('示范市')}应急物资储备库"
            + (f"（{k}）" if level == "city" else ""), level=level, lng=lng, lat=lat,
            address=_in_city(unit.name), capacity_m3=Decimal(rng.choice((800, 1500, 3000, 6000))),
            area_m2=Decimal(rng.choice((300, 600, 1200, 2500))), keeper=_name(rng), phone=f"0999-8{k:06d}"))
    _create(Warehouse, _missing(Warehouse, warehouses))
    warehouses = list(Warehouse.objects.filter(code__startswith="CK-").select_related("owner_unit").order_by("code"))

    # Stock: ~50 lines per warehouse over the catalogue; a few below minimum, some expiring soon or expired.
    leaf = list(MaterialItem.objects.filter(level=4).order_by("code"))
    have = set(StockBatch.objects.values_list("warehouse_id", "item_id", "batch_no"))
    batches = []
    for w in warehouses:
        wr = random.Random(w.code)  # per warehouse, so a rerun draws the same lines
        for item in wr.sample(leaf, min(len(leaf), 48)):
            batch_no = f"{today.year - wr.randint(0, 2)}{wr.randint(1, 12):02d}-{w.code[-3:]}"
            produced = today - dt.timedelta(days=wr.randint(30, 700))
            expiry = None
            if item.shelf_life_days:
                expiry = produced + dt.timedelta(days=item.shelf_life_days)
                roll = wr.random()
                if roll < 0.04:
                    expiry = today + dt.timedelta(days=wr.randint(1, 30))
                elif roll < 0.08:
                    expiry = today + dt.timedelta(days=wr.randint(31, 90))
                elif roll < 0.10:
                    expiry = today - dt.timedelta(days=wr.randint(1, 60))
                if expiry < produced:
                    produced = expiry - dt.timedelta(days=item.shelf_life_days)
            minimum = Decimal(wr.choice((0, 10, 20, 50, 100)))
            qty = Decimal(wr.randint(0, 600))
            if minimum and wr.random() < 0.06:
                qty = (minimum * Decimal(wr.randint(0, 9)) / 10).quantize(Decimal(1))
            elif qty < minimum:
                qty = minimum * 2
            if (w.pk, item.pk, batch_no) in have:  # checked after drawing, so the draws stay in step
                continue
            batches.append(StockBatch(owner_unit=w.owner_unit, warehouse=w, item=item, batch_no=batch_no,
                                      quantity=qty, min_quantity=minimum, production_date=produced,
                                      expiry_date=expiry))
    created = crud.bulk_create(None, batches, batch_size=500)
    crud.bulk_create(None, [StockMovement(owner_unit=b.owner_unit, batch=b, kind=MovementKind.IN, delta=b.quantity,
                                          balance=b.quantity, note="示范数据初始入库", actor_name="system")
                            for b in created if b.quantity > 0], batch_size=500)

    # Teams: fire stations and hazchem teams at the fire department, rescue orgs; town, enterprise, social teams.
    team_owners = ([fire] * 12 + ctx.rescue_orgs * 6 + ctx.towns + ctx.enterprises[::8] + socials * 10
                   + ctx.departments[3:7] * 3)
    teams, seen_names = [], {}
    for k, unit in enumerate(team_owners[:150], start=1):
        specialty, kind, stem, caps_, hazards = TEAM_SPECS[k % len(TEAM_SPECS)]
        lng, lat = places.for_unit(unit)
        name = _unique(f"{unit.name.removeprefix('示范市')}{stem}", seen_names)
        if unit == fire:  # the fire department's stations, each named after the town it stands in
            specialty, kind, stem, caps_, hazards = TEAM_SPECS[0]
            town = ctx.towns[(k * 5) % len(ctx.towns)]
            lng, lat = places.for_unit(town)
            name = _unique(f"{town.name}{stem}", seen_names)
        readiness = "not_ready" if k % 23 == 0 else ("standby" if k % 7 == 0 else "ready")
        teams.append(Team(
            owner_unit=unit, code=f"DW-{k:03d}", name=name,
            kind=kind, specialty=specialty, level=rng.choice(("city", "county", "grassroots")),
            full_time=kind in ("professional", "enterprise"), headcount=rng.randint(8, 60), capabilities=dict(caps_),
            hazard_types=hazards, service_area="全市" if unit.kind != OrgUnitKind.TOWN else unit.name, lng=lng,
            lat=lat, readiness=readiness, assemble_minutes=rng.choice((5, 10, 15, 30, 60)),
            assembly_point=f"{unit.name}集结点", principal=_name(rng), duty_phone=f"0999-6{k:06d}",
            qualifications="应急救援队伍能力评估合格" if kind == "professional" else ""))
    new_teams = _create(Team, _missing(Team, teams))
    all_teams = list(Team.objects.filter(code__startswith="DW-").select_related("owner_unit").order_by("code"))
    if new_teams:
        members = []
        for t in all_teams:
            if t.members.exists():
                continue
            tr = random.Random(t.code)
            for m in range(t.headcount):  # the roster has as many people as the team's headcount
                members.append(TeamMember(owner_unit=t.owner_unit, team=t, name=_name(tr),
                                          role="队长" if m == 0 else ("副队长" if m == 1 else "队员"),
                                          squad=f"第{m % 3 + 1}分队", phone=f"13{tr.randint(100000000, 999999999)}",
                                          is_core=m < 3))
        crud.bulk_create(None, members, batch_size=500)

    # Equipment: 1,500 items, most attached to a team; ~5 % overdue for inspection, a few in maintenance.
    equipment = []
    for k in range(1, 1501):
        team = all_teams[k % len(all_teams)] if k % 5 else None
        unit = team.owner_unit if team else rng.choice(ctx.towns + ctx.departments)
        etype, name, caps_, interval = EQUIPMENT_TYPES[k % len(EQUIPMENT_TYPES)]
        lng, lat = (team.lng, team.lat) if team else places.for_unit(unit)
        last = today - dt.timedelta(days=rng.randint(0, interval - 1))
        if k % 19 == 0:
            last = today - dt.timedelta(days=interval + rng.randint(1, 90))
        status = "maintenance" if k % 41 == 0 else "available"
        equipment.append(Equipment(owner_unit=unit, code=f"ZB-{k:05d}", name=name, equipment_type=etype,
                                   model_no=f"{etype[:1]}-{rng.randint(100, 999)}", status=status, team=team,
                                   capabilities=dict(caps_), lng=lng, lat=lat, inspection_interval_days=interval,
                                   last_inspected_on=last))
    _create(Equipment, _missing(Equipment, equipment))

    # Experts (200): no code of their own, so they are keyed by name + phone.
    if not Expert.objects.filter(phone__startswith="0999-5").exists():
        experts = []
        for k in range(1, 201):
            category, hazards = EXPERT_CATEGORIES[k % len(EXPERT_CATEGORIES)]
            unit = rng.choice([bureau] + ctx.departments + ctx.districts)
            lng, lat = places.anywhere()
            experts.append(Expert(owner_unit=unit, name=_name(rng), category=category, hazard_types=hazards,
                                  specialties=f"{category}应急处置", title=rng.choice(TITLES),
                                  level=rng.choice(("provincial", "city", "city", "county")),
                                  employer=rng.choice(("示范大学", "示范市第一人民医院", "示范市建筑设计院", "省应急管理研究院",
                                                       "示范化工集团", "示范市气象台")),
                                  experience_years=rng.randint(5, 35), phone=f"0999-5{k:06d}",
                                  available=k % 13 != 0, lng=lng, lat=lat))
        _create(Expert, experts)

    # Shelters (120), graded after GB/T 35624-2017: a few Ⅰ类 parks, Ⅱ类 schools and squares, many Ⅲ类.
    shelters = []
    for k in range(1, 121):
        town = ctx.towns[k % len(ctx.towns)]
        lng, lat = places.for_unit(town)
        grade = "I" if k % 20 == 0 else ("II" if k % 4 == 0 else "III")
        capacity = {"I": 20000, "II": 5000, "III": 800}[grade] + rng.randint(0, 500)
        d = 0.0015 if grade == "III" else 0.004
        ring = [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d], [lng - d, lat - d]]
        shelters.append(Shelter(
            owner_unit=town, code=f"BN-{k:03d}", name=f"{town.name}{('中心公园', '中学', '文化广场', '体育馆')[k % 4]}避难场所",
            grade=grade, shelter_type="indoor" if k % 4 == 3 else "outdoor", capacity=capacity,
            occupancy=0, area_m2=Decimal(capacity * 2), facilities=rng.sample(SHELTER_FACILITIES, 4),
            seismic_rating="8度" if grade != "III" else "7度", lng=lng, lat=lat,
            boundary={"type": "Polygon", "coordinates": [ring]}, is_open=k % 30 == 0, manager=_name(rng),
            phone=f"0999-7{k:06d}"))
    _create(Shelter, _missing(Shelter, shelters))

    # Hospitals, transport, communications, production capacity and protection targets.
    facilities = []
    specs = ([("hospital", "人民医院", {"medical": None})] * 12 + [("transport_company", "运输有限公司",
                                                                     {"transport": "200"})] * 8
             + [("vehicle", "应急运输车", {"transport": "10"})] * 40 + [("comms_unit", "通信保障中心", {"comms": None})] * 5
             + [("production", "应急物资生产企业", {})] * 10 + [("protection_target", "", {})] * 85)
    subkinds = ["学校", "养老院", "人员密集场所", "关键基础设施", "医院", "幼儿园"]
    for k, (kind, stem, caps_) in enumerate(specs, start=1):
        town = ctx.towns[(k * 7) % len(ctx.towns)]
        lng, lat = places.for_unit(town)
        sub = subkinds[k % len(subkinds)] if kind == "protection_target" else ""
        name = f"{town.name}{sub or stem}{k}" if kind != "vehicle" else f"应急运输车 粤X{k:05d}"
        attrs = {"plate": f"粤X{k:05d}"} if kind == "vehicle" else {}
        facilities.append(Facility(
            owner_unit=town if kind in ("protection_target", "vehicle") else ctx.departments[(k % 6) + 1],
            code=f"SS-{k:04d}", name=name, kind=kind, subkind=sub, capabilities=dict(caps_), lng=lng, lat=lat,
            beds=rng.randint(100, 1500) if kind == "hospital" else None,
            doctors=rng.randint(50, 600) if kind == "hospital" else None,
            nurses=rng.randint(80, 900) if kind == "hospital" else None,
            ambulances=rng.randint(2, 20) if kind == "hospital" else None,
            vehicles=rng.randint(10, 120) if kind == "transport_company" else (1 if kind == "vehicle" else None),
            people=rng.randint(200, 5000) if kind == "protection_target" else None,
            capacity_note="日产帐篷 500 顶" if kind == "production" else "", attributes=attrs,
            contact=_name(rng), phone=f"0999-4{k:06d}"))
    _create(Facility, _missing(Facility, facilities))
    ctx.progress(f"应急资源：{len(warehouses)} 个储备库，{StockBatch.objects.count()} 条库存，{len(all_teams)} 支队伍，"
                 f"{Equipment.objects.count()} 件装备，{Expert.objects.count()} 名专家，{Shelter.objects.count()} 处避难场所"
                 + (f"（新增能力 {caps} 项、目录 {items} 条）" if caps or items else ""))
