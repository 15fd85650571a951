"""Fixtures: a small tree (city → district → two towns, a rescue org) with one user per role that matters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from yingji.core import services as core
from yingji.core.models import OrgUnit, OrgUnitKind, User
from yingji.core.roles import RoleCode
from yingji.resources import catalogue
from yingji.resources.models import MaterialItem, Warehouse

PASSWORD = "correct-horse-battery-9"


@dataclass
class World:
    city: OrgUnit
    district: OrgUnit
    town_a: OrgUnit
    town_b: OrgUnit
    rescue: OrgUnit
    staff_a: User
    staff_b: User
    duty: User
    viewer: User
    leader: User


def _user(name: str, unit: OrgUnit, role: str) -> User:
    user = core.create_user(None, username=name, password=PASSWORD, unit=unit, display_name=name)
    core.assign_role(None, user, role, unit)
    return User.objects.get(pk=user.pk)


def square(lng: float, lat: float, d: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d],
                                                [lng - d, lat + d], [lng - d, lat - d]]]}


@pytest.fixture
def world(db) -> World:
    from yingji.core import vocabulary

    vocabulary.seed_hazard_types()  # a transactional test before this one may have flushed the migrations' rows
    city = core.create_unit(None, parent=None, code="990100", name="示范市", kind=OrgUnitKind.CITY)
    district = core.create_unit(None, parent=city, code="990101", name="江北区", kind=OrgUnitKind.DISTRICT)
    town_a = core.create_unit(None, parent=district, code="990101001", name="长安镇", kind=OrgUnitKind.TOWN,
                              lat=23.10, lng=113.20, boundary=square(113.20, 23.10))
    town_b = core.create_unit(None, parent=district, code="990101002", name="青山街道", kind=OrgUnitKind.TOWN,
                              lat=23.10, lng=113.40, boundary=square(113.40, 23.10))
    rescue = core.create_unit(None, parent=city, code="12990100RS0000001", name="市蓝天救援队",
                              kind=OrgUnitKind.RESCUE_ORG)
    catalogue.seed_catalogue(city)
    return World(
        city, district, town_a, town_b, rescue,
        staff_a=_user("staff_a", town_a, RoleCode.UNIT_STAFF),
        staff_b=_user("staff_b", town_b, RoleCode.UNIT_STAFF),
        duty=_user("duty", city, RoleCode.DUTY_OFFICER),
        viewer=_user("viewer", city, RoleCode.VIEWER),
        leader=_user("leader", rescue, RoleCode.TEAM_LEADER),
    )


@pytest.fixture
def admin_a(world) -> User:
    """The unit administrator of town A: the only one below the city who may delete its resources."""
    return _user("admin_a", world.town_a, RoleCode.UNIT_ADMIN)


@pytest.fixture
def item(world) -> MaterialItem:
    return MaterialItem.objects.get(code="1020201")  # 瓶装饮用水


@pytest.fixture
def warehouse_a(world) -> Warehouse:
    from yingji.resources import services

    return services.create(world.staff_a, Warehouse, {
        "owner_unit": world.town_a, "code": "CK-A-01", "name": "长安镇应急物资储备库", "lat": 23.101, "lng": 113.201,
        "keeper": "张保管", "phone": "0999-1234567"})


TODAY = dt.date(2026, 11, 28)
