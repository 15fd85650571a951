"""A module of a few lines (tests/sample_app: two models, a Kind table, one service, three one-line files) gets
list / detail / form / import / export, navigation, a map layer, audit, timeline and permissions from the
kernel alone."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from tests.kernel.conftest import square
from tests.kernel.helpers import user_at
from tests.sample_app import services as sample_services
from tests.sample_app.models import Hydrant

from yingji.core import navigation, participants, timeline
from yingji.core.models import AuditEntry, ParticipantRole
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db
API = "/api/v1/sample/hydrants"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def hydrant(world):
    c = _client(world.staff_a)
    r = c.post(API, {"owner_unit_id": world.town_a.pk, "code": "H-1", "name": "长安一号栓", "lng": 113.21,
                     "lat": 23.11, "hazard_types": ["flood"]}, content_type="application/json")
    assert r.status_code == 201, r.content
    return Hydrant.objects.get(pk=r.json()["id"])


def test_api_create_is_validated_audited_and_located(world, hydrant):
    assert hydrant.town_id == world.town_a.pk  # derived from the town's boundary
    assert ",natural," in hydrant.hazard_index  # a category finds its subtypes
    entry = AuditEntry.objects.get(object_type="sample.hydrant", object_id=str(hydrant.pk))
    assert entry.action == "create" and entry.actor_name == "staff_a"
    r = _client(world.staff_a).post(API, {"owner_unit_id": world.town_a.pk, "code": "H-2", "name": "x",
                                          "hazard_types": ["no-such-hazard"]}, content_type="application/json")
    assert r.status_code == 422 and "no-such-hazard" in r.content.decode()
    r = _client(world.staff_a).get(f"{API}?hazard=natural")
    assert [i["code"] for i in r.json()["items"]] == ["H-1"]


def test_pages_list_detail_form_and_exercise_label(world, hydrant):
    c = _client(world.staff_a)
    page = c.get("/sample/hydrants/").content.decode()
    assert "长安一号栓" in page
    assert c.get(f"/sample/hydrants/{hydrant.pk}/").status_code == 200
    r = c.post(f"/sample/hydrants/{hydrant.pk}/edit/", {"owner_unit": world.town_a.pk, "code": "H-1",
                                                        "name": "长安一号栓（改）", "working": "on",
                                                        "hazard_types": '["flood"]', "lng": "113.21",
                                                        "lat": "23.11", "is_exercise": "on"})
    assert r.status_code == 302, r.content.decode()[:2000]
    hydrant.refresh_from_db()
    assert hydrant.name == "长安一号栓（改）" and hydrant.is_exercise
    assert "演练" in c.get("/sample/hydrants/").content.decode()


def test_import_export_template(world, hydrant):
    c = _client(world.staff_a)
    csv = "所属单位,编号,名称,完好,灾种,经度,纬度,演练\n990101001,H-9,九号栓,是,山洪、滑坡,113.22,23.12,否\n"
    f = io.BytesIO(csv.encode("utf-8"))
    f.name = "h.csv"
    r = c.post(f"{API}/import", {"file": f})
    assert r.status_code == 200, r.content
    h9 = Hydrant.objects.get(code="H-9")
    assert h9.hazard_types == ["flash_flood", "landslide"] and h9.town_id == world.town_a.pk
    exported = c.get(f"{API}/export?format=csv").content.decode("utf-8-sig")
    assert "九号栓" in exported and "山洪、滑坡" in exported
    assert c.get(f"{API}/template?format=xlsx").status_code == 200


def test_navigation_and_map_layer_come_from_the_module(world, hydrant):
    items = {i["key"] for i in navigation.items_for(world.staff_a)}
    assert "sample" in items
    from yingji.core.views import _map_layers

    layers = {layer["kind"]: layer for layer in _map_layers()}
    assert layers["hydrants"]["on"] is True
    gj = _client(world.staff_a).get(layers["hydrants"]["url"]).json()
    assert [f["properties"]["name"] for f in gj["features"]] == ["长安一号栓"]


def test_timeline_and_participants_follow_the_subject(world, hydrant):
    sample_services.test_pressure(world.staff_a, hydrant, 0.5)
    hydrant.refresh_from_db()
    assert hydrant.working is False
    staff_b = world.staff_b
    with pytest.raises(Exception):  # noqa: B017 — NotFound: not visible to another town
        timeline.entries(staff_b, hydrant)
    assert _client(staff_b).get(f"/api/v1/timeline?subject_type=sample.hydrant&subject_id={hydrant.pk}").status_code == 404
    participants.add(None, hydrant, world.town_b, ParticipantRole.CO)
    r = _client(staff_b).get(f"/api/v1/timeline?subject_type=sample.hydrant&subject_id={hydrant.pk}")
    assert r.status_code == 200
    assert [e["kind"] for e in r.json()["items"]] == ["pressure"] and len(r.json()["items"][0]["hash"]) == 64
    # A participant may view, not change (the model grants participants "view" only).
    assert _client(staff_b).patch(f"{API}/{hydrant.pk}", {"name": "x"}, content_type="application/json").status_code == 403


def test_history_follows_the_subject_to_its_new_unit(world, hydrant):
    admin_b = user_at(world.town_b, RoleCode.UNIT_ADMIN, "admin_b")
    admin_a2 = user_at(world.town_a, RoleCode.UNIT_ADMIN, "admin_a2")
    from yingji.core import selectors

    assert selectors.object_history(admin_a2, hydrant).count() == 1
    assert selectors.object_history(admin_b, hydrant).count() == 0
    from yingji.core.kinds import services
    from yingji.core.kinds.registry import kind_for

    services.update(None, kind_for("sample", "hydrants"), hydrant, {"owner_unit": world.town_b})
    assert selectors.object_history(admin_b, hydrant).count() == 2
    assert selectors.object_history(admin_a2, hydrant).count() == 0


def test_town_boundary_change_relocates_nothing_silently(world):
    """A point outside every town's boundary has no town; the locate service answers for many points at once."""
    from yingji.core import places

    assert places.locate(113.21, 23.11).town_id == world.town_a.pk
    assert places.locate(113.41, 23.11).town_id == world.town_b.pk
    assert places.locate(100.0, 30.0).town_id is None
    assert square(1, 1)["type"] == "Polygon"
