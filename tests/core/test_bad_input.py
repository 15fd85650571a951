"""Bad input never gives a 500, on SQLite and on PostgreSQL alike: the platform-wide part of the catalogue.

Black-box: every case is an HTTP request through Django's test client against the real database, and checks the
status, the one error shape, and that nothing changed.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yingji.core import services
from yingji.core.models import AuditEntry, OrgUnit
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[113.0, 23.0], [113.1, 23.0], [113.1, 23.1], [113.0, 23.1],
                                              [113.0, 23.0]]]}


def _error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json"), r["Content-Type"]
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}, body
    if code:
        assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


@pytest.fixture
def admin(tree, make_user, client_for):
    return client_for(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))


def _patch(c, path, body):
    return c.patch(path, json.dumps(body), content_type="application/json")


# --- unit boundaries: validated on the way in, and the map layer survives old bad data ---

@pytest.mark.parametrize("boundary", [
    {"type": "Polygon", "coordinates": "x"},
    {"foo": "bar"},
    {"type": "Polygon", "coordinates": [[[113.0, 23.0], [113.1, 23.0]]]},            # not a ring
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},  # self-intersecting
    {"type": "Polygon", "coordinates": [[[1e307, 0], [1, 1], [1, 0], [1e307, 0]]]},  # out of range
    {"type": "Point", "coordinates": [113.0, 23.0]},                                 # not an area
    {"type": "Polygon", "coordinates": [[[True, 0], [1, 1], [1, 0], [True, 0]]]},
    [1, 2, 3],
])
def test_bad_unit_boundary_is_422_and_changes_nothing(admin, tree, boundary):
    unit = tree["A1"]
    before = AuditEntry.objects.count()
    err = _error(_patch(admin, f"/api/v1/units/{unit.pk}", {"boundary": boundary}), 422, "validation_failed")
    assert "boundary" in json.dumps(err["details"])
    unit.refresh_from_db()
    assert unit.boundary is None and AuditEntry.objects.count() == before
    r = admin.get("/api/v1/units/geojson?crs=gcj02")
    assert r.status_code == 200
    assert unit.pk in [f["id"] for f in r.json()["features"]]


def test_good_boundary_is_stored_normalised_and_a_feature_is_unwrapped(admin, tree):
    unit = tree["A1"]
    r = _patch(admin, f"/api/v1/units/{unit.pk}", {"boundary": {"type": "Feature", "properties": {},
                                                                 "geometry": SQUARE}})
    assert r.status_code == 200, r.content
    assert r.json()["boundary"] == SQUARE
    r = admin.post("/api/v1/units", {"parent_id": tree["A"].pk, "code": "990101009", "name": "新镇",
                                     "kind": "town", "boundary": {"type": "Polygon", "coordinates": "x"}},
                   content_type="application/json")
    _error(r, 422, "validation_failed")
    assert not OrgUnit.objects.filter(code="990101009").exists()


def test_units_layer_skips_a_broken_boundary_stored_before_validation(admin, tree):
    """Rows written before validation existed must not take the map down for everybody."""
    OrgUnit.objects.filter(pk=tree["A1"].pk).update(boundary={"type": "Polygon", "coordinates": "x"})
    OrgUnit.objects.filter(pk=tree["A2"].pk).update(boundary={"foo": "bar"})
    for crs in ("wgs84", "gcj02", "bd09"):
        r = admin.get(f"/api/v1/units/geojson?crs={crs}")
        assert r.status_code == 200, r.content
        by_id = {f["id"]: f for f in r.json()["features"]}
        assert by_id[tree["A1"].pk]["geometry"]["type"] == "Point"  # falls back to its point


# --- errors outside the documented shape ---

def test_unauthenticated_write_is_401_not_a_csrf_403(tree):
    c = Client(enforce_csrf_checks=True)
    _error(c.post("/api/v1/units", {"parent_id": 1}, content_type="application/json"), 401, "not_authenticated")
    _error(c.delete("/api/v1/units/1"), 401, "not_authenticated")


def test_session_write_without_csrf_token_is_403_in_the_error_shape(tree, make_user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))
    err = _error(_patch(c, f"/api/v1/units/{tree['A1'].pk}", {"name": "改名"}), 403, "csrf_failed")
    assert "CSRF" in err["message"]
    assert OrgUnit.objects.get(pk=tree["A1"].pk).name == "甲一街道"


def test_bearer_token_writes_need_no_csrf_token(tree, make_user):
    user = make_user(RoleCode.SYSTEM_ADMIN, tree["city"])
    _, plaintext = services.issue_token(None, user, "t")
    c = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {plaintext}"})
    assert _patch(c, f"/api/v1/units/{tree['A1'].pk}", {"name": "改名"}).status_code == 200


def test_405_and_unknown_path_answer_in_the_error_shape_in_english_too(admin):
    err = _error(admin.put("/api/v1/units", "{}", content_type="application/json"), 405, "method_not_allowed")
    assert "方法" in err["message"]
    admin.cookies["django_language"] = "en"  # the user's own switch (the deployment's language beats the browser's)
    r = admin.put("/api/v1/units", "{}", content_type="application/json")
    assert "method" in _error(r, 405)["message"].lower()
    assert "GET" in r["Allow"]
    _error(admin.get("/api/v1/nothing/here"), 404, "not_found")


def test_json_body_over_the_limit_is_413(admin, tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
    body = json.dumps({"name": "x" * 2_700_000})
    _error(admin.patch(f"/api/v1/units/{tree['A1'].pk}", body, content_type="application/json"), 413,
           "too_large")


# --- NUL characters: PostgreSQL cannot store them; both databases refuse them alike ---

@pytest.mark.parametrize("request_", [
    ("get", "/api/v1/units?q=a%00b", None),
    ("get", "/api/v1/units?kind=town%00", None),
    ("get", "/api/v1/audit?actor=%00", None),
    ("patch", "UNIT", {"name": "甲\u0000一"}),
    ("patch", "UNIT", {"contact_name": "x", "address": "\u0000"}),
])
def test_nul_character_anywhere_is_400(admin, tree, request_):
    method, path, body = request_
    path = f"/api/v1/units/{tree['A1'].pk}" if path == "UNIT" else path
    if body is None:
        r = getattr(admin, method)(path)
    else:
        r = getattr(admin, method)(path, json.dumps(body), content_type="application/json")
    _error(r, 400, "bad_characters")
    assert OrgUnit.objects.get(pk=tree["A1"].pk).name == "甲一街道"


def test_an_escaped_backslash_before_u0000_is_text_not_nul(admin, tree):
    r = _patch(admin, f"/api/v1/units/{tree['A1'].pk}", {"address": "C:\\u0000"})
    assert r.status_code == 200, r.content
    assert r.json()["address"] == "C:\\u0000"


def test_nul_in_a_page_query_is_a_400_page(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))
    r = c.get("/?q=%00")
    assert r.status_code == 400
    assert "NUL" in r.content.decode()


# --- numbers every database stores ---

def test_offset_beyond_any_database_is_422(admin):
    _error(admin.get("/api/v1/units?offset=99999999999999999999"), 422, "validation_failed")
    _error(admin.get("/api/v1/units?offset=2147483648"), 422, "validation_failed")
    assert admin.get("/api/v1/units?offset=2147483647").json()["items"] == []


@pytest.mark.parametrize("path", ["/api/v1/units/99999999999999999999", "/api/v1/units/9223372036854775808",
                                  "/api/v1/units?within=99999999999999999999",
                                  "/api/v1/units/99999999999999999999/history"])
def test_huge_ids_are_not_found(admin, path):
    _error(admin.get(path), 404, "not_found")


def test_long_text_search_is_refused_not_a_database_error(admin):
    err = _error(admin.get("/api/v1/units?q=" + "a" * 100_000), 422, "validation_failed")
    assert any("q" in d["loc"] for d in err["details"])
    assert admin.get("/api/v1/units?q=" + "a" * 200).status_code == 200


# --- ids no column holds, in the choice fields of every form (tampered selects) ---

HUGE_IDS = ["999999999999999999999", "9223372036854775808", "-9223372036854775809"]


@pytest.mark.parametrize("bad", HUGE_IDS)
def test_a_tampered_id_in_any_model_choice_field_is_not_a_valid_choice(tree, make_user, bad):
    from django import forms
    from django.utils import translation

    from yingji.alerts.forms import WarningForm
    from yingji.supervision.forms import UnitChoice

    user = make_user(RoleCode.SYSTEM_ADMIN, tree["city"])
    towns = WarningForm(data={"towns": [bad, str(tree["A1"].pk)], "owner_unit": bad}, user=user)
    assert not towns.is_valid()
    assert {"towns", "owner_unit"} <= set(towns.errors)

    class Plain(forms.Form):  # Django's own fields, as any module writes them
        one = forms.ModelChoiceField(queryset=OrgUnit.objects.all())
        many = forms.ModelMultipleChoiceField(queryset=OrgUnit.objects.all())
        by_code = UnitChoice(queryset=OrgUnit.objects.all(), to_field_name="code")

    for lang, words in (("zh-hans", "选择一个有效的选项"), ("en", "valid choice")):
        with translation.override(lang):
            form = Plain(data={"one": bad, "many": [bad], "by_code": bad})
            assert not form.is_valid()
            assert set(form.errors) == {"one", "many", "by_code"}
            assert all(words in " ".join(errs) for errs in form.errors.values()), form.errors
    good = Plain(data={"one": tree["A1"].pk, "many": [tree["A1"].pk, tree["B1"].pk], "by_code": tree["A1"].code})
    assert good.is_valid(), good.errors


@pytest.mark.parametrize("path", ["/resources/teams/new/", "/warnings/new/"])
def test_a_tampered_id_on_a_page_is_a_form_error_not_a_500(tree, make_user, client_for, path):
    c = client_for(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))
    r = c.post(path, {"owner_unit": HUGE_IDS[0], "towns": HUGE_IDS[0], "name": "x", "headline": "x"})
    assert r.status_code in (200, 422), r.status_code
    assert "owner_unit" in r.context["form"].errors
