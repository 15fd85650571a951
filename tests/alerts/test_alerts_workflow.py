"""The life of a warning through the services: draft → approval by the level's approver → published (CAP Alert,
acknowledgement asked of every town inside the area) → updated (CAP Update referencing the Alert) → cancelled
(CAP Cancel) or expired by the job; refused steps change nothing; every step on the timeline and in the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.alerts.conftest import square, when

from yingji.alerts import ack, services
from yingji.alerts.models import CapMessage, State, Warning
from yingji.core import timeline
from yingji.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yingji.core.models import AuditEntry
from yingji.domain import cap

pytestmark = pytest.mark.django_db


def test_area_from_towns_and_from_polygon(city, draft):
    w = draft(towns=city.towns[:2])
    assert w.area_units == [t.pk for t in city.towns[:2]]
    assert w.boundary["type"] in ("Polygon", "MultiPolygon") and w.lat and w.lng
    # A polygon over the first and third towns' corner strips: the towns it overlaps, not the one it misses.
    poly = square(113.26, 23.01, 0.02)  # inside 长安街道 only
    w2 = services.create_draft(city.duty, owner_unit=city.city, headline="x", hazard_type="rainstorm", level=3,
                               onset=when(), expires=when(2), area=poly)
    assert w2.area_units == [city.towns[0].pk]


@pytest.mark.parametrize("bad, field", [
    ({"level": 7}, "level"), ({"hazard_type": "nope"}, "hazard_type"), ({"headline": " "}, "headline"),
    ({"expires": "onset"}, "expires"), ({"towns": []}, "area"),
    ({"area": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [0, 0]]]}}, "area"),
])
def test_bad_drafts_are_refused_and_nothing_is_written(city, bad, field):
    args = dict(owner_unit=city.city, headline="暴雨", hazard_type="rainstorm", level=2, onset=when(),
                expires=when(3), towns=[city.towns[0].pk])
    if bad.get("expires") == "onset":
        bad = {"expires": args["onset"]}
    args.update(bad)
    before = Warning.objects.count(), AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as info:
        services.create_draft(city.duty, **args)
    assert field in info.value.details
    assert (Warning.objects.count(), AuditEntry.objects.count()) == before


def test_the_level_decides_who_approves(city, draft):
    red = draft(level=1)
    services.submit(city.duty, red)
    with pytest.raises((PermissionDenied, NotFound)):  # a district admin may not approve (nor see) the city's red
        services.approve(city.district_admin, red)
    with pytest.raises(PermissionDenied):  # nor the duty officer, who drafts
        services.approve(city.duty, red)
    assert Warning.objects.get(pk=red.pk).state == State.PENDING
    assert not CapMessage.objects.exists()
    from yingji.notifications.models import Notification

    assert Notification.objects.filter(user=city.commander, message__kind="alerts.approval").exists()
    assert not Notification.objects.filter(user=city.district_admin, message__kind="alerts.approval").exists()
    services.approve(city.commander, red)
    yellow = draft(level=3, owner_unit=city.A, actor=city.district_admin)
    services.submit(city.district_admin, yellow)
    assert services.approve(city.district_admin, yellow).state == State.PUBLISHED


def test_configurable_approvers(city, draft, settings):
    settings.YINGJI_WARNINGS = {"APPROVER_KINDS": {3: ["city"]}}
    w = draft(level=3, owner_unit=city.A, actor=city.district_admin)
    services.submit(city.district_admin, w)
    with pytest.raises(PermissionDenied):
        services.approve(city.district_admin, w)


def test_publish_update_cancel_as_cap(city, draft):
    w = draft(level=2)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    assert w.state == State.PUBLISHED and w.version == 1
    alert = cap.parse(bytes(w.messages.get().xml))
    assert alert.msg_type == "Alert" and alert.status == "Actual"
    assert alert.infos[0].language == "zh-CN" and alert.infos[0].severity == "Severe"
    assert {v for _n, v in alert.infos[0].areas[0].geocodes} == {t.code for t in city.towns[:2]}

    w = services.update_published(city.commander, w, {"level": 1, "headline": "暴雨红色预警"})
    upd = cap.parse(bytes(CapMessage.objects.get(warning=w, msg_type="Update").xml))
    assert upd.infos[0].severity == "Extreme"
    assert [r.identifier for r in upd.references] == [alert.identifier]
    with pytest.raises((PermissionDenied, NotFound)):  # red now: the district may not cancel it
        services.cancel(city.district_admin, w, "雨停")
    w = services.cancel(city.commander, w, "降雨已减弱")
    c = cap.parse(bytes(CapMessage.objects.get(warning=w, msg_type="Cancel").xml))
    assert [r.identifier for r in c.references] == [alert.identifier, upd.identifier]
    assert w.state == State.CANCELLED
    kinds = [e.kind for e in timeline.entries(city.commander, w)]
    assert kinds == ["drafted", "submitted", "published", "updated", "cancelled"]
    with pytest.raises(Conflict):
        services.cancel(city.commander, w, "again")


def test_exercise_is_marked_in_cap(city, draft):
    w = draft(level=4, is_exercise=True)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    assert cap.parse(bytes(w.messages.get().xml)).status == "Exercise"


def test_every_town_in_the_area_acknowledges_and_late_ones_escalate(city, draft):
    from yingji.notifications import services as notifications
    from yingji.notifications.models import Notification

    w = draft(level=2, towns=city.towns)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    rows = ack.rows(w)
    assert rows["total"] == 3 and rows["signed"] == 0
    assert not Notification.objects.filter(user=city.far_staff).exists()
    ack.acknowledge(city.staff[0], w)
    ack.acknowledge(city.staff[0], w)  # twice: one sign-off, one timeline entry
    ack.acknowledge(city.town_admin[1], w)
    rows = ack.rows(w)
    assert rows["signed"] == 2
    signed = {r["unit"].pk: r["signed_by"] for r in rows["rows"] if r["signed_at"]}
    assert signed == {city.towns[0].pk: city.staff[0], city.towns[1].pk: city.town_admin[1]}
    with pytest.raises(Conflict):
        ack.acknowledge(city.far_staff, w)
    # 白沙镇 does not sign in time: the notifications job escalates it to its admin and the district's.
    later = timezone.now() + dt.timedelta(hours=2)
    assert notifications.escalate_overdue(later) == 1
    late = [r for r in ack.rows(w)["rows"] if not r["signed_at"]][0]
    assert late["unit"] == city.towns[2] and late["escalated_at"] is not None
    assert Notification.objects.filter(user=city.district_admin, message__key__startswith="escalation:").exists()
    assert [e.kind for e in timeline.entries(city.commander, w)].count("acknowledged") == 2


def test_towns_in_the_area_see_the_warning(city, draft):
    w = draft(level=3)
    assert not Warning.objects.restrict(city.staff[0]).filter(state=State.DRAFT, pk=w.pk).exists()
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    assert Warning.objects.restrict(city.staff[0]).filter(pk=w.pk).exists()


def test_reject_returns_to_draft_with_reason(city, draft):
    w = draft(level=2)
    services.submit(city.duty, w)
    with pytest.raises(ValidationFailed):
        services.reject(city.commander, w, "")
    w = services.reject(city.commander, w, "区域过大")
    assert w.state == State.DRAFT and w.reject_reason == "区域过大"
    w = services.edit(city.duty, w, {"headline": "暴雨橙色预警（修订）"}, towns=[city.towns[0].pk])
    assert w.area_units == [city.towns[0].pk]


def test_expiry_job(city, draft):
    from yingji.alerts import jobs

    w = draft(level=3, hours=1)
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    Warning.objects.filter(pk=w.pk).update(expires=timezone.now() - dt.timedelta(minutes=1))
    assert jobs.expire() == 1
    assert jobs.expire() == 0
    w.refresh_from_db()
    assert w.state == State.EXPIRED
    assert timeline.entries(city.commander, w).last().kind == "expired"


def test_escalate_into_incident(city, draft, incidents_provider):
    from yingji.alerts import escalation

    w = draft(level=2, is_exercise=True)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    ref = escalation.to_incident(city.commander, w)
    assert ref == {"id": 41, "url": "/incidents/41/"}
    call = incidents_provider[0]
    assert call["hazard_type"] == "rainstorm" and call["area"] == w.boundary and call["is_exercise"] is True
    assert call["lat"] == w.lat and call["level"] == 2
    assert escalation.to_incident(city.commander, w) == ref and len(incidents_provider) == 1


def test_escalate_without_incidents_module_is_refused(city, draft, monkeypatch):
    from yingji.alerts import escalation
    from yingji.core import links

    monkeypatch.delitem(links._registry, "incidents.open_from_warning", raising=False)  # as if not installed
    w = draft(level=2)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    with pytest.raises(Conflict) as info:
        escalation.to_incident(city.commander, w)
    assert "突发事件模块" in info.value.message


def test_escalated_incident_grade_and_basis_agree_in_either_language(city, draft, client_for):
    """An orange warning escalated (by a commander using English) opens a 重大 (II) incident through the real
    incidents link; its stored basis is Chinese and says why it is II; the incident page shows the badge and the
    basis in the viewer's language."""
    from django.utils import translation

    from yingji.alerts import escalation
    from yingji.incidents.models import Incident

    w = draft(level=2)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    with translation.override("en"):
        ref = escalation.to_incident(city.commander, w)
    inc = Incident.objects.get(pk=ref["id"])
    assert inc.level == 2
    assert "橙色预警" in inc.level_basis and "重大" in inc.level_basis and "graded" not in inc.level_basis
    assert "定为一般" not in inc.level_basis.split("；")[0]
    c = client_for(city.commander)
    zh = c.get(ref["url"]).content.decode()
    assert 'badge level-2">重大<' in zh and inc.level_basis in zh and "graded" not in zh
    c.cookies["django_language"] = "en"
    en = c.get(ref["url"]).content.decode()
    assert 'badge level-2">Serious (II)<' in en
    basis = en.split('data-testid="level-basis">')[1].split("</dd>")[0]
    assert "Graded by the warning&#x27;s level (Orange warning): Serious (II) incident" in basis and "Serious (II)" in basis and "预警" not in basis


def test_an_escalated_incident_keeps_the_warnings_level_when_later_figures_are_lower(city, draft):
    """Figures reported after escalation re-grade the incident, but never below the warning it came from; figures
    above the floor still raise it."""
    from yingji.alerts import escalation
    from yingji.incidents import services as incidents
    from yingji.incidents.models import Incident

    w = draft(level=2)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    inc = Incident.objects.get(pk=escalation.to_incident(city.commander, w)["id"])
    assert inc.level == 2 and inc.warning_level == 2
    inc = incidents.update_figures(city.commander, inc, {"injuries": 1, "serious_injuries": 1}, reason="续报")
    assert inc.level == 2 and "橙色预警" in inc.level_basis
    inc = incidents.update_figures(city.commander, inc, {"deaths": 40}, reason="续报")
    assert inc.level == 1 and "橙色预警" not in inc.level_basis


def test_a_draft_already_past_its_expiry_is_not_submitted(city):
    """A draft dated wholly in the past (2020) is refused at submission, not only at approval, and stays a draft."""
    w = services.create_draft(city.duty, owner_unit=city.city, headline="暴雨橙色预警", hazard_type="rainstorm",
                              level=2, onset=when(-30), expires=when(-29), towns=[city.towns[0].pk],
                              description="预计有强降雨", instruction="注意防范")
    with pytest.raises(Conflict) as exc:
        services.submit(city.duty, w)
    assert exc.value.code == "expired"
    w.refresh_from_db()
    assert w.state == State.DRAFT


def test_no_warning_goes_out_without_measures_and_guidance(city, client_for):
    """A rule draft starts without 防御措施与指引 (the standards hold the signals' criteria, not their guidance):
    submitting, approving or an update that blanks it is refused with a clear message, in the user's language,
    and nothing changes; with guidance it goes through."""
    from yingji.core import links

    made = links.call("warnings.draft_from_rule", rule_id=9, rule_name="1小时雨量≥30毫米", level=3,
                      hazard_type="rainstorm", area=square(113.25, 23.0, 0.08), sensor_ids=[1], evidence={"sum": 31},
                      fired_at=when())
    w = Warning.objects.get(pk=made["id"])
    assert w.instruction == ""
    with pytest.raises(ValidationFailed) as info:
        services.submit(city.duty, w)
    assert "instruction" in info.value.details and "第六十四条" in info.value.details["instruction"][0]
    w.refresh_from_db()
    assert w.state == State.DRAFT
    c = client_for(city.duty)
    page = c.get(f"/warnings/{w.pk}/").content.decode()
    assert 'data-testid="needs-guidance"' in page
    c.cookies["django_language"] = "en"
    r = c.post(f"/warnings/{w.pk}/do/submit/", follow=True)
    assert r.status_code == 200 and "cannot be submitted" in r.content.decode() and "art. 64" in r.content.decode()
    api = c.post(f"/api/v1/warnings/{w.pk}/submit")
    assert api.status_code == 422 and "instruction" in api.json()["error"]["details"]
    w.refresh_from_db()
    assert w.state == State.DRAFT
    # A warning pending from before the rule (or written around it) is not approved either.
    Warning.objects.filter(pk=w.pk).update(state=State.PENDING)
    with pytest.raises(ValidationFailed):
        services.approve(city.commander, w)
    assert Warning.objects.get(pk=w.pk).state == State.PENDING
    Warning.objects.filter(pk=w.pk).update(state=State.DRAFT)
    w = services.edit(city.duty, w, {"instruction": "停止户外集体活动，远离低洼地带。"})
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    assert w.state == State.PUBLISHED
    with pytest.raises(ValidationFailed):
        services.update_published(city.commander, w, {"instruction": "  "})
    assert Warning.objects.get(pk=w.pk).instruction == "停止户外集体活动，远离低洼地带。"
