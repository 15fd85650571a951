"""The warnings pages and API through the test client: forms refuse bad input with field errors and change
nothing (never a 500), the CAP import turns a valid file into a draft and a malformed one into a list of faults,
the map layers colour warnings by level, the desk shows a panel, English works."""

from __future__ import annotations

import json

import pytest
from tests.alerts.conftest import when

from yingji.alerts import capmsg, services
from yingji.alerts.models import State, Warning
from yingji.core.models import AuditEntry
from yingji.domain import cap

pytestmark = pytest.mark.django_db


def _local(moment) -> str:
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(city, **kw):
    data = {"owner_unit": city.city.pk, "headline": "暴雨黄色预警", "hazard_type": "rainstorm", "level": 3,
            "onset": _local(when()), "expires": _local(when(6)),
            "towns": [city.towns[0].pk], "description": "强降雨", "instruction": "注意防范"}
    data.update(kw)
    return data


def test_draft_submit_approve_acknowledge_through_the_pages(city, client_for, monkeypatch):
    from yingji.core import links

    monkeypatch.delitem(links._registry, "incidents.open_from_warning", raising=False)  # as if not installed
    duty = client_for(city.duty)
    assert duty.get("/warnings/").status_code == 200
    assert duty.get("/warnings/new/").status_code == 200
    r = duty.post("/warnings/new/", _form(city))
    assert r.status_code == 302
    w = Warning.objects.get()
    assert duty.get(r["Location"]).status_code == 200
    duty.post(f"/warnings/{w.pk}/do/submit/")
    assert Warning.objects.get().state == State.PENDING
    boss = client_for(city.commander)
    page = boss.get(f"/warnings/{w.pk}/").content.decode()
    assert 'data-testid="approve"' in page
    assert 'data-testid="approve"' not in duty.get(f"/warnings/{w.pk}/").content.decode()
    boss.post(f"/warnings/{w.pk}/do/approve/")
    assert Warning.objects.get().state == State.PUBLISHED
    staff = client_for(city.staff[0])
    page = staff.get(f"/warnings/{w.pk}/").content.decode()
    assert 'data-testid="acknowledge"' in page
    staff.post(f"/warnings/{w.pk}/do/acknowledge/")
    acks = boss.get(f"/warnings/{w.pk}/acknowledgements/").content.decode()
    assert "staff1" in acks and "1/1" in acks
    # Escalation without an incidents module: the button is disabled and says why.
    assert "未安装突发事件模块" in boss.get(f"/warnings/{w.pk}/").content.decode()


def test_bad_form_shows_errors_and_writes_nothing(city, client_for):
    duty = client_for(city.duty)
    before = AuditEntry.objects.count()
    r = duty.post("/warnings/new/", _form(city, expires=_local(when(-1))))
    assert r.status_code == 422 and "失效时间须晚于生效时间" in r.content.decode()
    r = duty.post("/warnings/new/", _form(city, towns=[], area='{"type": "Polygon"}'))
    assert r.status_code == 422
    r = duty.post("/warnings/new/", _form(city, level="9", onset="not a date"))
    assert r.status_code == 422
    assert not Warning.objects.exists() and AuditEntry.objects.count() == before


def test_cancel_needs_a_reason(city, client_for, draft):
    w = draft()
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    boss = client_for(city.commander)
    r = boss.post(f"/warnings/{w.pk}/do/cancel/", {"reason": ""})
    assert r.status_code == 422
    boss.post(f"/warnings/{w.pk}/do/cancel/", {"reason": "雨停"})
    assert Warning.objects.get().state == State.CANCELLED


def _external_cap(**kw) -> bytes:
    import datetime as dt

    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    info = cap.Info(language="zh-CN", categories=["Met"], event="暴雨", urgency="Expected", severity="Moderate",
                    certainty="Likely", headline="省气象台暴雨黄色预警", description="外部预警", onset=now,
                    expires=now + dt.timedelta(hours=6),
                    areas=[cap.Area("江北区", [[(113.21, 23.01), (113.29, 23.01), (113.29, 23.04), (113.21, 23.04),
                                                (113.21, 23.01)]])])
    return cap.build(cap.Alert(identifier=kw.get("identifier", "GD-2026-1"), sender="gd@example.org", sent=now,
                               infos=[info]))


def test_import_cap_file_and_malformed(city, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    duty = client_for(city.duty)
    before = AuditEntry.objects.count()
    bad = duty.post("/warnings/import/", {"owner_unit": city.city.pk,
                                          "file": SimpleUploadedFile("x.xml", b"<alert><oops>")})
    assert bad.status_code == 422 and "well-formed" in bad.content.decode()
    invalid = _external_cap().replace(b"<urgency>Expected</urgency>", b"<urgency>Soon</urgency>")
    bad = duty.post("/warnings/import/", {"owner_unit": city.city.pk, "file": SimpleUploadedFile("x.xml", invalid)})
    assert bad.status_code == 422 and "urgency" in bad.content.decode()
    assert not Warning.objects.exists() and AuditEntry.objects.count() == before
    ok = duty.post("/warnings/import/", {"owner_unit": city.city.pk,
                                         "file": SimpleUploadedFile("x.xml", _external_cap())})
    assert ok.status_code == 302
    w = Warning.objects.get()
    assert w.source == "external" and w.state == State.DRAFT and w.level == 3 and w.hazard_type == "rainstorm"
    assert city.towns[0].pk in w.area_units
    again = duty.post("/warnings/import/", {"owner_unit": city.city.pk,
                                            "file": SimpleUploadedFile("x.xml", _external_cap())})
    assert again.status_code == 302 and Warning.objects.count() == 1


def test_api_workflow_and_errors(city, client_for, monkeypatch):
    from yingji.core import links

    monkeypatch.delitem(links._registry, "incidents.open_from_warning", raising=False)  # as if not installed
    duty = client_for(city.duty)
    body = {"owner_unit": city.city.code, "headline": "暴雨橙色预警", "hazard_type": "rainstorm", "level": 2,
            "onset": when().isoformat(), "expires": when(6).isoformat(), "towns": [t.pk for t in city.towns]}
    r = duty.post("/api/v1/warnings", json.dumps(body), content_type="application/json")
    assert r.status_code == 201, r.content
    wid = r.json()["id"]
    bad = duty.post("/api/v1/warnings", json.dumps({**body, "hazard_type": "zzz"}), content_type="application/json")
    assert bad.status_code == 422 and "hazard_type" in bad.json()["error"]["details"]
    assert duty.post(f"/api/v1/warnings/{wid}/approve").status_code == 409
    r = duty.post(f"/api/v1/warnings/{wid}/submit")  # no measures and guidance yet
    assert r.status_code == 422 and "instruction" in r.json()["error"]["details"]
    services.edit(city.duty, Warning.objects.get(pk=wid), {"instruction": "注意防范"})
    assert duty.post(f"/api/v1/warnings/{wid}/submit").status_code == 200
    assert duty.post(f"/api/v1/warnings/{wid}/approve").status_code == 403
    boss = client_for(city.commander)
    r = boss.post(f"/api/v1/warnings/{wid}/approve")
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert r.json()["cap_messages"] == [f"/cap/{Warning.objects.get().identifier}-1.xml"]
    staff = client_for(city.staff[1])
    assert staff.post(f"/api/v1/warnings/{wid}/acknowledge").json()["unit"] == city.towns[1].name
    acks = boss.get(f"/api/v1/warnings/{wid}/acknowledgements").json()
    assert [a["signed_by"] is not None for a in acks] == [False, True, False]
    assert boss.get("/api/v1/warnings/active").json()[0]["id"] == wid
    assert boss.get("/api/v1/warnings?state=published").json()["count"] == 1
    assert boss.post(f"/api/v1/warnings/{wid}/escalate").status_code == 409


def test_map_layers_by_level_and_geojson(city, client_for, draft):
    from yingji.alerts.views import map_layers
    from yingji.core.levels import COLOURS

    w = draft(level=1)
    services.submit(city.duty, w)
    services.approve(city.commander, w)
    layers = map_layers()
    assert [layer["colour"] for layer in layers] == [COLOURS[v]["bg"] for v in (1, 2, 3, 4)]
    c = client_for(city.duty)
    fc = c.get(layers[0]["url"]).json()
    assert fc["features"][0]["properties"]["url"] == f"/warnings/{w.pk}/"
    assert c.get(layers[1]["url"]).json()["features"] == []
    assert c.get("/map/").status_code == 200
    home = c.get("/").content.decode()
    assert 'data-testid="workbench-warnings"' in home and w.headline in home


def test_english(city, client_for, draft, settings):
    w = draft()
    c = client_for(city.duty)
    c.cookies["django_language"] = "en"
    assert c.get(f"/warnings/{w.pk}/").status_code == 200
    assert c.get("/warnings/chains/").status_code == 200


def test_chain_pages(city, client_for):
    c = client_for(city.commander)
    page = c.get("/warnings/chains/").content.decode()
    assert "暴雨" in page and "滑坡" in page
    assert c.get("/warnings/chain-links/").status_code == 200


def test_cap_from_external_round_trip(city):
    alert = cap.parse(_external_cap())
    fields = capmsg.alert_from_cap(alert)
    assert fields["level"] == 3 and fields["hazard_type"] == "rainstorm"


def test_api_import_file_malformed_and_valid(city, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = client_for(city.duty)
    before = AuditEntry.objects.count()
    for bad in (b"", b"\xff\xfe\x00garbage", b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'/>",
                _external_cap().replace(b"<status>Actual</status>", b"<status>Cancelled</status>")):
        r = c.post("/api/v1/warnings/import", {"owner_unit": city.city.code, "file": SimpleUploadedFile("a.xml", bad)})
        assert r.status_code == 422, (bad[:40], r.content)
        assert r.json()["error"]["details"]["file"]
    assert not Warning.objects.exists() and AuditEntry.objects.count() == before
    r = c.post("/api/v1/warnings/import", {"owner_unit": city.city.code,
                                           "file": SimpleUploadedFile("a.xml", _external_cap())})
    assert r.status_code == 201 and r.json()["source"] == "external"


def test_draft_from_rule_refuses_bad_input_clearly(city):
    from yingji.core import links
    from yingji.core.errors import ValidationFailed

    for bad in ({"area": None}, {"hazard_type": "nope"}, {"area": {"type": "Point", "coordinates": [1, 2]}}):
        args = dict(rule_id=1, rule_name="r", level=3, hazard_type="rainstorm",
                    area={"type": "Polygon", "coordinates": [[[113.2, 23.0], [113.3, 23.0], [113.3, 23.05],
                                                              [113.2, 23.0]]]},
                    sensor_ids=[], evidence={}, fired_at=when())
        args.update(bad)
        with pytest.raises(ValidationFailed):
            links.call("warnings.draft_from_rule", **args)
    assert not Warning.objects.exists()


def test_unit_reference_that_only_looks_numeric(city, client_for):
    """Found by the API fuzz: '³' passes str.isdigit() but not int()."""
    c = client_for(city.duty)
    for unit in ("³", "9" * 40):
        r = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": unit, "url": "http://127.0.0.1:1/x"}),
                   content_type="application/json")
        assert r.status_code == 422 and "owner_unit" in r.json()["error"]["details"]


def test_stored_text_is_chinese_whoever_clicks(city, client_for, draft, risk_provider):
    """A commander using English: the proposal reasons, the draft made from a proposal (its headline and
    description), the timeline and the CAP zh-CN info block are all Chinese; the page itself is English."""
    from django.utils import translation
    from lxml import etree

    from yingji.alerts.models import Proposal
    from yingji.core import timeline

    risk_provider.append({"kind": "hazard_area", "id": 21, "name": "长安镇地质灾害隐患点1号", "lat": 23.02,
                          "lng": 113.27, "hazard_types": ["landslide", "debris_flow"], "risk_level": 3,
                          "owner_unit_id": None, "url": "/risk/areas/21/"})
    with translation.override("en"):
        w = draft(level=3, actor=city.commander)
    p = Proposal.objects.get(warning=w, hazard_type="debris_flow")
    assert p.reason.startswith("黄色暴雨预警区域内有风险区域“长安镇地质灾害隐患点1号”（泥石流")
    c = client_for(city.commander)
    c.cookies["django_language"] = "en"
    r = c.post(f"/warnings/{w.pk}/do/accept/", {"proposal": p.pk})
    assert r.status_code == 302
    second = Warning.objects.get(parent=w)
    assert second.headline == "泥石流蓝色预警（长安镇地质灾害隐患点1号）" and second.description == p.reason
    page = c.get(r["Location"]).content.decode()
    assert '<html lang="en"' in page  # the page itself is English
    texts = [e.text for e in timeline.entries(city.commander, w)] + \
        [e.text for e in timeline.entries(city.commander, second)]
    assert any(t.startswith("采纳次生灾害建议：") for t in texts) and any(t.startswith("起草预警：") for t in texts)
    c.post(f"/warnings/{second.pk}/do/submit/")
    c.post(f"/warnings/{second.pk}/do/approve/")
    second.refresh_from_db()
    assert second.state == State.PUBLISHED
    xml = etree.fromstring(bytes(second.messages.get().xml))
    ns = {"c": "urn:oasis:names:tc:emergency:cap:1.2"}
    assert xml.findtext("c:info/c:language", namespaces=ns) == "zh-CN"
    assert xml.findtext("c:info/c:headline", namespaces=ns) == second.headline
    assert [v.findtext("c:value", namespaces=ns) for v in xml.findall("c:info/c:parameter", namespaces=ns)
            if v.findtext("c:valueName", namespaces=ns) == "yingji:colour"] == ["蓝色"]
    assert all(not e.text.isascii() for e in timeline.entries(city.commander, second))


def test_proposal_buttons_only_for_those_who_may_act(city, client_for, draft, risk_provider):
    """Town staff see the chain's proposals of a warning over their town but not 生成草稿/忽略, which would only
    answer 您没有执行此操作的权限; the drafter sees both."""
    from yingji.alerts.models import Proposal
    from yingji.core import permissions
    from yingji.core.roles import Action

    risk_provider.append({"kind": "hazard_area", "id": 21, "name": "长安镇地质灾害隐患点1号", "lat": 23.02,
                          "lng": 113.27, "hazard_types": ["landslide"], "risk_level": 3, "owner_unit_id": None,
                          "url": "/risk/areas/21/"})
    w = draft(level=3)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    p = Proposal.objects.get(warning=w)
    staff = city.staff[0]
    assert not permissions.can(staff, Action.ADD, Warning, unit=w.owner_unit)
    page = client_for(staff).get(f"/warnings/{w.pk}/").content.decode()
    assert 'data-testid="proposal"' in page and "长安镇地质灾害隐患点1号" in page
    assert 'data-testid="accept"' not in page and 'data-testid="dismiss"' not in page
    refused = client_for(staff).post(f"/warnings/{w.pk}/do/accept/", {"proposal": p.pk}, follow=True)
    assert "没有执行此操作的权限" in refused.content.decode()  # what the hidden button would have said
    mine = client_for(city.duty).get(f"/warnings/{w.pk}/").content.decode()
    assert 'data-testid="accept"' in mine and 'data-testid="dismiss"' in mine
