"""Reminders before deadlines and escalation after them: each once, to the right desks, idempotent on re-runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.supervision.conftest import in_days

from yingji.core import jobs
from yingji.notifications import selectors as inboxes
from yingji.supervision import jobs as sup_jobs  # noqa: F401 — registers the jobs
from yingji.supervision import services
from yingji.supervision.models import Assignment

pytestmark = pytest.mark.django_db


def _titles(user, prefix):
    return [n.message.title for n in inboxes.inbox(user) if n.message.title.startswith(prefix)]


def test_jobs_are_registered_as_periodic():
    names = {j.name: j for j in jobs.jobs()}
    assert names["supervision.reminders"].periodic and names["supervision.escalate"].periodic


def test_reminder_once_before_the_deadline(motion):
    m = motion
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="防汛检查")
    services.assign(m.officer, t, lead=(m.fire, in_days(2)), notify=False)
    far = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="远期事项")
    services.assign(m.officer, far, lead=(m.fire, in_days(20)), notify=False)
    assert services.send_reminders() == 1
    assert services.send_reminders() == 0
    assert _titles(m.fire1, "督办事项即将到期") == ["督办事项即将到期：防汛检查"]


def test_escalation_once_to_the_units_leadership_and_the_supervisor(motion):
    m = motion
    t = services.create_task(None, owner_unit=m.bureau, requester_unit=m.congress, title="隐患整改")
    services.assign(None, t, lead=(m.fire, in_days(-1)), at=timezone.now() - dt.timedelta(days=5), notify=False)
    signed = services.create_task(None, owner_unit=m.bureau, requester_unit=m.congress, title="已答复事项")
    services.assign(None, signed, lead=(m.fire, in_days(-1)), at=timezone.now() - dt.timedelta(days=5), notify=False)
    a = Assignment.objects.get(task=signed)
    services.sign(None, a)
    services.reply(None, a, result_code="A")
    assert services.escalate_overdue() == 1
    assert services.escalate_overdue() == 0  # a re-run (or a retried job) sends nothing
    assert _titles(m.fire2, "督办事项已超期") == ["督办事项已超期：隐患整改"]   # the unit's admin
    assert _titles(m.officer, "督办事项已超期") == ["督办事项已超期：隐患整改"]  # the supervising unit
    assert _titles(m.fire1, "督办事项已超期") == []                             # not every staff member
    assert _titles(m.stranger, "督办事项已超期") == []
    assert Assignment.objects.get(task=t).escalated_at is not None


def test_assignment_asks_for_signoff_in_app_and_by_email(motion, settings, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    from yingji.core import services as core_services

    m = motion
    core_services.update_user(None, m.fire1, {"email": "fire1@example.org"})
    with django_capture_on_commit_callbacks(execute=True):
        t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案0133")
        services.assign(m.officer, t, lead=(m.fire, in_days(10)))
    items = [n for n in inboxes.inbox(m.fire1) if n.message.needs_signoff]
    assert [n.message.title for n in items] == ["请签收督办事项：议案0133"]
    assert any("议案0133" in mail.subject and "fire1@example.org" in mail.to for mail in mailoutbox)
    # signing in the supervision desk also signs the in-app item
    services.sign(m.fire1, Assignment.objects.get(task=t))
    so = inboxes.signoff_for(items[0])
    assert so is not None and so.signed_by_id == m.fire1.pk
