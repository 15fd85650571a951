"""Bad input gets a clear error in the user's language and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation
from tests.supervision.conftest import SEED_SCORES, in_days

from yingji.core.errors import Conflict, PermissionDenied, ValidationFailed
from yingji.core.models import AuditEntry, TimelineEntry
from yingji.supervision import services
from yingji.supervision.models import Assignment, Task, TaskState

pytestmark = pytest.mark.django_db


def _footprint():
    return (AuditEntry.objects.count(), TimelineEntry.objects.count(), Assignment.objects.count(),
            list(Task.objects.values_list("state", "scores", "satisfaction")),
            list(Assignment.objects.values_list("state", "result_code_id", "replied_at")))


def _replied(m):
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案")
    t = services.assign(m.officer, t, lead=(m.bureau, in_days(10)), co=[(m.fire, in_days(5))])
    for a in Assignment.objects.filter(task=t):
        who = m.officer if a.owner_unit == m.bureau else m.fire1
        services.sign(who, a)
        services.reply(who, a, result_code="A")
    return Task.objects.get(pk=t.pk)


def test_reply_after_closure_is_refused(motion):
    m = motion
    t = services.feedback(m.deputy, _replied(motion), scores=SEED_SCORES, satisfaction="satisfied")
    assert t.state == TaskState.CLOSED
    before = _footprint()
    with pytest.raises(Conflict) as exc:
        services.reply(m.fire1, Assignment.objects.get(task=t, owner_unit=m.fire), result_code="B")
    assert "办结" in exc.value.message
    assert _footprint() == before


def test_feedback_by_a_unit_that_did_not_request_is_refused(motion):
    m = motion
    t = _replied(motion)
    before = _footprint()
    for who in (m.fire1, m.officer, m.stranger):
        with pytest.raises((PermissionDenied, Exception)) as exc:
            services.feedback(who, t, scores=SEED_SCORES, satisfaction="satisfied")
        assert exc.value.code in ("permission_denied", "not_found")
    assert _footprint() == before


def test_scores_above_the_maximum_are_refused_with_every_fault(motion):
    m = motion
    t = _replied(motion)
    before = _footprint()
    with pytest.raises(ValidationFailed) as exc:
        services.feedback(m.deputy, t, scores={**SEED_SCORES, "答复质量": 31, "问题解决": -1},
                          satisfaction="satisfied")
    assert set(exc.value.details) == {"答复质量", "问题解决"}
    assert "0–30" in exc.value.details["答复质量"][0]
    with pytest.raises(ValidationFailed):
        services.feedback(m.deputy, t, scores={"办理态度": 20}, satisfaction="satisfied")  # missing dimensions
    assert _footprint() == before


def test_the_maxima_are_a_setting(motion, settings):
    settings.YINGJI = {**settings.YINGJI, "SUPERVISION_DIMENSIONS": [["办理态度", 10], ["问题解决", 90]]}
    m = motion
    t = _replied(motion)
    with pytest.raises(ValidationFailed):
        services.feedback(m.deputy, t, scores={"办理态度": 20, "问题解决": 80}, satisfaction="basic")
    t = services.feedback(m.deputy, t, scores={"办理态度": 10, "问题解决": 80}, satisfaction="basic")
    assert t.scores == {"办理态度": 10, "问题解决": 80}


def test_a_deadline_before_the_assignment_date_is_refused(motion):
    m = motion
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案")
    before = _footprint()
    with pytest.raises(ValidationFailed) as exc:
        services.assign(m.officer, t, lead=(m.bureau, in_days(10)), co=[(m.fire, in_days(-1))])
    assert "早于交办日期" in exc.value.message
    assert _footprint() == before
    assert Task.objects.get(pk=t.pk).state == TaskState.DRAFT


def test_errors_speak_english_too(motion):
    m = motion
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案")
    with translation.override("en"), pytest.raises(ValidationFailed) as exc:
        services.assign(m.officer, t, lead=(m.bureau, dt.date(2000, 1, 1)))
    assert "earlier than the assignment date" in exc.value.message


def test_reply_needs_a_sign_off_and_a_valid_code(motion):
    m = motion
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案")
    t = services.assign(m.officer, t, lead=(m.bureau, in_days(10)))
    a = Assignment.objects.get(task=t)
    before = _footprint()
    with pytest.raises(Conflict):
        services.reply(m.officer, a, result_code="A")
    services_sign_then_bad_code = services.sign(m.officer, a)
    mid = _footprint()
    with pytest.raises(ValidationFailed):
        services.reply(m.officer, services_sign_then_bad_code, result_code="Z")
    assert _footprint() == mid != before


@pytest.mark.parametrize("reference", ["³", "99999999999999999999999", "x\u0000"])
def test_a_unit_reference_that_only_looks_numeric_is_an_unknown_unit(tree, reference):
    from yingji.supervision.api import unit_of

    with pytest.raises(ValidationFailed) as exc:
        unit_of(reference, "requester_unit")
    assert "requester_unit" in exc.value.details
