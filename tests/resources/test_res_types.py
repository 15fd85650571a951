"""Every resource type through the API: create, change, delete — allowed in the own subtree only, each audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from yingji.core.errors import PermissionDenied
from yingji.core.models import AuditEntry
from yingji.resources.models import Equipment, Inspection

API = "/api/v1/resources"


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def payload(key, unit):
    base = {"owner_unit_id": unit.pk, "lng": 113.2, "lat": 23.1}
    return {
        "warehouses": base | {"code": "W1", "name": "库"},
        "teams": base | {"code": "T1", "name": "队", "kind": "volunteer", "specialty": "general",
                         "capabilities": {"search": 10}, "hazard_types": ["flood"]},
        "equipment": base | {"code": "E1", "name": "冲锋舟", "equipment_type": "舟艇", "capabilities": ["water_rescue"],
                             "inspection_interval_days": 90},
        "experts": base | {"name": "周工", "category": "危险化学品", "specialties": "储罐", "title": "高级工程师"},
        "shelters": base | {"code": "S1", "name": "中心公园", "grade": "II", "capacity": 5000,
                            "boundary": {"type": "Polygon", "coordinates": [[[113.19, 23.09], [113.21, 23.09],
                                                                              [113.21, 23.11], [113.19, 23.09]]]}},
        "facilities": base | {"code": "F1", "name": "镇卫生院", "kind": "hospital", "beds": 80, "doctors": 12,
                              "nurses": 30, "ambulances": 2},
    }[key]


OTYPES = {"warehouses": "warehouse", "teams": "team", "equipment": "equipment", "experts": "expert",
          "shelters": "shelter", "facilities": "facility"}
KEYS = ["warehouses", "teams", "equipment", "experts", "shelters", "facilities"]


@pytest.mark.parametrize("key", KEYS)
def test_crud_in_own_subtree_only_and_audited(world, admin_a, key):
    staff = client(world.staff_a)
    r = staff.post(f"{API}/{key}", payload(key, world.town_a), content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert staff.post(f"{API}/{key}", payload(key, world.town_b), content_type="application/json").status_code == 403
    assert client(world.viewer).patch(f"{API}/{key}/{pk}", {"name": "改"},
                                      content_type="application/json").status_code == 403
    assert client(world.staff_b).delete(f"{API}/{key}/{pk}").status_code == 403
    r = staff.patch(f"{API}/{key}/{pk}", {"name": "改名"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["name"] == "改名"
    assert client(world.duty).get(f"{API}/{key}/{pk}").json()["name"] == "改名"
    assert staff.delete(f"{API}/{key}/{pk}").status_code == 403  # staff write, only the unit's admin deletes
    assert client(admin_a).delete(f"{API}/{key}/{pk}").status_code == 204
    assert client(world.duty).get(f"{API}/{key}/{pk}").status_code == 404
    otype = "resources." + OTYPES[key]
    actions = list(AuditEntry.objects.filter(object_type=otype, object_id=str(pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["create", "update", "delete"]


def test_shelter_with_a_broken_polygon_is_refused(world):
    data = payload("shelters", world.town_a) | {"boundary": {"type": "Polygon", "coordinates": [[[1, 2]]]}}
    r = client(world.staff_a).post(f"{API}/shelters", data, content_type="application/json")
    assert r.status_code == 422 and "boundary" in r.json()["error"]["details"]


def test_negative_capacity_and_unknown_choice_are_refused(world):
    c = client(world.staff_a)
    r = c.post(f"{API}/shelters", payload("shelters", world.town_a) | {"capacity": -5}, content_type="application/json")
    assert r.status_code == 422
    r = c.post(f"{API}/teams", payload("teams", world.town_a) | {"specialty": "magic"}, content_type="application/json")
    assert r.status_code == 422


def test_inspection_through_the_api_clears_overdue(world):
    c = client(world.staff_a)
    old = (dt.date.today() - dt.timedelta(days=200)).isoformat()
    r = c.post(f"{API}/equipment", payload("equipment", world.town_a) | {"last_inspected_on": old},
               content_type="application/json")
    pk = r.json()["id"]
    assert [i["id"] for i in client(world.duty).get(f"{API}/equipment?overdue=true").json()["items"]] == [pk]
    r = c.post(f"{API}/equipment/{pk}/inspections", {"inspected_on": dt.date.today().isoformat(), "passed": False,
                                                      "inspector": "王工", "note": "船底渗水"},
               content_type="application/json")
    assert r.status_code == 201, r.content
    assert client(world.duty).get(f"{API}/equipment?overdue=true").json()["count"] == 0
    eq = Equipment.objects.get(pk=pk)
    assert eq.status == "maintenance" and Inspection.objects.get().note == "船底渗水"
    assert client(world.staff_b).post(f"{API}/equipment/{pk}/inspections",
                                      {"inspected_on": dt.date.today().isoformat()},
                                      content_type="application/json").status_code == 403


def test_members_belong_to_their_teams_unit(world):
    c = client(world.staff_a)
    team = c.post(f"{API}/teams", payload("teams", world.town_a), content_type="application/json").json()
    r = c.post(f"{API}/members", {"team_id": team["id"], "name": "赵六", "squad": "一分队"},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["owner_unit"] == world.town_a.pk
    assert client(world.staff_b).post(f"{API}/members", {"team_id": team["id"], "name": "钱七"},
                                      content_type="application/json").status_code == 403
    r = client(world.viewer).get(f"{API}/members?team={team['id']}")
    assert [m["name"] for m in r.json()["items"]] == ["赵六"]


def test_unknown_filter_values_and_ordering_are_clear_errors(world):
    c = client(world.duty)
    assert c.get(f"{API}/warehouses?ordering=secret").status_code == 400
    assert c.get(f"{API}/experts?capability=pumping").status_code == 400
    assert c.get(f"{API}/capabilities?near=113,23&radius_km=5").status_code == 400
    assert c.get(f"{API}/warehouses?bbox=1,2,3").status_code == 400


def test_handing_a_warehouse_to_another_unit_takes_its_stock_along(world, warehouse_a, item):
    from yingji.resources import services
    from yingji.resources.models import StockBatch, StockMovement

    batch = services.receive(world.staff_a, warehouse_a, item, 10)
    services.update(None, warehouse_a, {"owner_unit": world.town_b})
    batch.refresh_from_db()
    assert batch.owner_unit_id == world.town_b.pk
    assert set(StockMovement.objects.filter(batch=batch).values_list("owner_unit_id", flat=True)) == {world.town_b.pk}
    # now town B's staff may issue from it and town A's may not
    services.issue(world.staff_b, batch, 1)
    with pytest.raises(PermissionDenied):
        services.issue(world.staff_a, batch, 1)
    assert StockBatch.objects.get(pk=batch.pk).quantity == 9
    assert AuditEntry.objects.filter(object_type="resources.stockbatch", object_id=str(batch.pk), action="move").exists()


def test_equipment_cannot_be_attached_to_another_units_team(world):
    from yingji.core.errors import ValidationFailed
    from yingji.resources import services
    from yingji.resources.models import Team

    team = services.create(None, Team, {"owner_unit": world.rescue, "code": "R1", "name": "蓝天队", "kind": "social",
                                        "specialty": "search"})
    with pytest.raises(ValidationFailed) as err:
        services.create(world.staff_a, Equipment, {"owner_unit": world.town_a, "code": "E9", "name": "无人机",
                                                   "equipment_type": "无人机", "team": team})
    assert "team" in err.value.details and not Equipment.objects.filter(code="E9").exists()


def test_deleting_a_team_audits_its_members_and_detached_equipment(world, admin_a):
    from yingji.resources import services
    from yingji.resources.models import Team, TeamMember

    team = services.create(None, Team, {"owner_unit": world.town_a, "code": "T7", "name": "队", "kind": "social",
                                        "specialty": "search"})
    member = services.add_member(None, team, name="孙八")
    eq = services.create(None, Equipment, {"owner_unit": world.town_a, "code": "E7", "name": "绳索",
                                           "equipment_type": "绳索", "team": team})
    services.delete(admin_a, team)
    assert not TeamMember.objects.exists()
    eq.refresh_from_db()
    assert eq.team_id is None
    assert AuditEntry.objects.filter(object_type="resources.teammember", object_id=str(member.pk),
                                     action="delete").exists()
    assert AuditEntry.objects.filter(object_type="resources.equipment", object_id=str(eq.pk), action="update",
                                     actor_name="admin_a").exists()
