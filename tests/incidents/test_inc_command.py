"""The command post, its working groups (members editable on the page and through the API) and the Tasks given
to units for an incident, with every change on the incident's timeline and in the audit log."""

from __future__ import annotations

import json

import pytest
from tests.incidents.conftest import error, ok, post

from yingji.core.models import AuditEntry
from yingji.incidents.models import WorkingGroup

pytestmark = pytest.mark.django_db
API = "/api/v1/incidents"


def _incident(c):
    body = {"title": "长安镇内涝", "hazard_type": "waterlogging", "lng": 113.205, "lat": 23.102,
            "occurred_at": "2026-12-02T08:00:00+08:00", "deaths": 0, "is_exercise": False}
    return ok(post(c, API, body), 201)["id"]


def test_post_groups_and_tasks_through_the_api(city, client_for):
    cmd = client_for(city.commander)
    pk = _incident(cmd)
    error(cmd.get(f"{API}/{pk}/command-post"), 404)
    made = ok(post(cmd, f"{API}/{pk}/command-post", {"name": "内涝现场指挥部", "commander": "李局长",
                                                      "groups": ["综合协调组", "抢险救援组"]}), 201)
    assert made["commander"] == "李局长" and ok(cmd.get(f"{API}/{pk}/command-post"))["id"] == made["id"]
    error(post(cmd, f"{API}/{pk}/command-post", {"name": "x", "commander": "y"}), 409, "exists")
    groups = ok(cmd.get(f"{API}/{pk}/groups"))
    assert [g["name"] for g in groups] == ["综合协调组", "抢险救援组"]
    g = ok(post(cmd, f"{API}/{pk}/groups", {"name": "医疗救治组", "lead_unit": city.town_a.pk, "leader": "张医生",
                                           "members": [{"name": "王护士", "role": "护士", "phone": "139"}]}), 201)
    assert g["lead_unit_name"] == "长安镇" and g["members"] == [{"name": "王护士", "role": "护士", "phone": "139"}]
    changed = ok(cmd.patch(f"{API}/groups/{g['id']}", {"members": [{"name": "赵医生"}], "leader": "赵医生"},
                           content_type="application/json"))
    assert changed["leader"] == "赵医生" and changed["members"] == [{"name": "赵医生", "role": "", "phone": ""}]
    assert changed["lead_unit"] == city.town_a.pk  # fields not given stay
    last = AuditEntry.objects.filter(object_type="incidents.workinggroup", object_id=str(g["id"])).order_by("-id")[0]
    assert json.loads(last.before)["leader"] == "张医生" and json.loads(last.after)["leader"] == "赵医生"

    task = ok(post(cmd, f"{API}/{pk}/tasks", {"unit": city.town_a.pk, "title": "排查低洼地带", "due": "2026-12-05"}),
              201)
    assert task["state"] and task["url"].endswith(f"/{task['id']}/")
    assert [t["id"] for t in ok(cmd.get(f"{API}/{pk}/tasks"))] == [task["id"]]
    texts = [e["text"] for e in ok(cmd.get(f"{API}/{pk}/timeline?limit=100"))["items"]]
    assert any("工作组更新：医疗救治组" in t for t in texts) and any("排查低洼地带" in t for t in texts)


def test_bad_command_input_changes_nothing(city, client_for):
    cmd = client_for(city.commander)
    pk = _incident(cmd)
    g = ok(post(cmd, f"{API}/{pk}/groups", {"name": "综合协调组", "lead_unit": city.town_a.pk}), 201)
    before = WorkingGroup.objects.get(pk=g["id"]).members
    for body in ({"lead_unit": 2**62}, {"members": [{"name": ""}]}, {"members": "王"}, {"leader": "x" * 101},
                 {"members": [{"name": "a"}] * 201}, {"lead_unit": "甲"}):
        r = cmd.patch(f"{API}/groups/{g['id']}", body, content_type="application/json")
        assert r.status_code == 422, (body, r.content)
        assert r.json()["error"]["message"]
    assert WorkingGroup.objects.get(pk=g["id"]).members == before
    error(cmd.patch(f"{API}/groups/{2**62}", {}, content_type="application/json"), 404)
    error(post(cmd, f"{API}/{pk}/tasks", {"unit": city.town_a.pk, "title": "", "due": "2026-12-05"}), 422)
    error(post(cmd, f"{API}/{pk}/tasks", {"unit": city.town_a.pk, "title": "x", "due": "2026-13-05"}), 422)
    # Someone who may only look cannot change the groups.
    viewer = client_for(city.staff_c)
    r = viewer.patch(f"{API}/groups/{g['id']}", {"leader": "x"}, content_type="application/json")
    assert r.status_code in (403, 404)
    assert WorkingGroup.objects.get(pk=g["id"]).leader == ""


def test_group_members_edited_on_the_page(city, client_for):
    cmd = client_for(city.commander)
    pk = _incident(cmd)
    assert cmd.post(f"/incidents/{pk}/do/post/", {"name": "现场指挥部", "commander": "李局长",
                                                   "groups": ["抢险救援组"]}).status_code == 302
    g = WorkingGroup.objects.get(incident_id=pk)
    page = cmd.get(f"/incidents/{pk}/").content.decode()
    assert f'data-testid="group-{g.pk}"' in page and "编辑抢险救援组" in page
    r = cmd.post(f"/incidents/{pk}/do/group_edit/", {
        "group": g.pk, "unit": city.fire.pk, "leader": "陈队长", "duties": "排涝与转移群众",
        "members": "陈队长 组长 13900000001\n刘一，队员，13900000002\n\n  孙二  "})
    assert r.status_code == 302
    g.refresh_from_db()
    assert g.lead_unit == city.fire and g.leader == "陈队长"
    assert g.members == [{"name": "陈队长", "role": "组长", "phone": "13900000001"},
                         {"name": "刘一", "role": "队员", "phone": "13900000002"}, {"name": "孙二", "role": "", "phone": ""}]
    page = cmd.get(f"/incidents/{pk}/").content.decode()
    assert "刘一（队员） 13900000002" in page
    # A group of another incident, or none, is refused with a message.
    r = cmd.post(f"/incidents/{pk}/do/group_edit/", {"group": "999999", "unit": city.fire.pk}, follow=True)
    assert "工作组不存在" in r.content.decode()
