"""The demo: active incidents in different phases (a flood with several towns, a hazardous-chemical leak graded by
493号令, a road collapse whose late report is supervised), an exercise, closed incidents with reviews whose timings
come from their timelines; a second run adds nothing."""

from __future__ import annotations

import random

import pytest

from yingji.core.demo import DemoContext
from yingji.incidents import demo
from yingji.incidents.models import Dispatch, Incident, Review

pytestmark = pytest.mark.django_db


def test_demo_incidents(city):
    from yingji.core import services as core
    from yingji.core.models import OrgUnitKind

    ent = core.create_unit(None, parent=city.town_a, code="91990100000000001X", name="示范长安冶金有限公司",
                           kind=OrgUnitKind.ENTERPRISE, lng=113.215, lat=23.105, contact_phone="13900000001",
                           address="示范市江北区长安镇")
    towns = [city.town_a, city.town_b, city.town_c] * 15
    ctx = DemoContext(city=city.city, districts=[city.district], towns=towns, communities=[], departments=[city.fire],
                      enterprises=[ent], rescue_orgs=[city.rescue], rng=random.Random(1), progress=lambda m: None)
    demo.seed(ctx)
    phases = dict(Incident.objects.values_list("source_ref", "phase"))
    assert phases["DEMO-FLOOD"] == "responding" and phases["DEMO-HAZCHEM"] == "responding"
    assert phases["DEMO-COLLAPSE"] == "reported" and phases["DEMO-FIRE"] == phases["DEMO-LANDSLIDE"] == "closed"
    flood = Incident.objects.get(source_ref="DEMO-FLOOD")
    assert len({d.resource_unit_id for d in flood.dispatches.all()}) >= 3
    assert len(set(flood.dispatches.values_list("status", flat=True))) >= 2
    assert flood.level == 3 and hasattr(flood, "command_post") and flood.sitreps.filter(sent_at__isnull=False)
    assert Incident.objects.get(source_ref="DEMO-HAZCHEM").level == 3  # 3 deaths: 较大事故
    collapse = Incident.objects.get(source_ref="DEMO-COLLAPSE")
    assert collapse.reports.filter(overdue_task_id__isnull=False).exists()
    drill = Incident.objects.get(source_ref="DEMO-EXERCISE")
    assert drill.is_exercise and all(d.is_exercise for d in drill.dispatches.all())
    fire = Review.objects.get(incident__source_ref="DEMO-FIRE")
    assert fire.timings["first_dispatch_s"] == 360 and fire.timings["initial_reports_on_time"]
    assert all(a["seconds"] and a["seconds"] > 0 for a in fire.timings["arrivals"])
    n = (Incident.objects.count(), Dispatch.objects.count())
    demo.seed(ctx)
    assert (Incident.objects.count(), Dispatch.objects.count()) == n
