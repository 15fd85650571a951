"""The demonstration city 示范市: a deterministic synthetic organisation tree, with one user per role.

Running it twice changes nothing. Other apps add their own demo data by providing `<app>.demo.seed(ctx)`;
they are called in INSTALLED_APPS order after the core tree exists.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from yingji.core import audit, services
from yingji.core.models import OrgUnit, OrgUnitKind, RoleAssignment, User
from yingji.core.modules import modules
from yingji.core.roles import RoleCode

__all__ = ["CITY", "DEMO_PASSWORD", "DemoContext", "DemoReport", "ensure_root", "seed_demo"]

DEMO_PASSWORD = "yingji-demo-2026"
CITY = {"code": "990100", "name": "示范市"}
# Extent of the synthetic city, degrees: about 40 km east–west by 30 km north–south around (113.30, 23.10).
WEST, EAST, SOUTH, NORTH = 113.104, 113.496, 22.965, 23.235
DISTRICT_COLS, DISTRICT_ROWS, TOWN_COLS, TOWN_ROWS = 3, 2, 5, 2

DISTRICTS = ["江北区", "城中区", "东湖区", "江南区", "西山区", "新港区"]
TOWN_STEMS = ["长安", "青山", "白沙", "石桥", "柳溪", "金田", "凤凰", "龙泉", "松岗", "桂园", "荷塘", "梅林",
              "银湖", "玉泉", "双江", "太平", "永宁", "兴华", "丰乐", "和平", "清水", "黄岗", "新塘", "大浪",
              "南岭", "北窖", "东坑", "西坝", "红星", "沙河", "竹园", "三元", "福田", "瑞丰", "嘉禾", "临江",
              "望海", "云台", "翠屏", "上林", "下洲", "平山", "盘龙", "虎门", "鹤洲", "燕岭", "雁塔", "枫桥",
              "桃源", "杏坛", "榕树", "樟木", "松柏", "棠下", "莲塘", "芦苇", "蓬江", "兰溪", "菊城", "茶山"]
DEPARTMENTS = ["应急管理局", "消防救援支队", "公安局", "卫生健康委员会", "水务局", "气象局", "交通运输局",
               "自然资源局", "住房和城乡建设局", "生态环境局", "教育局", "民政局", "工业和信息化局",
               "市场监督管理局", "通信管理办公室"]
RESCUE_ORGS = ["市消防救援特勤站", "市危化品应急救援队", "市蓝天救援队", "市水上搜救队"]
SOCIAL_ORGS = ["市红十字会", "市志愿者联合会"]
INDUSTRIES = ["化工", "燃气", "物流", "制药", "电子", "食品", "建材", "冶金", "仓储", "石油", "印染", "造纸"]

DEMO_USERS = [
    ("admin", RoleCode.SYSTEM_ADMIN, "city", "系统管理员"),
    ("commander", RoleCode.COMMANDER, "city", "张指挥"),
    ("duty", RoleCode.DUTY_OFFICER, "city", "李值班"),
    ("unitadmin", RoleCode.UNIT_ADMIN, "district", "王区管"),
    ("staff", RoleCode.UNIT_STAFF, "town", "赵镇员"),
    ("teamleader", RoleCode.TEAM_LEADER, "rescue_org", "陈队长"),
    ("grid", RoleCode.GRID_OFFICER, "community", "刘网格"),
    ("expert", RoleCode.EXPERT, "city", "周专家"),
    ("viewer", RoleCode.VIEWER, "city", "吴观察"),
]


@dataclass
class DemoContext:
    """What later apps' demo seeders get: the tree and a seeded random generator."""

    city: OrgUnit
    districts: list[OrgUnit]
    towns: list[OrgUnit]
    communities: list[OrgUnit]
    departments: list[OrgUnit]
    enterprises: list[OrgUnit]
    rescue_orgs: list[OrgUnit]
    rng: random.Random
    progress: Callable[[str], None]


@dataclass
class DemoReport:
    password: str
    accounts: list[tuple[str, str, str]] = field(default_factory=list)


def ensure_root() -> OrgUnit:
    root = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return root or services.create_unit(None, parent=None, kind=OrgUnitKind.CITY, lat=23.10, lng=113.30, **CITY)


def _vertex_grid(rng: random.Random) -> list[list[tuple[float, float]]]:
    """Town-grid corners with interior ones jittered, so neighbouring polygons share exact edges."""
    cols, rows = DISTRICT_COLS * TOWN_COLS, DISTRICT_ROWS * TOWN_ROWS
    dx, dy = (EAST - WEST) / cols, (NORTH - SOUTH) / rows
    grid = []
    for i in range(cols + 1):
        column = []
        for j in range(rows + 1):
            x, y = WEST + i * dx, SOUTH + j * dy
            if 0 < i < cols and 0 < j < rows:
                x += rng.uniform(-0.3, 0.3) * dx
                y += rng.uniform(-0.3, 0.3) * dy
            column.append((round(x, 6), round(y, 6)))
        grid.append(column)
    return grid


def _ring(grid, i0: int, j0: int, i1: int, j1: int) -> list[list[float]]:
    """The closed ring around grid cells [i0, i1) × [j0, j1), counter-clockwise, through every vertex."""
    pts = [grid[i][j0] for i in range(i0, i1 + 1)]
    pts += [grid[i1][j] for j in range(j0 + 1, j1 + 1)]
    pts += [grid[i][j1] for i in range(i1 - 1, i0 - 1, -1)]
    pts += [grid[i0][j] for j in range(j1 - 1, j0 - 1, -1)]
    return [list(p) for p in pts]


def _polygon(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def _centroid(ring) -> tuple[float, float]:
    pts = ring[:-1]
    return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)


class _Tree:
    """Get-or-create by code, so a second run finds everything and creates nothing."""

    def __init__(self):
        self.by_code = {u.code: u for u in OrgUnit.objects.all()}

    def unit(self, parent: OrgUnit, code: str, name: str, kind: str, **extra) -> OrgUnit:
        found = self.by_code.get(code)
        if found is None:
            found = services.create_unit(None, parent=parent, code=code, name=name, kind=kind, **extra)
            self.by_code[code] = found
        return found


def _seed_tree(rng: random.Random, progress) -> DemoContext:
    tree = _Tree()
    city = ensure_root()
    grid = _vertex_grid(rng)
    districts, towns, communities, enterprises = [], [], [], []
    stems = iter(TOWN_STEMS)
    for d in range(DISTRICT_COLS * DISTRICT_ROWS):
        di, dj = d % DISTRICT_COLS, d // DISTRICT_COLS
        i0, j0 = di * TOWN_COLS, dj * TOWN_ROWS
        ring = _ring(grid, i0, j0, i0 + TOWN_COLS, j0 + TOWN_ROWS)
        lng, lat = _centroid(ring)
        district = tree.unit(city, f"9901{d + 1:02d}", DISTRICTS[d], OrgUnitKind.DISTRICT,
                             boundary=_polygon(ring), lng=lng, lat=lat, contact_phone=f"0999-81{d + 1:02d}0000")
        districts.append(district)
        for t in range(TOWN_COLS * TOWN_ROWS):
            ti, tj = i0 + t % TOWN_COLS, j0 + t // TOWN_COLS
            ring = _ring(grid, ti, tj, ti + 1, tj + 1)
            lng, lat = _centroid(ring)
            stem = next(stems)
            kind_word = "街道" if t % 3 else "镇"
            town = tree.unit(district, f"{district.code}{t + 1:03d}", f"{stem}{kind_word}", OrgUnitKind.TOWN,
                             boundary=_polygon(ring), lng=lng, lat=lat)
            towns.append(town)
            xs = [p[0] for p in ring]
            ys = [p[1] for p in ring]
            for c in range(5):
                c_lng = rng.uniform(min(xs), max(xs)) * 0.6 + lng * 0.4
                c_lat = rng.uniform(min(ys), max(ys)) * 0.6 + lat * 0.4
                word = "社区" if kind_word == "街道" else "村"
                communities.append(tree.unit(town, f"{town.code}{c + 1:03d}", f"{stem}{'东西南北中'[c]}{word}",
                                             OrgUnitKind.COMMUNITY, lng=round(c_lng, 6), lat=round(c_lat, 6)))
            for _ in range(5):
                n = len(enterprises) + 1
                industry = INDUSTRIES[(n * 7) % len(INDUSTRIES)]
                e_lng = rng.uniform(min(xs), max(xs)) * 0.7 + lng * 0.3
                e_lat = rng.uniform(min(ys), max(ys)) * 0.7 + lat * 0.3
                enterprises.append(tree.unit(
                    town, f"91990100{n:09d}X", f"示范{stem}{industry}有限公司", OrgUnitKind.ENTERPRISE,
                    lng=round(e_lng, 6), lat=round(e_lat, 6), address=f"示范市{district.name}{town.name}",
                    contact_name="安全负责人", contact_phone=f"139{n:08d}"))
        progress(f"{district.name}: {TOWN_COLS * TOWN_ROWS} 个镇街")
    departments = [
        tree.unit(city, f"11990100MB{k + 1:07d}", f"示范市{name}", OrgUnitKind.DEPARTMENT,
                  lng=113.30 + 0.004 * (k % 5), lat=23.10 + 0.003 * (k // 5))
        for k, name in enumerate(DEPARTMENTS)
    ]
    rescue = [
        tree.unit(city, f"12990100RS{k + 1:07d}", name, OrgUnitKind.RESCUE_ORG,
                  lng=round(rng.uniform(WEST + 0.05, EAST - 0.05), 6), lat=round(rng.uniform(SOUTH + 0.03, NORTH - 0.03), 6))
        for k, name in enumerate(RESCUE_ORGS)
    ]
    for k, name in enumerate(SOCIAL_ORGS):
        tree.unit(city, f"51990100SO{k + 1:07d}", name, OrgUnitKind.SOCIAL_ORG, lng=113.31, lat=23.11 + 0.002 * k)
    progress(f"{len(departments)} 个部门，{len(enterprises)} 家企业，{len(communities)} 个社区/村")
    return DemoContext(city, districts, towns, communities, departments, enterprises, rescue, rng, progress)


def _seed_users(ctx: DemoContext) -> list[tuple[str, str, str]]:
    where = {"city": ctx.city, "district": ctx.districts[0], "town": ctx.towns[0],
             "rescue_org": ctx.rescue_orgs[0], "community": ctx.communities[0]}
    accounts = []
    for username, role, scope, name in DEMO_USERS:
        unit = where[scope]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.create_user(None, username=username, password=DEMO_PASSWORD, unit=unit,
                                        display_name=name)
        if not RoleAssignment.objects.filter(user=user, role=role, unit=unit).exists():
            services.assign_role(None, user, role, unit)
        accounts.append((username, str(RoleCode(role).label), unit.name))
    return accounts


def seed_demo(seed: int = 20221, progress: Callable[[str], None] = lambda m: None) -> DemoReport:
    rng = random.Random(seed)
    from yingji.core import vocabulary

    vocabulary.seed_hazard_types()  # migrations seed it; a flushed database (tests) must get it back too
    with transaction.atomic():
        ctx = _seed_tree(rng, progress)
        accounts = _seed_users(ctx)
    # Seeded in dependency order (a module's demo uses the data of those before it), not menu order.
    for config in sorted(modules(), key=lambda c: c.demo_order if c.demo_order is not None else c.nav_order):
        with transaction.atomic():
            config.seed_demo(ctx)
    audit.seal()
    return DemoReport(DEMO_PASSWORD, accounts)
