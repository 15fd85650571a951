"""A hidden danger's life: reported (a grid officer with a photo, an enterprise's self-check) → rectification
ordered as a supervised Task → evidence → verified and closed, or sent back; past its deadline it escalates once
to the town and the district; each step refused with a clear error when it is not the time or not yours."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.utils import timezone
from PIL import Image
from tests.risk.conftest import in_days

from yingji.core import attachments, timeline
from yingji.notifications.models import Message
from yingji.risk.models import DangerState, HiddenDanger
from yingji.risk.services import dangers
from yingji.supervision.models import Assignment, AssignmentState, Task, TaskState

pytestmark = pytest.mark.django_db


def jpost(c, url, body):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


def test_full_lifecycle_through_the_api(world, cells, client_for):
    grid, town, ent = client_for(world.grid), client_for(world.staff), client_for(world.ent1)
    r = jpost(grid, "/api/v1/risk/dangers/report", {"name": "液氯罐区围堰破损", "lng": 113.305, "lat": 23.105,
                                                   "grade": "major", "enterprise": world.e1.pk,
                                                   "description": "围堰有裂缝"})
    assert r.status_code == 201, r.content
    d = r.json()
    assert d["state"] == "reported" and d["owner_unit_id"] == world.c1.pk and d["grid_cell_id"] == cells["WG-001"].pk
    pk = d["id"]
    assert Message.objects.filter(key=f"risk.major_danger:{pk}").exists()  # a major danger is told to the town
    # the grid officer cannot order; the town can
    order = {"responsible_unit": world.e1.pk, "responsible_person": "张安全", "deadline": str(in_days(10)),
             "order": "三日内修复围堰并检测"}
    assert jpost(grid, f"/api/v1/risk/dangers/{pk}/order", order).status_code == 403
    r = jpost(town, f"/api/v1/risk/dangers/{pk}/order", order)
    assert r.status_code == 200, r.content
    d = r.json()
    assert d["state"] == "rectifying" and d["task_id"]
    task = Task.objects.get(pk=d["task_id"])
    assert (task.owner_unit, task.source, task.source_type, task.source_id, task.urgency) == (
        world.town, "hazard", "risk.hiddendanger", pk, 1)
    lead = Assignment.objects.get(task=task)
    assert (lead.owner_unit, lead.deadline, lead.role) == (world.e1, in_days(10), "lead")
    # the enterprise now sees it (it takes part) and answers with evidence
    assert ent.get(f"/api/v1/risk/dangers/{pk}").status_code == 200
    assert jpost(town, f"/api/v1/risk/dangers/{pk}/verify", {"passed": True}).status_code == 409  # not yet
    danger = HiddenDanger.objects.get(pk=pk)
    attachments.attach(world.ent1, danger, "after.png", png(), note="整改后")
    r = jpost(ent, f"/api/v1/risk/dangers/{pk}/rectify", {"text": "已更换围堰并经检测合格"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "verifying"
    lead.refresh_from_db()
    assert lead.state == AssignmentState.REPLIED and lead.result_code.code == "A"
    # not passed: back to rectification with a new deadline, the Task reopened
    r = jpost(town, f"/api/v1/risk/dangers/{pk}/verify", {"passed": False, "note": "围堰高度不足",
                                                          "new_deadline": str(in_days(5))})
    assert r.status_code == 200 and r.json()["state"] == "rectifying" and r.json()["deadline"] == str(in_days(5))
    assert Task.objects.get(pk=task.pk).state == TaskState.REOPENED
    jpost(ent, f"/api/v1/risk/dangers/{pk}/rectify", {"text": "已加高围堰"})
    r = jpost(town, f"/api/v1/risk/dangers/{pk}/verify", {"passed": True, "note": "合格"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    assert Task.objects.get(pk=task.pk).state == TaskState.CLOSED
    kinds = [e.kind for e in timeline.entries(world.staff, HiddenDanger.objects.get(pk=pk))]
    assert kinds == ["reported", "ordered", "rectified", "rejected", "rectified", "closed"]


def test_overdue_escalates_once_to_town_and_district(world, cells, make_user):
    district_admin = make_user("unit_admin", world.district, "districtadmin")
    d = dangers.report(world.grid, name="配电箱漏电", lat=23.104, lng=113.304)
    past = timezone.now() - dt.timedelta(days=20)
    d = dangers.order(None, d, responsible_unit=world.c1, responsible_person="李社区",
                      deadline=(past + dt.timedelta(days=5)).date(), order_text="更换配电箱", at=past)
    assert d.is_overdue
    assert dangers.escalate_overdue() == 1
    assert dangers.escalate_overdue() == 0  # once
    d.refresh_from_db()
    assert d.escalated_at is not None
    msg = Message.objects.get(key=f"risk.danger_overdue:{d.pk}")
    recipients = set(msg.notifications.values_list("user__username", flat=True))
    assert {"townstaff", "districtadmin"} <= recipients
    assert [e.kind for e in timeline.entries(world.staff, d)][-1] == "escalated"
    # the dashboard counts it
    stats = client_dash(world)
    assert stats["overdue_dangers"] == 1 and stats["open_dangers"] == 1
    assert district_admin  # noqa — the district's admin is told


def client_dash(world):
    from yingji.risk import selectors

    return selectors.dashboard(world.staff)


def test_enterprise_self_report_and_isolation(world, cells, client_for):
    d = dangers.report(world.ent1, name="安全阀未校验", lat=23.105, lng=113.305, found_by="self", enterprise=world.e1,
                       photos=[("valve.png", png())])
    assert d.owner_unit == world.e1 and d.supervising_unit == world.town
    assert attachments.for_subject(world.ent1, d).count() == 1
    assert client_for(world.ent2).get(f"/api/v1/risk/dangers/{d.pk}").status_code == 404
    assert client_for(world.ent2).get("/api/v1/risk/dangers").json()["count"] == 0
    assert client_for(world.staff).get(f"/api/v1/risk/dangers/{d.pk}").status_code == 200
    # enterprise 2 may not rectify or order it
    assert jpost(client_for(world.ent2), f"/api/v1/risk/dangers/{d.pk}/rectify", {"text": "x"}).status_code == 404


@pytest.mark.parametrize("body, field", [
    ({"name": "", "lng": 113.305, "lat": 23.105}, "name"),
    ({"name": "x", "lng": 23.105, "lat": 113.305}, "lat"),
    ({"name": "x", "lng": 113.305, "lat": 23.105, "grade": "huge"}, "grade"),
])
def test_bad_reports_are_422_and_write_nothing(world, cells, client_for, body, field):
    r = jpost(client_for(world.grid), "/api/v1/risk/dangers/report", body)
    assert r.status_code == 422 and field in r.json()["error"]["details"]
    assert HiddenDanger.objects.count() == 0


def test_order_rules(world, cells):
    from yingji.core.errors import Conflict, ValidationFailed

    d = dangers.report(world.grid, name="堆放易燃物", lat=23.104, lng=113.304)
    with pytest.raises(ValidationFailed):
        dangers.order(world.staff, d, responsible_unit=world.c1, responsible_person="李", order_text="清理",
                      deadline=timezone.localdate() - dt.timedelta(days=1))
    d = dangers.order(world.staff, d, responsible_unit=world.c1, responsible_person="李", order_text="清理",
                      deadline=in_days(3))
    with pytest.raises(Conflict):
        dangers.order(world.staff, d, responsible_unit=world.c1, responsible_person="李", order_text="清理",
                      deadline=in_days(3))
    # The grid officer answers for the community (their risk role); the Task's sign-off and reply are recorded
    # under the grid officer's name, not as the system's.
    d = dangers.rectify(world.grid, d, text="已清理")
    assert d.state == DangerState.VERIFYING
    from yingji.core.models import AuditEntry
    from yingji.supervision.models import Assignment

    a = Assignment.objects.get(task_id=d.task_id)
    assert a.state == "replied" and a.signed_by == world.grid
    steps = AuditEntry.objects.filter(object_type="supervision.assignment", object_id=str(a.pk)).order_by("seq")
    assert [e.actor_id for e in steps if e.action in ("sign", "update")] == [world.grid.pk, world.grid.pk]
    d = dangers.cancel(world.staff, HiddenDanger.objects.create(
        owner_unit=world.c1, code="YH-X", name="误报", reported_at=timezone.now(), supervising_unit=world.town),
        "误报")
    assert d.state == DangerState.CANCELLED
