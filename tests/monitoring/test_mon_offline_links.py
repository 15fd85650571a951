"""Offline detection (a Task to the owner, once) and the link `monitoring.sensors_for`."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone
from mon_util import now_ms

from yingji.core import links
from yingji.monitoring import jobs as monitoring_jobs
from yingji.monitoring.models import Sensor, SensorStatus
from yingji.supervision.models import Assignment, Task


def test_silent_sensors_go_offline_and_their_owner_gets_one_task(world):
    later = timezone.now() + dt.timedelta(hours=2)
    Sensor.objects.exclude(code="RG-001").update(last_seen_at=later)
    from yingji.monitoring import services

    assert services.detect_offline(later) == 1
    assert services.detect_offline(later) == 0  # claimed once
    s = Sensor.objects.get(code="RG-001")
    assert s.status == SensorStatus.OFFLINE
    task = Task.objects.get(pk=s.offline_task_id)
    assert task.source_type == "monitoring.sensor" and task.source_id == s.pk and "RG-001" in task.title
    lead = Assignment.objects.get(task=task)
    assert lead.owner_unit == world.tree["A1"]
    # Data again: back online; a later silence opens a new task.
    r = world.client.post("/api/v1/monitoring/readings", data=json.dumps({"readings": [["RG-001", now_ms(), 0.0]]}),
                          content_type="application/json")
    assert r.status_code == 200
    s.refresh_from_db()
    assert s.status == SensorStatus.ACTIVE


def test_the_job_is_registered_and_runs(world):
    assert monitoring_jobs.offline() == 0  # everything is fresh


def test_sensors_for_follows_the_contract(world):
    got = links.call("monitoring.sensors_for", "risk.hazardarea", 7)
    assert [s["code"] for s in got] == ["WL-001"]
    assert set(got[0]) == {"id", "code", "name", "kind", "unit_of_measure", "status", "last_value", "last_at", "url"}
    assert got[0]["unit_of_measure"] == "m" and got[0]["url"] == f"/monitoring/sensors/{world.level.pk}/"
    assert links.call("monitoring.sensors_for", "risk.hazardsource", "3")[0]["code"] == "GS-001"
    assert links.call("monitoring.sensors_for", "risk.hazardarea", "x") == []


def test_generic_export_and_template_of_sensors_and_stations(world):
    for path in ("sensors/export", "sensors/template", "stations/export", "stations/template"):
        r = world.client.get(f"/api/v1/monitoring/{path}")
        assert r.status_code == 200, (path, r.content[:200])
