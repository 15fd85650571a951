"""API conventions: one error shape, the right status codes, pagination and ordering, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from yingji.core import services
from yingji.core.models import ApiToken, AuditEntry, OrgUnit
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db


def _error(r, status: int, code: str):
    assert r.status_code == status, r.content
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


@pytest.fixture
def admin_client(tree, make_user, client_for):
    return client_for(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))


def test_401_without_credentials(tree):
    _error(Client().get("/api/v1/units"), 401, "not_authenticated")


def test_404_unknown_route_and_object(admin_client):
    _error(admin_client.get("/api/v1/no/such/thing"), 404, "not_found")
    _error(admin_client.get("/api/v1/units/999999"), 404, "not_found")


def test_404_does_not_reveal_invisible_objects(tree, make_user, client_for):
    # a user with no role sees no units: existing and missing look the same
    c = client_for(make_user(None, tree["A1"]))
    a = _error(c.get(f"/api/v1/units/{tree['A1'].pk}"), 404, "not_found")
    b = _error(c.get("/api/v1/units/999999"), 404, "not_found")
    assert a == b


@pytest.mark.parametrize("body,field", [
    ({"code": "1", "name": "x", "kind": "town"}, "parent_id"),               # missing field
    ({"parent_id": 1, "code": "1", "name": "x", "kind": "castle"}, "kind"),  # bad enum
    ({"parent_id": 1, "code": "1", "name": "x", "kind": "town", "lat": 123}, "lat"),  # out of range
    ({"parent_id": "abc", "code": "1", "name": "x", "kind": "town"}, "parent_id"),  # wrong type
    ({"parent_id": 1, "code": "", "name": "x", "kind": "town"}, "code"),     # empty
])
def test_422_on_bad_body_changes_nothing(admin_client, body, field):
    count = OrgUnit.objects.count()
    err = _error(admin_client.post("/api/v1/units", body, content_type="application/json"), 422,
                 "validation_failed")
    assert any(field in d["loc"] for d in err["details"])
    assert OrgUnit.objects.count() == count


def test_400_on_malformed_json(admin_client):
    r = admin_client.post("/api/v1/units", "{not json", content_type="application/json")
    assert r.status_code in (400, 422)
    assert "error" in r.json()


def test_422_duplicate_code_names_the_field(tree, admin_client):
    entries = AuditEntry.objects.count()
    err = _error(admin_client.post("/api/v1/units", {"parent_id": tree["A"].pk, "code": tree["A1"].code,
                                                     "name": "重复", "kind": "town"},
                                   content_type="application/json"), 422, "validation_failed")
    assert "code" in err["details"]
    assert AuditEntry.objects.count() == entries


def test_409_delete_unit_with_children(tree, admin_client):
    _error(admin_client.delete(f"/api/v1/units/{tree['A'].pk}"), 409, "conflict")
    assert OrgUnit.objects.filter(pk=tree["A"].pk).exists()


def test_409_move_under_own_descendant(tree, admin_client):
    r = admin_client.patch(f"/api/v1/units/{tree['A'].pk}", {"parent_id": tree["A1"].pk},
                           content_type="application/json")
    _error(r, 422, "validation_failed")
    assert OrgUnit.objects.get(pk=tree["A"].pk).parent_id == tree["city"].pk


def test_400_bad_ordering_lists_allowed(admin_client):
    err = _error(admin_client.get("/api/v1/units?ordering=password"), 400, "bad_ordering")
    assert "name" in err["details"]["ordering"]


def test_pagination_and_ordering(tree, admin_client):
    r = admin_client.get("/api/v1/units?limit=3&offset=0&ordering=-code").json()
    assert r["count"] == OrgUnit.objects.count() and r["limit"] == 3 and len(r["items"]) == 3
    codes = [u["code"] for u in r["items"]]
    assert codes == sorted(OrgUnit.objects.values_list("code", flat=True), reverse=True)[:3]
    r2 = admin_client.get("/api/v1/units?limit=3&offset=3&ordering=-code").json()
    assert not set(codes) & {u["code"] for u in r2["items"]}
    _error(admin_client.get("/api/v1/units?limit=100000"), 422, "validation_failed")


def test_filters_within_and_kind(tree, admin_client):
    r = admin_client.get(f"/api/v1/units?within={tree['A'].pk}&kind=town").json()
    assert {u["name"] for u in r["items"]} == {"甲一街道", "甲二镇"}


def test_move_subtree_updates_descendant_paths(tree, admin_client):
    r = admin_client.patch(f"/api/v1/units/{tree['A1'].pk}", {"parent_id": tree["B"].pk},
                           content_type="application/json")
    assert r.status_code == 200
    b_subtree = set(tree["B"].subtree().values_list("code", flat=True))
    assert {tree["A1"].code, tree["E1"].code} <= b_subtree
    e1 = OrgUnit.objects.get(pk=tree["E1"].pk)
    assert e1.depth == 3 and [u.code for u in e1.ancestors()] == ["990100", "990102", "990101001"]


def test_geojson_layers_and_crs(tree, admin_client):
    services.update_unit(None, tree["A"], {"boundary": {"type": "Polygon", "coordinates": [
        [[113.0, 23.0], [113.1, 23.0], [113.1, 23.1], [113.0, 23.0]]]}})
    fc = admin_client.get("/api/v1/units/geojson?kind=district,town").json()
    by_name = {f["properties"]["name"]: f for f in fc["features"]}
    assert by_name["甲区"]["geometry"]["type"] == "Polygon"
    assert by_name["甲一街道"]["geometry"] == {"type": "Point", "coordinates": [113.3, 23.1]}
    assert "乙区" not in by_name  # no boundary and no location: nothing to draw
    gcj = admin_client.get("/api/v1/units/geojson?kind=town&crs=gcj02").json()["features"][0]
    lng, lat = gcj["geometry"]["coordinates"]
    assert 0.001 < abs(lng - 113.3) < 0.01 and 0.001 < abs(lat - 23.1) < 0.01
    _error(admin_client.get("/api/v1/units/geojson?crs=mercator"), 400, "bad_crs")


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    assert len(keys) == len(set(keys)), f"duplicate keys: {sorted(k for k in keys if keys.count(k) > 1)}"
    return dict(pairs)


def test_openapi_and_docs(admin_client):
    import json

    # Swagger UI refuses a document with a key twice (ninja's int 422 beside our "422" was one).
    spec = json.loads(admin_client.get("/api/v1/openapi.json").content, object_pairs_hook=_no_duplicate_keys)
    assert spec["openapi"].startswith("3.1") and "/api/v1/units" in spec["paths"]
    import_responses = spec["paths"]["/api/v1/resources/teams/import"]["post"]["responses"]
    shapes = [s["$ref"] for s in import_responses["422"]["content"]["application/json"]["schema"]["anyOf"]]
    assert [s.rsplit("/", 1)[1] for s in shapes] == ["ImportReportOut", "ErrorOut"]  # a report, or bad input
    assert admin_client.get("/api/v1/docs").status_code == 200


# ---- tokens ----------------------------------------------------------------------------------------

def test_token_lifecycle(tree, make_user, client_for):
    user = make_user(RoleCode.VIEWER, tree["A"])
    r = client_for(user).post("/api/v1/tokens", {"name": "监测网关", "days": 30}, content_type="application/json")
    assert r.status_code == 201
    plaintext = r.json()["token"]
    stored = ApiToken.objects.get(pk=r.json()["id"])
    assert plaintext.startswith("yj_") and plaintext not in (stored.key_hash, stored.prefix)
    bearer = Client(headers={"Authorization": f"Bearer {plaintext}"})
    assert bearer.get("/api/v1/me").json()["username"] == user.username
    assert Client(headers={"X-API-Key": plaintext}).get("/api/v1/me").status_code == 200
    _error(Client(headers={"Authorization": f"Bearer {plaintext}x"}).get("/api/v1/me"), 401, "not_authenticated")
    services.revoke_token(user, stored)
    _error(bearer.get("/api/v1/me"), 401, "not_authenticated")


def test_expired_token_is_refused(tree, make_user):
    user = make_user(RoleCode.VIEWER, tree["A"])
    token, plaintext = services.issue_token(None, user, "old")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _error(Client(headers={"Authorization": f"Bearer {plaintext}"}).get("/api/v1/me"), 401, "not_authenticated")


def test_token_user_gets_same_rights_as_session(tree, make_user):
    user = make_user(RoleCode.UNIT_STAFF, tree["A1"])
    _, plaintext = services.issue_token(None, user, "t")
    c = Client(headers={"Authorization": f"Bearer {plaintext}"})
    r = c.patch(f"/api/v1/units/{tree['A1'].pk}", {"name": "x"}, content_type="application/json")
    _error(r, 403, "permission_denied")
    # bearer-token writes need no CSRF token (no cookie is involved), session writes do
    session = Client(enforce_csrf_checks=True)
    session.force_login(make_user(RoleCode.SYSTEM_ADMIN, tree["city"]))
    r = session.patch(f"/api/v1/units/{tree['A1'].pk}", {"name": "x"}, content_type="application/json")
    assert r.status_code in (401, 403)
    assert OrgUnit.objects.get(pk=tree["A1"].pk).name == "甲一街道"
