"""The module's pages and exports: the overview, every list, the register in Excel, the phone report with a photo
through the form, the danger's action form refusing with its input kept, the map layers."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from PIL import Image
from tests.risk.conftest import in_days

from yingji.risk.models import ChemicalHolding, HazardSource, HiddenDanger
from yingji.risk.services import dangers, sources

pytestmark = pytest.mark.django_db


@pytest.fixture
def major(world):
    s = HazardSource(owner_unit=world.e1, code="E1-T01", name="液氯储罐区", offsite_population=120, lat=23.105,
                     lng=113.305)
    s.save()
    ChemicalHolding.objects.create(owner_unit=world.e1, source=s, chemical="液氯", tonnes="200")
    return sources.recompute(None, s)


def test_overview_lists_and_map_layers(world, cells, major, client_for):
    c = client_for(world.staff)
    r = c.get("/risk/")
    assert r.status_code == 200 and "重大危险源" in r.content.decode()
    for key in ("sources", "holdings", "assessments", "areas", "cells", "officers", "plans", "inspections", "dangers"):
        assert c.get(f"/risk/{key}/").status_code == 200, key
    assert c.get(f"/risk/sources/{major.pk}/").status_code == 200
    fc = c.get("/api/v1/risk/map/cells").json()
    levels = {f["properties"]["name"]: f["properties"]["risk_level"] for f in fc["features"]}
    assert levels["东一网格"] == 1 and levels["西一网格"] is None  # the major source's cell is red
    assert fc["features"][0]["properties"]["style"]["fillColor"]
    communities = c.get("/api/v1/risk/map/communities").json()["features"]
    assert {f["properties"]["name"]: f["properties"]["risk_level"] for f in communities} == {
        "长安东社区": 1, "长安西社区": None}
    layers = {layer["kind"] for layer in __import__("yingji.risk.views", fromlist=["x"]).risk_layers()}
    assert {"risk-cells", "risk-communities", "risk-areas", "sources", "dangers"} <= layers
    assert c.get("/").status_code == 200 and c.get("/map/").status_code == 200
    d = c.get("/api/v1/risk/dashboard").json()
    assert d["major_by_grade"][0] == {"grade": 1, "count": 1}


def test_register_export_has_the_major_sources_exactly(world, major, client_for):
    r = client_for(world.commander).get("/risk/register.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 2
    assert rows[1][0] == "E1-T01" and rows[1][9] == major.s_value == "40" and rows[1][11] == major.r_value == "320"
    assert client_for(world.ent2).get("/api/v1/risk/sources/register").status_code == 200  # empty for them
    ws2 = load_workbook(io.BytesIO(client_for(world.ent2).get("/risk/register.xlsx").content)).active
    assert ws2.max_row == 1


def test_phone_report_form_with_photo(world, cells, client_for):
    c = client_for(world.grid)
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 120, 0)).save(buf, "PNG")
    buf.name = "photo.png"
    buf.seek(0)
    r = c.post("/risk/report/", {"name": "井盖缺失", "grade": "general", "location": "113.304, 23.104",
                                 "description": "", "photo": buf})
    assert r.status_code == 302, r.content.decode()[:500]
    d = HiddenDanger.objects.get(name="井盖缺失")
    assert d.reporter == world.grid and d.owner_unit == world.c1
    from yingji.core import attachments

    assert attachments.for_subject(world.grid, d).count() == 1
    r = c.post("/risk/report/", {"name": "", "grade": "general", "location": "abc"})
    assert r.status_code == 422


def test_action_form_refusal_keeps_input(world, cells, client_for):
    d = dangers.report(world.grid, name="边坡裂缝", lat=23.104, lng=113.304)
    c = client_for(world.staff)
    page = c.get(f"/risk/dangers/{d.pk}/").content.decode()
    assert "交办整改" in page and "data-testid=\"action-form\"" in page
    r = c.post(f"/risk/dangers/{d.pk}/action/", {"op": "order", "responsible_unit": str(world.c1.pk),
                                                  "responsible_person": "", "deadline": str(in_days(3)),
                                                  "order": "加固"})
    assert r.status_code == 422 and "请填写整改责任人" in r.content.decode() and "加固" in r.content.decode()
    r = c.post(f"/risk/dangers/{d.pk}/action/", {"op": "order", "responsible_unit": str(world.c1.pk),
                                                  "responsible_person": "王", "deadline": str(in_days(3)),
                                                  "order": "加固"})
    assert r.status_code == 302
    assert HiddenDanger.objects.get(pk=d.pk).state == "rectifying"
    # the grid officer sees no ordering step
    assert "交办整改" not in client_for(world.grid).get(f"/risk/dangers/{d.pk}/").content.decode()
