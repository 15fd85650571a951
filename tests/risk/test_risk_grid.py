"""Grid cells: imported from GeoJSON all-or-nothing with every fault named; inside their community (or, for a
community without a boundary, its town); never overlapping; every located object finds its cell; the links."""

from __future__ import annotations

import json

import pytest
from tests.risk.conftest import box

from yingji.core import links
from yingji.risk.models import GridCell, GridOfficer, HazardSource
from yingji.risk.services import dangers

pytestmark = pytest.mark.django_db


def feature(code, geometry, community, **props):
    return {"type": "Feature", "geometry": geometry, "properties": {"code": code, "name": f"网格{code}",
                                                                    "community": community, **props}}


def test_import_creates_cells_with_officers_and_points_locate(world, cells):
    assert set(cells) == {"WG-001", "WG-002", "WG-003"}
    assert list(GridOfficer.objects.values_list("cell__code", "user__username")) == [("WG-001", "gridofficer")]
    info = links.call("risk.grid_cell_at", 23.105, 113.305)
    assert info == {"id": cells["WG-001"].pk, "name": "东一网格", "code": "WG-001", "community_id": world.c1.pk,
                    "officer_ids": [world.grid.pk]}
    assert links.call("risk.grid_cell_at", 23.115, 113.315)["code"] == "WG-003"
    assert links.call("risk.grid_cell_at", 23.5, 113.5) is None
    s = HazardSource(owner_unit=world.e1, code="S1", name="罐区", lat=23.115, lng=113.305)
    s.save()
    assert s.grid_cell_id == cells["WG-002"].pk


def test_overlap_and_outside_are_refused_with_every_fault(world, cells, client_for):
    c = client_for(world.staff)
    body = {"type": "FeatureCollection", "features": [
        feature("N-1", box(113.305, 23.105, 113.309, 23.109), world.c1.code),      # overlaps WG-001
        feature("N-2", box(113.30, 23.12, 113.31, 23.13), world.c1.code),          # outside 长安东社区
        feature("N-3", box(113.33, 23.10, 113.34, 23.11), world.c2.code),          # outside the town (c2 has none)
        feature("N-4", box(113.40, 23.00, 113.41, 23.01), "no-such"),              # unknown community
        feature("N-5", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}, world.c1.code),
    ]}
    r = c.post("/api/v1/risk/cells/import-geojson", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 422, r.content
    d = r.json()["error"]["details"]
    assert "WG-001" in " ".join(d["features.0.boundary"])
    assert "长安东社区" in " ".join(d["features.1.boundary"])
    assert "长安街道" in " ".join(d["features.2.boundary"])
    assert "features.3.community" in d and "features.4.boundary" in d
    assert GridCell.objects.count() == 3  # nothing written


def test_new_cells_overlapping_each_other(world):
    from yingji.core.errors import ValidationFailed
    from yingji.risk.services import grid

    with pytest.raises(ValidationFailed) as exc:
        grid.import_cells(None, {"type": "FeatureCollection", "features": [
            feature("A", box(113.30, 23.10, 113.305, 23.11), world.c1.code),
            feature("B", box(113.304, 23.10, 113.31, 23.11), world.c1.code)]})
    assert "features.1.boundary" in exc.value.details


def test_generic_edit_keeps_the_rules(world, cells, client_for):
    c = client_for(world.staff)
    pk = cells["WG-002"].pk
    r = c.patch(f"/api/v1/risk/cells/{pk}", data=json.dumps({"boundary": box(113.30, 23.105, 113.31, 23.12)}),
                content_type="application/json")
    assert r.status_code == 422 and "boundary" in r.json()["error"]["details"]
    r = c.post("/api/v1/risk/cells", data=json.dumps({"owner_unit_id": world.e1.pk, "code": "X", "name": "X",
                                                     "boundary": box(113.30, 23.10, 113.301, 23.101)}),
               content_type="application/json")
    assert r.status_code == 422 and "owner_unit" in r.json()["error"]["details"]


def test_features_in_area_and_near(world, cells):
    from yingji.risk.models import HazardArea

    s = HazardSource.objects.create(owner_unit=world.e1, code="S1", name="液氯罐区", lat=23.105, lng=113.305,
                                    hazard_types=["wsa10023"])
    s.index_hazards()
    s.save()
    a = HazardArea(owner_unit=world.c1, code="A1", name="低洼易涝点", area_type="waterlogging",
                   boundary=box(113.311, 23.111, 113.312, 23.112), hazard_types=["waterlogging"], risk_level=2)
    a.save()
    everything = links.call("risk.features_in_area", box(113.30, 23.10, 113.32, 23.12), None)
    assert [(f["kind"], f["id"]) for f in everything] == [("hazard_source", s.pk), ("hazard_area", a.pk)]
    assert set(everything[0]) == {"kind", "id", "name", "hazard_types", "lat", "lng", "risk_level",
                                  "owner_unit_id", "url"}
    # by hazard code, with descendants: 事故灾难 (accident) includes 中毒 (wsa10023)
    assert [f["id"] for f in links.call("risk.features_in_area", box(113.30, 23.10, 113.32, 23.12),
                                        ["accident"])] == [s.pk]
    assert [f["id"] for f in links.call("risk.features_in_area", box(113.30, 23.10, 113.32, 23.12),
                                        ["flood_drought"])] == [a.pk]
    assert links.call("risk.features_in_area", box(113.35, 23.15, 113.36, 23.16), None) == []
    near = links.call("risk.features_near", 23.1115, 113.3115, 2000)
    assert [f["kind"] for f in near] == ["hazard_area", "hazard_source"]
    assert near[0]["distance_m"] == 0 and 0 < near[1]["distance_m"] <= 2000
    assert links.call("risk.features_near", 23.1115, 113.3115, 10) == [near[0]]


def test_a_danger_reported_in_a_cell_belongs_to_its_community(world, cells):
    d = dangers.report(world.grid, name="消防通道堵塞", lat=23.104, lng=113.304)
    assert d.owner_unit == world.c1 and d.grid_cell_id == cells["WG-001"].pk and d.supervising_unit == world.town


def test_hazard_area_sensors_through_the_monitoring_link(world, cells, client_for, monkeypatch):
    """With no sensor inside it the area lists none; with a provider of `monitoring.sensors_for`
    (a stand-in here, testing the contract) its sensors show on the list page and in the API."""
    from yingji.core.links import _registry
    from yingji.risk.models import HazardArea

    a = HazardArea(owner_unit=world.c1, code="A1", name="滑坡隐患点", area_type="landslide",
                   boundary=box(113.301, 23.101, 113.302, 23.102), hazard_types=["landslide"], risk_level=1)
    a.save()
    c = client_for(world.staff)
    assert c.get(f"/api/v1/risk/areas/{a.pk}/sensors").json() == []
    calls = []

    def sensors_for(model_label, object_id):
        calls.append((model_label, object_id))
        return [{"id": 7, "code": "QX-007", "name": "倾斜仪7号", "kind": "tilt", "unit_of_measure": "°",
                 "status": "正常", "last_value": "0.4", "last_at": None, "url": "/monitoring/sensors/7/"}]

    monkeypatch.setitem(_registry, "monitoring.sensors_for", sensors_for)  # restores the real provider after
    assert c.get(f"/api/v1/risk/areas/{a.pk}/sensors").json()[0]["code"] == "QX-007"
    html = c.get("/risk/areas/").content.decode()
    assert "倾斜仪7号" in html and "/monitoring/sensors/7/" in html
    assert ("risk.hazardarea", a.pk) in calls
