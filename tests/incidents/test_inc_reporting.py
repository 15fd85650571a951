"""Reporting deadlines (信息报送): local rules and 493号令's one hour for production-safety accidents, follow-ups
after each written report, the final report, and overdue reports flagged to the supervisor as Tasks."""

from __future__ import annotations

import datetime as dt

import pytest

from yingji.incidents import deadlines, reporting, services
from yingji.incidents.deadlines import LocalRule

T0 = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)


def test_initial_reports_follow_the_local_rules():
    dues = deadlines.initial_due(T0, 4)
    assert [(d.channel, d.due_at - T0) for d in dues] == [("phone", dt.timedelta(minutes=30)),
                                                          ("written", dt.timedelta(hours=1))]


def test_a_production_safety_accident_is_due_within_the_hour_of_493_even_when_local_rules_allow_more():
    rules = [LocalRule("initial", "phone", 30), LocalRule("initial", "written", 120)]
    dues = {d.channel: d for d in deadlines.initial_due(T0, 3, rules, production_safety=True, deaths=3)}
    assert dues["written"].due_at == T0 + dt.timedelta(hours=1)
    assert "第九条" in dues["written"].basis
    assert dues["phone"].due_at == T0 + dt.timedelta(minutes=30)


def test_follow_up_is_more_frequent_for_major_events_and_final_counts_from_the_end_of_response():
    assert deadlines.follow_up_due(T0, 4).due_at == T0 + dt.timedelta(hours=24)
    assert deadlines.follow_up_due(T0, 2).due_at == T0 + dt.timedelta(hours=4)
    assert deadlines.final_due(T0, 3).due_at == T0 + dt.timedelta(hours=24)
    assert deadlines.follow_up_due(T0, 4, [LocalRule("follow_up", "written", 60, max_level=1)]) is None


@pytest.mark.django_db
def test_reports_are_scheduled_submitted_and_followed_up(city):
    inc = services.report(city.duty, owner_unit=city.city, title="某化工厂泄漏", hazard_type="wsa10026",
                          lng=113.2, lat=23.1, deaths=1)
    reports = {r.channel: r for r in inc.reports.all()}
    assert set(reports) == {"phone", "written"}
    assert reports["written"].due_at - inc.reported_at == dt.timedelta(hours=1)
    reporting.submit(city.duty, reports["written"], text="书面初报", recipient="市政府")
    follow = inc.reports.get(kind="follow_up")
    assert follow.submitted_at is None and follow.due_at > reports["written"].due_at


@pytest.mark.django_db
def test_overdue_reports_become_one_supervision_task_each(city):
    from yingji.supervision import selectors as supervision

    inc = services.report(None, owner_unit=city.town_a, title="内涝", hazard_type="waterlogging", lng=113.2,
                          lat=23.1, reported_at=T0)
    assert reporting.flag_overdue(now=T0 + dt.timedelta(minutes=45)) == 1  # the phone report only
    assert reporting.flag_overdue(now=T0 + dt.timedelta(minutes=45)) == 0
    assert reporting.flag_overdue(now=T0 + dt.timedelta(minutes=90)) == 1  # now the written one too
    tasks = supervision.tasks(city.commander).filter(source_type="incidents.incident", source_id=inc.pk)
    assert tasks.count() == 2
    t = tasks.first()
    assert t.owner_unit == city.district and "信息报送超时" in t.title
    assert t.assignments.get().owner_unit == city.town_a
    assert inc.reports.filter(overdue_task_id__isnull=False).count() == 2
