"""The task's life: draft → assigned → signed for → in progress → replied → closed, and its visibility."""

from __future__ import annotations

import pytest
from tests.supervision.conftest import SEED_SCORES, in_days

from yingji.core import timeline
from yingji.core.models import AuditEntry
from yingji.supervision import selectors, services
from yingji.supervision.models import Assignment, AssignmentState, TaskState

pytestmark = pytest.mark.django_db


def _motion_task(m, **kw):
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress,
                             title="关于加强应急救援体系建设的议案", reference=kw.pop("reference", "100202202240133"),
                             source="motion", requester_name="周红军等11人", **kw)
    return services.assign(m.officer, t, lead=(m.bureau, in_days(30)), co=[(m.fire, in_days(20))])


def _handler(task, unit) -> Assignment:
    return Assignment.objects.get(task=task, owner_unit=unit)


def test_the_whole_life_of_a_motion(motion):
    m = motion
    t = _motion_task(m)
    assert t.state == TaskState.ASSIGNED
    lead, co = _handler(t, m.bureau), _handler(t, m.fire)
    services.sign(m.officer, lead)
    assert selectors.task(m.officer, t.pk).state == TaskState.ASSIGNED  # one unit still to sign
    services.sign(m.fire1, co)
    assert selectors.task(m.officer, t.pk).state == TaskState.SIGNED
    services.add_progress(m.fire1, co, "已组织专题研究")
    assert selectors.task(m.officer, t.pk).state == TaskState.IN_PROGRESS
    services.reply(m.fire1, co, result_code="B", text="逐步推进", comm_mode="phone")
    services.reply(m.officer, lead, result_code="A", text="已采纳", comm_mode="phone")
    assert selectors.task(m.officer, t.pk).state == TaskState.REPLIED
    t = services.feedback(m.deputy, t, scores=SEED_SCORES, satisfaction="satisfied")
    assert (t.state, t.scores, t.satisfaction) == (TaskState.CLOSED, SEED_SCORES, "satisfied")
    kinds = [e.kind for e in timeline.entries(m.officer, t)]
    assert kinds == ["created", "assigned", "signed", "signed", "progress", "replied", "replied", "feedback"]


def test_requester_and_every_handling_unit_see_it_and_nobody_else(motion):
    m = motion
    t = _motion_task(m)
    for who in (m.officer, m.fire1, m.deputy):
        assert list(selectors.tasks(who)) == [t]
    assert list(selectors.tasks(m.stranger)) == []
    with pytest.raises(Exception) as exc:
        selectors.task(m.stranger, t.pk)
    assert getattr(exc.value, "code", "") == "not_found"


def test_a_unit_acts_only_on_its_own_part(motion):
    from yingji.core.errors import NotFound, PermissionDenied

    m = motion
    t = _motion_task(m)
    with pytest.raises((PermissionDenied, NotFound)):
        services.sign(m.fire1, _handler(t, m.bureau))
    with pytest.raises((PermissionDenied, NotFound)):  # the requester cannot sign for a handling unit either
        services.sign(m.deputy, _handler(t, m.fire))


def test_returned_task_is_assigned_again(motion):
    m = motion
    t = _motion_task(m)
    co = _handler(t, m.fire)
    services.return_task(m.fire1, co, "不属于本单位职责")
    assert selectors.task(m.officer, t.pk).state == TaskState.RETURNED
    t = services.assign(m.officer, t, lead=(m.bureau, in_days(30)), co=[(m.fire, in_days(25))])
    assert t.state == TaskState.ASSIGNED
    assert _handler(t, m.fire).state == AssignmentState.ASSIGNED


def test_reopen_and_cancel(motion):
    m = motion
    t = _motion_task(m)
    for a in Assignment.objects.filter(task=t):
        who = m.officer if a.owner_unit == m.bureau else m.fire1
        services.sign(who, a)
        services.reply(who, a, result_code="A")
    t = services.reopen(m.officer, t, "答复不具体")
    assert t.state == TaskState.REOPENED
    assert set(Assignment.objects.filter(task=t).values_list("state", flat=True)) == {AssignmentState.IN_PROGRESS}
    t = services.cancel(m.officer, t, "合并办理")
    assert t.state == TaskState.CANCELLED


def test_every_change_is_audited(motion):
    m = motion
    before = AuditEntry.objects.count()
    t = _motion_task(m)
    services.sign(m.fire1, _handler(t, m.fire))
    assert AuditEntry.objects.filter(action="sign", object_type="supervision.assignment").count() == 1
    assert AuditEntry.objects.count() > before
