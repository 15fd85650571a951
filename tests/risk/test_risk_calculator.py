"""POST /api/v1/risk/gb18218: the standards library's result, every fraction a decimal string, through the API;
bad holdings are 422s naming the holding."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yingji.core.roles import RoleCode
from yingji.domain.standards import gb18218

pytestmark = pytest.mark.django_db
URL = "/api/v1/risk/gb18218"


@pytest.fixture
def api(tree, make_user, client_for):
    return client_for(make_user(RoleCode.VIEWER, tree["A1"]))


def post(client, body):
    return client.post(URL, data=json.dumps(body), content_type="application/json")


def expected(holdings, population):
    lib = gb18218.assess([gb18218.Holding(**h) for h in holdings], population)
    return lib


def test_the_documented_example_exactly(api):
    body = {"holdings": [{"chemical": 4, "tonnes": "200"}, {"chemical": "7782-50-5", "tonnes": "3"},
                         {"chemical": 65, "tonnes": 200, "symbol": "W5.3"},
                         {"category": "J1", "tonnes": "4", "name": "某剧毒气体"}],
            "offsite_population": 60}
    r = post(api, body)
    assert r.status_code == 200, r.content
    raw = r.content.decode()
    data = r.json()
    assert data["s"] == "11.8" and data["is_major"] is True and data["alpha"] == "1.5"
    assert data["r"] == "39" and data["grade"] == 3 and data["grade_label"] == "三级"
    # decimal strings in the JSON text itself, never floats
    assert '"s": "11.8"' in raw.replace('":"', '": "') or '"s":"11.8"' in raw
    first = data["lines"][0]
    assert (first["name"], first["q"], first["Q"], first["ratio"], first["beta"], first["beta_source"],
            first["weighted"]) == ("二氧化硫（表1第4项）", "200", "20", "10", "2", "表3", "20")
    assert data["lines"][2]["beta_source"] == "表4 W5.3"
    assert data["lines"][3]["category"] == "J1" and data["lines"][3]["Q"] == "5"


def test_non_terminating_quotients_match_the_library_digit_for_digit(api):
    # Q = 0.3 t (光气) and 75 t: the quotients do not terminate; the API gives the library's 28 digits.
    body = {"holdings": [{"chemical": "光气", "tonnes": "0.1"}, {"chemical": "光气", "tonnes": "0.1"},
                         {"chemical": "光气", "tonnes": "0.1"}], "offsite_population": 0}
    data = post(api, body).json()
    lib = expected([{"chemical": "光气", "tonnes": "0.1"}] * 3, 0)
    assert data["s"] == format(lib.s, "f") == "1"  # exactly one: a major hazard source
    assert data["is_major"] is True
    assert [line["ratio"] for line in data["lines"]] == [format(x.ratio, "f") for x in lib.lines]
    assert data["lines"][0]["ratio"].startswith("0.3333333333")
    assert data["r"] == format(lib.r, "f") and data["grade"] == lib.grade


def test_not_major_gives_null_r_and_grade(api):
    data = post(api, {"holdings": [{"chemical": "液氯", "tonnes": "4.99"}]}).json()
    assert data == {**data, "s": "0.998", "is_major": False, "r": None, "grade": None, "alpha": None}


@pytest.mark.parametrize("holding, field, words", [
    ({"chemical": "不存在的化学品", "tonnes": "1"}, "holdings.1.chemical", "不存在的化学品"),
    ({"chemical": "液氯", "tonnes": "-1"}, "holdings.1.tonnes", "负"),
    ({"chemical": "液氯", "tonnes": "很多"}, "holdings.1.tonnes", "液氯"),
    ({"category": "Z9", "tonnes": "1"}, "holdings.1.category", "Z9"),
    ({"chemical": "液氯", "category": "J1", "tonnes": "1"}, "holdings.1.chemical", "二者之一"),
    ({"chemical": True, "tonnes": "1"}, "holdings.1.chemical", "chemical"),
    ({"chemical": "液氯", "tonnes": "1e999999"}, "holdings.1.tonnes", "范围"),  # no enormous exact arithmetic
    ({"category": [1], "tonnes": "1"}, "holdings.1.category", "holdings[1]"),
])
def test_a_bad_holding_is_a_422_naming_it(api, holding, field, words):
    r = post(api, {"holdings": [{"chemical": 4, "tonnes": "1"}, holding], "offsite_population": 10})
    assert r.status_code == 422, r.content
    err = r.json()["error"]
    assert err["code"] == "validation_failed"
    assert field in err["details"], err
    assert "holdings[1]" in err["details"][field][0] and words in err["details"][field][0]


def test_a_major_unit_without_its_beta_or_population_says_which(api):
    r = post(api, {"holdings": [{"chemical": 65, "tonnes": "600"}], "offsite_population": 5})
    assert r.status_code == 422
    assert "holdings.0.symbol" in r.json()["error"]["details"]
    r = post(api, {"holdings": [{"chemical": "液氯", "tonnes": "6"}]})
    assert r.status_code == 422 and "offsite_population" in r.json()["error"]["details"]


def test_empty_and_unauthenticated(api, client):
    assert post(api, {"holdings": []}).status_code == 422
    assert post(client, {"holdings": [{"chemical": 4, "tonnes": "1"}]}).status_code == 401


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from([4, 12, 17, 23, 49, 52, "7782-50-5", "液氨", "光气"]),
                               st.decimals(min_value=0, max_value=500, places=3, allow_nan=False)),
                     min_size=1, max_size=6),
       population=st.integers(min_value=0, max_value=400))
def test_api_equals_library(api, rows, population):
    # every holding names a Table 4 symbol, so a major unit can always be graded (Table 3 gases keep theirs)
    holdings = [{"chemical": c, "tonnes": str(t), "symbol": "W2"} for c, t in rows]
    lib = expected(holdings, population)
    data = post(api, {"holdings": holdings, "offsite_population": population}).json()
    assert Decimal(data["s"]) == lib.s and data["s"] == format(lib.s, "f")
    assert data["is_major"] == lib.is_major and data["grade"] == lib.grade
    assert data["r"] == (format(lib.r, "f") if lib.r is not None else None)
    assert [line["weighted"] for line in data["lines"]] == [
        format(x.weighted, "f") if x.weighted is not None else None for x in lib.lines]
