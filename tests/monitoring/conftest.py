"""Fixtures: sensors across the test tree, a duty officer who may write them, jobs inline, and a stand-in
provider of `warnings.draft_from_rule` that records its calls (testing the link's contract, not a mock of ours)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from yingji.core import jobs, links


@pytest.fixture(autouse=True)
def immediate_jobs():
    with jobs.activate(jobs.build_huey(immediate=True)) as huey:
        yield huey


@dataclass
class World:
    tree: dict
    officer: object
    viewer: object
    rain: list
    level: object
    gas: object
    client: object = None
    sensors: dict = field(default_factory=dict)


@pytest.fixture
def world(tree, make_user, client_for) -> World:
    from yingji.core import crud
    from yingji.monitoring.models import Sensor

    officer = make_user("duty_officer", tree["city"], "officer")
    viewer = make_user("viewer", tree["city"], "watcher")

    def sensor(code, kind, unit, lat, lng, **kw):
        return crud.create(None, Sensor(owner_unit=unit, code=code, name=f"{code} 站", kind=kind, lat=lat, lng=lng, **kw))

    rain = [sensor(f"RG-{i:03d}", "rain", tree["A1"], 23.10 + i / 100, 113.30, heartbeat_minutes=5) for i in range(1, 4)]
    level = sensor("WL-001", "water_level", tree["A1"], 23.12, 113.31, target_model="risk.hazardarea", target_id=7)
    gas = sensor("GS-001", "gas", tree["E1"], 23.13, 113.32, target_model="risk.hazardsource", target_id=3)
    w = World(tree, officer, viewer, rain, level, gas, client_for(officer))
    w.sensors = {s.code: s for s in [*rain, level, gas]}
    return w


@dataclass
class StandIn:
    calls: list = field(default_factory=list)

    def __call__(self, **kw):
        self.calls.append(kw)
        return {"id": len(self.calls), "url": f"/warnings/{len(self.calls)}/", "created": len(self.calls) == 1}


@pytest.fixture
def drafts():
    """A stand-in `warnings.draft_from_rule` while the warnings module is not installed beside this one."""
    saved = links.get("warnings.draft_from_rule")
    stand_in = StandIn()
    links._registry["warnings.draft_from_rule"] = stand_in
    yield stand_in
    if saved is None:
        links._registry.pop("warnings.draft_from_rule", None)
    else:
        links._registry["warnings.draft_from_rule"] = saved
