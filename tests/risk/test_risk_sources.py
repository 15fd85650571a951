"""An enterprise enters its tank farm's holdings and sees its grade with the arithmetic; the grade follows every
change of holdings and of the population around; enterprises see only themselves."""

from __future__ import annotations

import json

import pytest

from yingji.domain.standards import gb18218
from yingji.risk.models import HazardSource

pytestmark = pytest.mark.django_db


def jpost(c, url, body):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def jpatch(c, url, body):
    return c.patch(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def farm(world, client_for):
    c = client_for(world.ent1)
    r = jpost(c, "/api/v1/risk/sources", {"owner_unit_id": world.e1.pk, "code": "E1-T01", "name": "液氯储罐区",
                                          "unit_type": "storage", "offsite_population": 40, "lng": 113.305,
                                          "lat": 23.105})
    assert r.status_code == 201, r.content
    return c, r.json()["id"]


def test_holdings_grade_the_tank_farm_line_by_line(farm):
    c, pk = farm
    for body in ({"chemical": "液氯", "tonnes": "20"}, {"chemical": "液氨", "tonnes": "15"},
                 {"chemical": "65", "tonnes": "200", "symbol": "W5.3"}):
        r = jpost(c, "/api/v1/risk/holdings", {"source_id": pk, **body})
        assert r.status_code == 201, r.content
    lib = gb18218.assess([gb18218.Holding(chemical="液氯", tonnes="20"), gb18218.Holding(chemical="液氨", tonnes="15"),
                          gb18218.Holding(chemical=65, tonnes="200", symbol="W5.3")], 40)
    s = HazardSource.objects.get(pk=pk)
    assert (s.s_value, s.r_value, s.alpha, s.grade, s.is_major) == (
        format(lib.s, "f"), format(lib.r, "f"), "1.2", lib.grade, True)
    stored = c.get(f"/api/v1/risk/sources/{pk}/gb18218").json()
    assert [line["weighted"] for line in stored["lines"]] == [format(x.weighted, "f") for x in lib.lines]
    page = c.get(f"/risk/sources/{pk}/gb18218/")
    assert page.status_code == 200
    html = page.content.decode()
    assert format(lib.r, "f") in html and "表3" in html and "表4 W5.3" in html
    assert s.risk_level == 1 if lib.grade <= 2 else s.risk_level in (2, 3)


def test_recomputed_when_holdings_or_population_change(world, farm, make_user, client_for):
    c, pk = farm
    h = jpost(c, "/api/v1/risk/holdings", {"source_id": pk, "chemical": "液氯", "tonnes": "4"}).json()
    s = HazardSource.objects.get(pk=pk)
    assert (s.s_value, s.is_major, s.grade) == ("0.8", False, None)
    assert jpatch(c, f"/api/v1/risk/holdings/{h['id']}", {"tonnes": "50"}).status_code == 200
    s.refresh_from_db()
    # 50/5 = 10, β 4 → 40, α(40 people) 1.2 → R 48 → 三级
    assert (s.s_value, s.r_value, s.grade) == ("10", "48", 3)
    assert jpatch(c, f"/api/v1/risk/sources/{pk}", {"offsite_population": 120}).status_code == 200
    s.refresh_from_db()
    assert (s.alpha, s.r_value, s.grade) == ("2.0", "80", 2)  # α 2.0 (Table 5 as written) → R 80 → 二级
    admin = client_for(make_user("unit_admin", world.e1, "e1admin"))  # staff may not delete; the unit admin may
    assert admin.delete(f"/api/v1/risk/holdings/{h['id']}").status_code == 204
    s.refresh_from_db()
    assert (s.s_value, s.is_major, s.grade, s.calculation) == ("0", False, None, {})


def test_a_major_unit_missing_its_symbol_says_so_and_stays_major(farm):
    c, pk = farm
    jpost(c, "/api/v1/risk/holdings", {"source_id": pk, "chemical": "65", "tonnes": "600"})
    s = HazardSource.objects.get(pk=pk)
    assert s.is_major and s.grade is None and "symbol" in s.assessment_error and s.s_value == "1.2"


def test_bad_holding_is_refused_by_field(farm):
    c, pk = farm
    r = jpost(c, "/api/v1/risk/holdings", {"source_id": pk, "chemical": "不存在", "tonnes": "1"})
    assert r.status_code == 422 and "chemical" in r.json()["error"]["details"]
    r = jpost(c, "/api/v1/risk/holdings", {"source_id": pk, "chemical": "液氯", "tonnes": "-2"})
    assert r.status_code == 422


def test_enterprises_see_only_themselves(world, farm, client_for):
    c1, pk = farm
    c2 = client_for(world.ent2)
    assert c2.get(f"/api/v1/risk/sources/{pk}").status_code == 404
    assert c2.get(f"/risk/sources/{pk}/gb18218/").status_code == 404
    assert c2.get("/api/v1/risk/sources").json()["count"] == 0
    r = jpost(c2, "/api/v1/risk/holdings", {"source_id": pk, "chemical": "液氯", "tonnes": "1"})
    assert r.status_code == 404
    r = jpost(c2, "/api/v1/risk/sources", {"owner_unit_id": world.e1.pk, "code": "X", "name": "冒名"})
    assert r.status_code in (403, 404)
    # the town and the city see it
    assert client_for(world.staff).get(f"/api/v1/risk/sources/{pk}").status_code == 200
    assert client_for(world.commander).get("/api/v1/risk/sources").json()["count"] == 1


def test_assessments_lec_and_matrix(world, farm):
    c, pk = farm
    r = jpost(c, "/api/v1/risk/assessments", {"owner_unit_id": world.e1.pk, "source_id": pk, "method": "lec",
                                              "factor_l": "3", "factor_e": "6", "factor_c": "15",
                                              "assessor": "安全员", "assessed_on": "2026-01-10"})
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["score"] == "270" and a["level"] == 2 and a["review_due"] == "2027-01-10"
    assert HazardSource.objects.get(pk=pk).risk_level == 2
    r = jpost(c, "/api/v1/risk/assessments", {"owner_unit_id": world.e1.pk, "source_id": pk, "method": "lec",
                                              "factor_l": "4", "factor_e": "6", "factor_c": "15",
                                              "assessor": "安全员", "assessed_on": "2026-01-10"})
    assert r.status_code == 422 and "factor_l" in r.json()["error"]["details"]
    r = jpost(c, "/api/v1/risk/assessments", {"owner_unit_id": world.e1.pk, "source_id": pk, "method": "matrix",
                                              "likelihood": 4, "severity": 5, "assessor": "专家",
                                              "assessed_on": "2026-02-01"})
    assert r.status_code == 201 and r.json()["level"] == 1
    assert HazardSource.objects.get(pk=pk).risk_level == 1
