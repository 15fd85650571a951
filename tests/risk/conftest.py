"""Fixtures: a town with a boundary, a community with its own boundary and one without (a point, like the demo
city's), two enterprises, and the people of each — town staff (the supervisor), a grid officer, enterprise staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from yingji.core import jobs
from yingji.core.roles import RoleCode


@pytest.fixture(autouse=True)
def immediate_jobs():
    with jobs.activate(jobs.build_huey(immediate=True)) as huey:
        yield huey


def box(w, s, e, n) -> dict:
    return {"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, n], [w, s]]]}


@dataclass
class World:
    city: object
    district: object
    town: object
    c1: object        # community with a boundary: the west half of the town
    c2: object        # community without one (a point in the east half)
    e1: object
    e2: object
    staff: object     # town staff: supervises hidden dangers
    grid: object      # grid officer of c1
    ent1: object      # staff of enterprise e1
    ent2: object      # staff of enterprise e2
    commander: object


@pytest.fixture
def world(db, make_user) -> World:
    from yingji.core import services, vocabulary
    from yingji.core.models import OrgUnitKind as K
    from yingji.supervision.services import ensure_result_codes

    vocabulary.seed_hazard_types()
    ensure_result_codes()
    city = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY)
    district = services.create_unit(None, parent=city, code="990101", name="江北区", kind=K.DISTRICT,
                                    boundary=box(113.2, 23.0, 113.4, 23.2), lng=113.3, lat=23.1)
    town = services.create_unit(None, parent=district, code="990101001", name="长安街道", kind=K.TOWN,
                                boundary=box(113.30, 23.10, 113.32, 23.12), lng=113.31, lat=23.11)
    c1 = services.create_unit(None, parent=town, code="990101001001", name="长安东社区", kind=K.COMMUNITY,
                              boundary=box(113.30, 23.10, 113.31, 23.12), lng=113.305, lat=23.11)
    c2 = services.create_unit(None, parent=town, code="990101001002", name="长安西社区", kind=K.COMMUNITY,
                              lng=113.315, lat=23.11)
    e1 = services.create_unit(None, parent=town, code="91990100000000001X", name="示范化工有限公司",
                              kind=K.ENTERPRISE, lng=113.305, lat=23.105)
    e2 = services.create_unit(None, parent=town, code="91990100000000002X", name="示范燃气有限公司",
                              kind=K.ENTERPRISE, lng=113.315, lat=23.115)
    return World(city, district, town, c1, c2, e1, e2,
                 staff=make_user(RoleCode.UNIT_STAFF, town, "townstaff"),
                 grid=make_user(RoleCode.GRID_OFFICER, c1, "gridofficer"),
                 ent1=make_user(RoleCode.UNIT_STAFF, e1, "ent1"),
                 ent2=make_user(RoleCode.UNIT_STAFF, e2, "ent2"),
                 commander=make_user(RoleCode.COMMANDER, city, "boss"))


@pytest.fixture
def cells(world):
    """Two cells in c1 (north and south halves) and one in c2, imported from GeoJSON."""
    from yingji.risk.services import grid

    grid.import_cells(None, {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": box(113.30, 23.10, 113.31, 23.11),
         "properties": {"code": "WG-001", "name": "东一网格", "community": world.c1.code, "officers": ["gridofficer"]}},
        {"type": "Feature", "geometry": box(113.30, 23.11, 113.31, 23.12),
         "properties": {"code": "WG-002", "name": "东二网格", "community": world.c1.code}},
        {"type": "Feature", "geometry": box(113.31, 23.10, 113.32, 23.12),
         "properties": {"code": "WG-003", "name": "西一网格", "community": world.c2.code}},
    ]})
    from yingji.risk.models import GridCell

    return {c.code: c for c in GridCell.objects.all()}


def in_days(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=n)
