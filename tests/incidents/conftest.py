"""Fixtures: a small city with a command centre, three towns (with boundaries), a fire department and a rescue
organisation, each owning teams; a warehouse with stock; people at each unit; jobs inline."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from yingji.core import crud, jobs
from yingji.core import services as core
from yingji.core.models import OrgUnit, OrgUnitKind, User
from yingji.core.roles import RoleCode

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def immediate_jobs():
    with jobs.activate(jobs.build_huey(immediate=True)) as huey:
        yield huey


def square(lng: float, lat: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d],
                                                [lng - d, lat + d], [lng - d, lat - d]]]}


def user(name: str, unit: OrgUnit, role: str) -> User:
    u = core.create_user(None, username=name, password=PASSWORD, unit=unit, display_name=name)
    core.assign_role(None, u, role, unit)
    return User.objects.get(pk=u.pk)


@dataclass
class City:
    city: OrgUnit
    district: OrgUnit
    town_a: OrgUnit
    town_b: OrgUnit
    town_c: OrgUnit
    fire: OrgUnit
    rescue: OrgUnit
    duty: User
    commander: User
    staff_a: User
    staff_b: User
    staff_c: User
    fire_staff: User
    leader: User
    teams: dict
    batch: object


def team(unit, code, name, lng, lat, caps, specialty="flood"):
    from yingji.resources.models import Team

    return crud.create(None, Team(owner_unit=unit, code=code, name=name, kind="professional", specialty=specialty,
                                  headcount=20, capabilities=caps, lng=lng, lat=lat, duty_phone="0999-119"))


@pytest.fixture
def city(db) -> City:
    from yingji.core import vocabulary
    from yingji.incidents import grading, reporting
    from yingji.resources import catalogue
    from yingji.resources import services as resources
    from yingji.resources.models import MaterialItem, Warehouse
    from yingji.supervision.services import ensure_result_codes

    vocabulary.seed_hazard_types()
    ensure_result_codes()
    c = core.create_unit(None, parent=None, code="990100", name="示范市", kind=OrgUnitKind.CITY, lat=23.10, lng=113.30)
    d = core.create_unit(None, parent=c, code="990101", name="江北区", kind=OrgUnitKind.DISTRICT)
    a = core.create_unit(None, parent=d, code="990101001", name="长安镇", kind=OrgUnitKind.TOWN, lat=23.10,
                         lng=113.20, boundary=square(113.20, 23.10))
    b = core.create_unit(None, parent=d, code="990101002", name="青山街道", kind=OrgUnitKind.TOWN, lat=23.10,
                         lng=113.30, boundary=square(113.30, 23.10))
    cc = core.create_unit(None, parent=d, code="990101003", name="白沙镇", kind=OrgUnitKind.TOWN, lat=23.10,
                          lng=113.40, boundary=square(113.40, 23.10))
    fire = core.create_unit(None, parent=c, code="11990100MB0000002", name="消防救援支队", kind=OrgUnitKind.DEPARTMENT)
    rescue = core.create_unit(None, parent=c, code="12990100RS0000001", name="市蓝天救援队",
                              kind=OrgUnitKind.RESCUE_ORG)
    catalogue.seed_catalogue(c)
    grading.ensure_default_rules()
    reporting.ensure_default_rules()
    teams = {
        "a": team(a, "T-A", "长安镇防汛抢险队", 113.21, 23.11, {"pumping": "2000", "water_rescue": "10"}),
        "b": team(b, "T-B", "青山街道防汛抢险队", 113.31, 23.09, {"pumping": "1500", "water_rescue": "8"}),
        "c": team(cc, "T-C", "白沙镇防汛抢险队", 113.39, 23.10, {"pumping": "1000"}),
        "fire": team(fire, "T-F", "特勤消防站", 113.28, 23.12, {"firefighting": "40", "hazchem": None}, "fire"),
        "blue": team(rescue, "T-R", "蓝天救援分队", 113.25, 23.08, {"water_rescue": "15"}, "water"),
    }
    staff_a = user("staff_a", a, RoleCode.UNIT_STAFF)
    wh = crud.create(None, Warehouse(owner_unit=a, code="CK-A-01", name="长安镇应急物资储备库", lat=23.101,
                                     lng=113.201))
    batch = resources.receive(None, wh, MaterialItem.objects.get(code="1020201"), Decimal("500"))
    batch = getattr(batch, "batch", batch)
    return City(c, d, a, b, cc, fire, rescue,
                duty=user("duty", c, RoleCode.DUTY_OFFICER), commander=user("commander", c, RoleCode.COMMANDER),
                staff_a=staff_a, staff_b=user("staff_b", b, RoleCode.UNIT_STAFF),
                staff_c=user("staff_c", cc, RoleCode.UNIT_STAFF), fire_staff=user("fire_staff", fire, RoleCode.UNIT_STAFF),
                leader=user("leader", rescue, RoleCode.TEAM_LEADER), teams=teams, batch=batch)


def ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def error(r, status: int, code: str | None = None):
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["message"]
    if code:
        assert body["code"] == code, body
    return body


def post(c, url, data=None):
    return c.post(url, data or {}, content_type="application/json")
