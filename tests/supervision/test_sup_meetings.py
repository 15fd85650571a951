"""Meetings: a decision becomes a supervised task in one step; responsibility lists are versioned; the result
code table is editable through the generic pages."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.supervision.conftest import in_days

from yingji.core import crud
from yingji.core.errors import ValidationFailed
from yingji.supervision import meetings
from yingji.supervision.models import Assignment, Decision, Meeting, ResponsibilityList, ResultCode, Task

pytestmark = pytest.mark.django_db


def _meeting(m):
    return crud.create(m.officer, Meeting(owner_unit=m.bureau, title="2026年第一次安委会成员单位会议",
                                          held_at=timezone.now(), agenda="汛前准备", attendees="各成员单位"))


def test_a_decision_becomes_an_assigned_task_in_one_step(motion, client_for):
    m = motion
    meeting = _meeting(m)
    c = client_for(m.officer)
    page = c.get(f"/supervision/meetings/{meeting.pk}/").content.decode()
    assert 'data-testid="action-form"' in page
    r = c.post(f"/supervision/meetings/{meeting.pk}/action/", {
        "text": "消防救援支队牵头开展高层建筑消防通道专项整治", "lead_unit": m.fire.pk,
        "lead_deadline": str(in_days(30)), "co_unit": m.bureau.pk, "co_deadline": str(in_days(20))})
    assert r.status_code == 302
    d = Decision.objects.get(meeting=meeting)
    assert (d.task.source, d.task.state, d.task.source_id) == ("meeting", "assigned", meeting.pk)
    assert Assignment.objects.filter(task=d.task).count() == 2
    assert d.task in Task.objects.restrict(m.fire1)


def test_a_bad_decision_writes_nothing(motion):
    m = motion
    meeting = _meeting(m)
    before = (Task.objects.count(), Decision.objects.count())
    with pytest.raises(ValidationFailed):
        meetings.decide(m.officer, meeting, text="整治", lead=(m.fire, in_days(-5)))
    assert (Task.objects.count(), Decision.objects.count()) == before


def test_responsibility_lists_are_versioned(motion, client_for):
    m = motion
    c = client_for(m.officer)
    for items in ("统筹安委会日常工作\n组织督查督办", "统筹安委会日常工作\n组织督查督办\n牵头防灾减灾工作会"):
        r = c.post("/supervision/duty-lists/publish/", {"unit": m.bureau.pk, "items": items})
        assert r.status_code == 302
    rows = list(ResponsibilityList.objects.filter(owner_unit=m.bureau).order_by("version"))
    assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
    assert rows[1].items.count("\n") == 2
    with pytest.raises(ValidationFailed):
        meetings.publish_list(m.officer, m.bureau, title="", items="  \n ")
    assert ResponsibilityList.objects.filter(owner_unit=m.bureau).count() == 2


def test_result_codes_are_an_editable_table(tree, make_user, client_for):
    from yingji.core.roles import RoleCode
    from yingji.supervision.services import ensure_result_codes

    ensure_result_codes()  # a migration seeds them; a transactional test before this one may have flushed them
    admin = make_user(RoleCode.UNIT_ADMIN, tree["city"], "cityadmin")
    c = client_for(admin)
    assert "解决采纳" in c.get("/supervision/result-codes/").content.decode()
    r = c.post("/supervision/result-codes/new/", {"code": "E", "name": "已列入计划", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert ResultCode.objects.filter(code="E", name="已列入计划").exists()
    district_admin = make_user(RoleCode.UNIT_ADMIN, tree["A"], "districtadmin")
    r = client_for(district_admin).post("/supervision/result-codes/new/", {"code": "F", "name": "x"})
    assert not ResultCode.objects.filter(code="F").exists()


def test_meetings_decisions_and_lists_through_the_api(motion, client_for):
    m = motion
    meeting = _meeting(m)
    c = client_for(m.officer)
    listed = c.get("/api/v1/tasks/meetings").json()
    assert [x["title"] for x in listed["items"]] == [meeting.title]
    r = c.post(f"/api/v1/tasks/meetings/{meeting.pk}/decisions",
               {"text": "各区完成汛前隐患排查", "lead": {"unit": m.fire.code, "deadline": str(in_days(30))},
                "co_handlers": []}, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["lead"]["unit"] == m.fire.name
    assert c.get("/api/v1/tasks/decisions").json()["count"] == 1
    r = c.post("/api/v1/tasks/duty-lists/publish", {"unit": m.bureau.code, "items": "一、统筹协调\n二、督查督办"},
               content_type="application/json")
    assert r.status_code == 201 and r.json()["version"] == 1
    bad = c.post(f"/api/v1/tasks/meetings/{meeting.pk}/decisions",
                 {"text": "", "lead": {"unit": m.fire.code, "deadline": str(in_days(3))}}, content_type="application/json")
    assert bad.status_code == 422 and Decision.objects.count() == 1
