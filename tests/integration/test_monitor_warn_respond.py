"""Issue 12's "Done when", end to end across the four modules as merged, with their own link providers (registered
in each AppConfig.ready — no stand-ins):

monitoring → a rain gauge's readings go over the real Mosquitto at 127.0.0.1:1883 (the test fails, never skips,
when it is unreachable) into the subscriber loop `yingji ingest-mqtt` runs (`Subscriber.run`, here in a thread);
the 暴雨 rules from the template fire and `warnings.draft_from_rule` makes real drafts in `yingji.alerts`;
warnings → in Chromium, the duty officer submits the orange draft and may not approve it, the commander (the
city: orange needs the city) approves and publishes it; it is in /cap/index.atom and its CAP message validates
against the CAP 1.2 schema; the two towns inside the area are asked to sign: one signs on a phone, the other does
not and is escalated when the notifications escalation runs;
risk → the disaster chain proposes a landslide warning for a real hazard area (made through the risk module's
registered type) inside the warning's area, and none for one outside it;
incidents → the commander escalates the warning into an incident and is taken to its command dashboard; a real
Incident carries the warning's hazard type.

Every page visited is axe-clean; phone pages do not scroll sideways."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import uuid
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest
from chromium import fits, launch, login, require_chromium
from django.db import connections
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BROKER = ("127.0.0.1", 1883)
PASSWORD = "correct-horse-9"  # tests/conftest.py make_user's default
ATOM = "{http://www.w3.org/2005/Atom}"


def wait_for(predicate, what: str, seconds: float = 30.0, detail=lambda: "") -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} {detail()}")
        time.sleep(0.05)


def square(x0: float, y0: float, size: float = 0.05) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x0 + size, y0], [x0 + size, y0 + size],
                                                [x0, y0 + size], [x0, y0]]]}


@pytest.fixture
def city(make_user):
    """示范市 like the demo's: 江北区 with three towns side by side (squares 0.05° wide), 城中区 with one far away;
    the command centre's commander and duty officer, the district's admin, each town's staff and admin. The seeds a
    transactional test's flush may have removed are put back."""
    from yingji.alerts import chains
    from yingji.core import services, vocabulary
    from yingji.core.models import OrgUnitKind as K
    from yingji.incidents import grading, reporting
    from yingji.supervision.services import ensure_result_codes

    vocabulary.seed_hazard_types()
    chains.ensure_default_links()
    grading.ensure_default_rules()
    reporting.ensure_default_rules()
    ensure_result_codes()
    root = services.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY, lat=23.1, lng=113.3)
    north = services.create_unit(None, parent=root, code="990101", name="江北区", kind=K.DISTRICT)
    centre = services.create_unit(None, parent=root, code="990102", name="城中区", kind=K.DISTRICT)
    towns = [services.create_unit(None, parent=north, code=f"99010100{i}", name=name, kind=K.TOWN,
                                  lat=23.025, lng=113.225 + 0.05 * i, boundary=square(113.2 + 0.05 * i, 23.0))
             for i, name in enumerate(["长安街道", "青山镇", "白沙镇"], start=1)]
    far = services.create_unit(None, parent=centre, code="990102001", name="石桥街道", kind=K.TOWN,
                               lat=23.225, lng=113.425, boundary=square(113.4, 23.2))
    w = SimpleNamespace(city=root, north=north, centre=centre, towns=towns, far=far)
    w.commander = make_user("commander", root, "commander")
    w.duty = make_user("duty_officer", root, "duty")
    w.district_admin = make_user("unit_admin", north, "dadmin")
    w.staff = [make_user("unit_staff", t, f"staff{i}") for i, t in enumerate(towns, start=1)]
    w.town_admin = [make_user("unit_admin", t, f"tadmin{i}") for i, t in enumerate(towns, start=1)]
    w.far_staff = make_user("unit_staff", far, "farstaff")
    return w


def _login(browser, base, username, width=390):
    page = login(browser, base, username, PASSWORD, width=width, height=844)
    assert "/login/" not in page.url, f"{username} could not log in"
    return page


def test_rain_gauge_to_published_warning_to_incident(live_server, city, monkeypatch, caplog):
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    from yingji.alerts import ack
    from yingji.alerts import conf as alerts_conf
    from yingji.alerts.models import Proposal, Source, State, Warning
    from yingji.core import links, timeline
    from yingji.core.kinds import services as kinds
    from yingji.core.kinds.registry import kind_for
    from yingji.domain import cap
    from yingji.incidents.models import Incident
    from yingji.incidents.models import Source as IncidentSource
    from yingji.monitoring import cli
    from yingji.monitoring import services as monitoring
    from yingji.monitoring.models import RuleFiring
    from yingji.monitoring.mqtt import Subscriber, publish_readings
    from yingji.notifications import services as notifications
    from yingji.notifications.models import Notification
    from yingji.risk import selectors as risk_selectors

    # The modules' own providers answer the links: nothing here (or in a conftest) stands in for them.
    assert links.get("warnings.draft_from_rule").__module__ == "yingji.alerts.provided"
    assert links.get("risk.features_in_area") is risk_selectors.features_in_area
    assert links.get("incidents.open_from_warning").__module__ == "yingji.incidents.services"

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    caplog.set_level("INFO", logger="yingji")
    town1, town2, town3 = city.towns
    run = uuid.uuid4().hex[:8]  # a topic and sensor code of this run's own: parallel runs share the broker

    # --- risk: two landslide areas, one inside where it will rain (青山镇, by the gauge), one outside (白沙镇) ---
    areas = kind_for("risk", "areas")
    slope = kinds.create(city.town_admin[1], areas, {
        "owner_unit": town2, "code": f"DZ-{run}-1", "name": "后山滑坡隐患点", "area_type": "landslide",
        "boundary": square(113.304, 23.02, 0.006), "hazard_types": ["landslide"], "risk_level": 1,
        "exposed_population": 120})
    far_slope = kinds.create(city.town_admin[2], areas, {
        "owner_unit": town3, "code": f"DZ-{run}-2", "name": "白沙滑坡隐患点", "area_type": "landslide",
        "boundary": square(113.385, 23.02, 0.006), "hazard_types": ["landslide"], "risk_level": 2})
    assert slope.lat is not None and slope.pk != far_slope.pk

    # --- monitoring: a rain gauge on the line between 长安街道 and 青山镇, the 暴雨 rules of the template ---
    code = f"RG-{run}"
    gauge = kinds.create(city.duty, kind_for("monitoring", "sensors"), {
        "owner_unit": town2, "code": code, "name": "青山镇雨量站", "kind": "rain", "lat": 23.025, "lng": 113.30,
        "heartbeat_minutes": 10})
    rules = {r.level: r for r in monitoring.rules_from_template(None, owner_unit=city.city, template="rainstorm",
                                                                hazard_type="rainstorm")}
    assert sorted(rules) == [1, 2, 3, 4]

    # The subscriber `yingji ingest-mqtt --user duty` runs (cli.cmd_ingest_mqtt), on a topic of this run's own.
    topic = f"yingji-it-{run}/readings"
    sub = Subscriber(city.duty, *BROKER, topic=topic)
    sub.start()  # raises — the test fails — when the broker is unreachable
    stop = threading.Event()
    loop_failure: list[BaseException] = []

    def ingest_loop():
        try:
            sub.run(stop)
            sub.flush()
        except BaseException as exc:  # noqa: BLE001 — reported by the test's thread
            loop_failure.append(exc)
        finally:
            connections.close_all()

    loop = threading.Thread(target=ingest_loop, name="ingest-mqtt", daemon=True)
    loop.start()
    try:
        wait_for(sub.connected.is_set, "the MQTT subscription")
        # `yingji simulate rain --intensity 25 --hours 3`: 75 mm in three hours ending now (暴雨橙色).
        readings = cli.simulated("rain", [code], intensity=25, hours=3, step_minutes=10)
        publish_readings(*BROKER, readings, topic=topic)

        def progress():
            errors = [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
            return f"(subscriber {sub.stats}, pending {sub.pending()}, log {errors[-5:]})"

        wait_for(lambda: sub.stats["stored"] == len(readings), "the readings stored", detail=progress)
        wait_for(lambda: Warning.objects.filter(source=Source.RULE, rule_id=str(rules[2].pk)).exists(),
                 "the orange rule's draft", detail=progress)
        wait_for(lambda: RuleFiring.objects.filter(rule=rules[2], draft__isnull=False).exists(),
                 "the firing to record its draft", detail=progress)
    finally:
        stop.set()
        loop.join(15)
        sub.stop()
    assert not loop.is_alive() and not loop_failure, loop_failure
    assert sub.stats["bad_messages"] == 0 and sub.stats["rejected"] == 0, sub.stats

    # The orange rule fired on this gauge and drafted a real warning; red (3 h ≥ 100 mm) did not fire.
    firing = RuleFiring.objects.get(rule=rules[2])
    assert firing.sensor_ids == [gauge.pk] and firing.level == 2
    assert not RuleFiring.objects.filter(rule=rules[1]).exists()
    w = Warning.objects.get(pk=firing.draft["id"])
    assert firing.draft["url"] == f"/warnings/{w.pk}/"
    assert (w.state, w.source, w.hazard_type, w.level, w.rule_id) == (State.DRAFT, Source.RULE, "rainstorm", 2,
                                                                       str(rules[2].pk))
    assert w.owner_unit_id == city.city.pk and w.evidence["sensor_ids"] == [gauge.pk]
    # The area (2 km around the gauge) covers 长安街道 and 青山镇, not 白沙镇 or the far town.
    assert sorted(w.area_units) == sorted([town1.pk, town2.pk])
    # Risk: the chain proposed a landslide warning for the real hazard area inside, nothing for the one outside.
    landslide = Proposal.objects.get(warning=w, hazard_type="landslide")
    assert landslide.feature["kind"] == "hazard_area" and landslide.feature["id"] == slope.pk
    assert landslide.feature_key == f"hazard_area:{slope.pk}" and "后山滑坡隐患点" in landslide.reason
    assert landslide.level == 2  # orange + the link's one step, one colour back for a 重大 (major) risk site
    assert not Proposal.objects.filter(feature_key=f"hazard_area:{far_slope.pk}").exists()
    # A rule draft has no measures and guidance, and may not be submitted without them: the duty officer adds them.
    from yingji.alerts import services as warning_services

    w = warning_services.edit(city.duty, w, {"instruction": "停止户外集体活动，远离低洼地带、山体边坡和河道。"})

    # --- warnings, risk and incidents through the pages ---
    base = live_server.url
    seen: dict = {}
    failure: list[BaseException] = []

    def story():
        try:
            with sync_playwright() as p:
                browser = launch(p)
                try:
                    # 1. The duty officer sends the rule's draft for approval on a phone; orange: not theirs to approve.
                    duty = _login(browser, base, "duty")
                    duty.goto(f"{base}/warnings/{w.pk}/")
                    assert "后山滑坡隐患点" in duty.inner_text("[data-testid=proposals]")
                    assert_accessible(duty)
                    fits(duty)
                    duty.click("[data-testid=submit]")
                    duty.wait_for_selector("[data-testid=state]:has-text('待审批')")
                    assert duty.locator("[data-testid=approve]").count() == 0

                    # 2. The commander (the city) approves and publishes it.
                    boss = _login(browser, base, "commander", width=1280)
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    assert_accessible(boss)
                    boss.click("[data-testid=approve]")
                    boss.wait_for_selector("[data-testid=state]:has-text('已发布')")
                    assert_accessible(boss)

                    # 3. The public feed lists it; its CAP message is fetched as any consumer would.
                    feed = boss.request.get(f"{base}/cap/index.atom")
                    assert feed.ok, feed.status
                    seen["feed"] = feed.body()
                    cap_links = [
                        el.get("href") for el in ET.fromstring(seen["feed"]).iter(f"{ATOM}link")
                        if el.get("type") == "application/cap+xml"]
                    seen["cap_links"] = cap_links
                    mine = [h for h in cap_links if f"/cap/{Warning.objects.get(pk=w.pk).identifier}-" in h]
                    assert len(mine) == 1, cap_links
                    msg = boss.request.get(base + "/cap/" + mine[0].rsplit("/cap/", 1)[1])
                    assert msg.ok and "application/cap+xml" in msg.headers["content-type"], msg.status
                    seen["cap"] = msg.body()

                    # 4. 长安街道's staff signs on a phone; 青山镇 is asked too but does not sign.
                    staff = _login(browser, base, "staff1")
                    staff.goto(f"{base}/warnings/{w.pk}/")
                    assert_accessible(staff)
                    fits(staff)
                    staff.click("[data-testid=acknowledge]")
                    staff.wait_for_selector("[data-testid=signed]")
                    other = _login(browser, base, "staff2")
                    other.goto(f"{base}/warnings/{w.pk}/")
                    assert other.locator("[data-testid=acknowledge]").count() == 1
                    other.context.close()

                    # 5. The notifications escalation runs after the orange deadline (60 min): 青山镇 escalated.
                    later = timezone.now() + dt.timedelta(minutes=alerts_conf.ack_minutes(2) + 5)
                    seen["escalated"] = notifications.escalate_overdue(later)
                    boss.goto(f"{base}/warnings/{w.pk}/acknowledgements/")
                    assert boss.inner_text("[data-testid=ack-count]") == "1/2"
                    signed = boss.inner_text(f"[data-testid=ack-{town1.code}]")
                    assert "已签收" in signed and "staff1" in signed, signed
                    unsigned = boss.inner_text(f"[data-testid=ack-{town2.code}]")
                    assert "未签收" in unsigned and "已升级" in unsigned, unsigned
                    assert boss.locator(f"[data-testid=ack-{town3.code}]").count() == 0
                    assert_accessible(boss)

                    # 6. The chain's proposal for the real slope: the commander makes it a draft (parent: ours).
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    proposals = boss.inner_text("[data-testid=proposals]")
                    assert "后山滑坡隐患点" in proposals and "白沙滑坡隐患点" not in proposals
                    row = boss.locator("[data-testid=proposal]", has_text="后山滑坡隐患点")
                    row.locator("[data-testid=accept]").click()
                    boss.wait_for_selector("[data-testid=state]:has-text('草稿')")
                    assert "滑坡" in boss.inner_text("h1")
                    seen["secondary_url"] = boss.url

                    # 7. The commander escalates the warning into an incident and lands on its dashboard.
                    boss.goto(f"{base}/warnings/{w.pk}/")
                    boss.click("[data-testid=escalate]")
                    boss.wait_for_url(re.compile(r".*/incidents/\d+/$"))
                    seen["incident_url"] = boss.url
                    boss.wait_for_selector("h1")
                    seen["incident_h1"] = boss.inner_text("h1")
                    assert_accessible(boss)
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()  # this thread read the database: let the test database be flushed

    t = threading.Thread(target=story, name="chromium-story")
    t.start()
    t.join(150)
    assert not t.is_alive(), "the browser story did not finish in 150 s"
    if failure:
        raise failure[0]

    # Published, in the feed, and a valid CAP 1.2 message for the two towns.
    w.refresh_from_db()
    assert w.state == State.PUBLISHED and w.approved_by_id == city.commander.pk
    cap.validate(seen["cap"])  # raises CapError listing every schema fault
    alert = cap.parse(seen["cap"])
    assert alert.msg_type == "Alert" and alert.status == "Actual" and alert.identifier.startswith(w.identifier)
    info = alert.infos[0]
    assert info.severity == "Severe" and ("yingji:hazard", "rainstorm") in info.event_codes
    assert {v for n, v in info.areas[0].geocodes if n == "yingji:unit"} == {town1.code, town2.code}

    # One town signed, the other was escalated (to its admin and the district's), nobody else was asked.
    assert seen["escalated"] == 1
    rows = {r["unit"].pk: r for r in ack.rows(w)["rows"]}
    assert set(rows) == {town1.pk, town2.pk}
    assert rows[town1.pk]["signed_by"] == city.staff[0] and rows[town1.pk]["escalated_at"] is None
    assert rows[town2.pk]["signed_at"] is None and rows[town2.pk]["escalated_at"] is not None
    for boss_of_town2 in (city.town_admin[1], city.district_admin):
        assert Notification.objects.filter(user=boss_of_town2, message__key__startswith="escalation:").exists()
    assert not Notification.objects.filter(user=city.town_admin[0], message__key__startswith="escalation:").exists()
    assert not Notification.objects.filter(user__in=[city.staff[2], city.far_staff]).exists()

    # The accepted proposal is a landslide draft, child of this warning, around the real slope.
    secondary = Warning.objects.get(parent=w)
    assert seen["secondary_url"].endswith(f"/warnings/{secondary.pk}/")
    assert secondary.hazard_type == "landslide" and secondary.source == Source.CHAIN
    assert secondary.state == State.DRAFT and town2.pk in secondary.area_units

    # A real incident with the warning's hazard type; the commander was taken to it.
    inc = Incident.objects.get(source_ref=f"alerts.warning:{w.pk}:{w.identifier}")
    assert seen["incident_url"] == f"{base}/incidents/{inc.pk}/"
    assert inc.hazard_type == w.hazard_type == "rainstorm" and inc.source == IncidentSource.SENSOR
    assert inc.title == w.headline and w.headline in seen["incident_h1"]
    assert not inc.is_exercise and (inc.lat, inc.lng) == (w.lat, w.lng)
    assert inc.level == 2  # no casualties grade it 一般 (4); the orange warning raises it (docs/incidents.md, Links)
    assert w.incident_ref == {"id": inc.pk, "url": f"/incidents/{inc.pk}/"}
    assert "escalated" in [e.kind for e in timeline.entries(city.commander, w)]


def _chromium_page(p, width=1280):
    browser = launch(p)
    return browser, browser.new_context(locale="zh-CN", viewport={"width": width, "height": 844}).new_page()


def test_a_rule_drafts_page_is_accessible_with_its_evidence(live_server, city, monkeypatch):
    """The warning page of a draft made by `warnings.draft_from_rule` (the real provider, with evidence shaped as
    monitoring records it), checked by axe in full on a phone: the evidence reads as JSON and wraps. (It was a
    Python dict on one line in a <pre> that scrolled sideways without keyboard access.)"""
    require_chromium()
    from a11y import assert_accessible
    from playwright.sync_api import sync_playwright

    from yingji.core import links

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    fired = timezone.now().replace(microsecond=0)
    evidence = {"clauses": [{"min_sensors": 1, "sensors": [
        {"sensor_id": 1, "code": "RG-001", "value": 4.2, "at": fired.isoformat(), "series": 50.4}]}]}
    made = links.call("warnings.draft_from_rule", rule_id=1, rule_name="暴雨橙色", level=2, hazard_type="rainstorm",
                      area=square(113.28, 23.005, 0.04), sensor_ids=[1], evidence=evidence, fired_at=fired)
    base = live_server.url
    failure: list[BaseException] = []

    def look():
        try:
            with sync_playwright() as p:
                browser, page = _chromium_page(p, width=390)
                try:
                    page.goto(f"{base}/login/")
                    page.fill("input[name=username]", "commander")
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    page.goto(base + made["url"])
                    page.wait_for_selector("[data-testid=state]")
                    assert_accessible(page)
                    evidence_text = page.locator("pre.wrap").inner_text()
                    assert '"code": "RG-001"' in evidence_text and "'" not in evidence_text
                    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            failure.append(exc)
        finally:
            connections.close_all()

    t = threading.Thread(target=look)
    t.start()
    t.join(90)
    if failure:
        raise failure[0]
