"""A small city for the warnings tests: a district of three towns with square boundaries side by side, a
second district's town far away, users holding the roles that draft, approve and acknowledge, and a stand-in
risk provider (the `risk.features_in_area` contract) that tests can switch on."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from yingji.core import links


def square(x0, y0, size=0.05):
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size],
                                                [x0, y0 + size], [x0, y0]]]}


@pytest.fixture
def city(db, make_user):
    from yingji.alerts import chains
    from yingji.core import services, vocabulary
    from yingji.core.models import OrgUnitKind as K

    vocabulary.seed_hazard_types()
    chains.ensure_default_links()
    root = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY, lat=23.1, lng=113.3)
    a = services.create_unit(None, parent=root, code="990101", name="江北区", kind=K.DISTRICT)
    b = services.create_unit(None, parent=root, code="990102", name="城中区", kind=K.DISTRICT)
    towns = [services.create_unit(None, parent=a, code=f"99010100{i}", name=name, kind=K.TOWN,
                                  lat=23.025, lng=113.225 + 0.05 * i, boundary=square(113.2 + 0.05 * i, 23.0))
             for i, name in enumerate(["长安街道", "青山镇", "白沙镇"], start=1)]
    far = services.create_unit(None, parent=b, code="990102001", name="石桥街道", kind=K.TOWN,
                               lat=23.225, lng=113.425, boundary=square(113.4, 23.2))
    w = SimpleNamespace(city=root, A=a, B=b, towns=towns, far=far)
    w.commander = make_user("commander", root, "commander")
    w.duty = make_user("duty_officer", root, "duty")
    w.district_admin = make_user("unit_admin", a, "dadmin")
    w.staff = [make_user("unit_staff", t, f"staff{i}") for i, t in enumerate(towns, start=1)]
    w.town_admin = [make_user("unit_admin", t, f"tadmin{i}") for i, t in enumerate(towns, start=1)]
    w.far_staff = make_user("unit_staff", far, "farstaff")
    return w


@pytest.fixture
def risk_provider(monkeypatch):
    """A stand-in for the risk module's `risk.features_in_area`: the given features, filtered by the contract."""
    import shapely

    from yingji.core import vocabulary

    features: list[dict] = []

    def features_in_area(geometry, hazard_codes=None):
        area = shapely.geometry.shape(geometry)
        out = []
        for f in features:
            if not area.intersects(shapely.Point(f["lng"], f["lat"])):
                continue
            if hazard_codes is not None:
                wanted = set(hazard_codes)
                if not any(wanted & vocabulary.with_ancestors([c]) for c in f["hazard_types"]):
                    continue
            out.append(dict(f))
        return out

    monkeypatch.setitem(links._registry, "risk.features_in_area", features_in_area)
    return features


@pytest.fixture
def incidents_provider(monkeypatch):
    calls: list[dict] = []

    def open_from_warning(actor, *, title, hazard_type, lat, lng, area=None, level=None, is_exercise=False,
                          source_ref, description=""):
        calls.append({"actor": actor, "title": title, "hazard_type": hazard_type, "lat": lat, "lng": lng,
                      "area": area, "level": level, "is_exercise": is_exercise, "source_ref": source_ref})
        return {"id": 41, "url": "/incidents/41/"}

    monkeypatch.setitem(links._registry, "incidents.open_from_warning", open_from_warning)
    return calls


def when(hours=0):
    return timezone.now().replace(microsecond=0) + dt.timedelta(hours=hours)


@pytest.fixture
def draft(city):
    from yingji.alerts import services

    def make(level=2, towns=None, hazard="rainstorm", actor=None, **kw):
        return services.create_draft(
            actor if actor is not None else city.duty, owner_unit=kw.pop("owner_unit", city.city),
            headline=kw.pop("headline", "暴雨橙色预警"), hazard_type=hazard, level=level, onset=when(0),
            expires=when(kw.pop("hours", 6)), towns=[t.pk for t in (towns or city.towns[:2])],
            description="预计有强降雨", instruction="注意防范", **kw)

    return make
