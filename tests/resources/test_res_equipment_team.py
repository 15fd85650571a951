"""Equipment is attached only to a team of its own unit: through the API, and through an import."""

from __future__ import annotations

import io

import pytest
from django.test import Client

from yingji.core.models import AuditEntry
from yingji.resources import services
from yingji.resources.models import Equipment, Team

API = "/api/v1/resources"


@pytest.fixture
def teams(world):
    def team(unit, code):
        return services.create(None, Team, {"owner_unit": unit, "code": code, "name": f"{unit.name}队",
                                            "kind": "professional", "specialty": "flood"})
    return team(world.town_a, "DW-A"), team(world.town_b, "DW-B")


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_api_refuses_equipment_on_another_units_team(world, teams):
    own, other = teams
    c = _client(world.staff_a)
    body = {"owner_unit_id": world.town_a.pk, "code": "ZB-1", "name": "排涝泵", "equipment_type": "排涝",
            "team_id": other.pk}
    r = c.post(f"{API}/equipment", body, content_type="application/json")
    assert r.status_code == 422 and "team" in r.json()["error"]["details"]
    assert not Equipment.objects.exists()
    r = c.post(f"{API}/equipment", {**body, "team_id": own.pk}, content_type="application/json")
    assert r.status_code == 201
    pk = r.json()["id"]
    entries = AuditEntry.objects.count()
    r = c.patch(f"{API}/equipment/{pk}", {"team_id": other.pk}, content_type="application/json")
    assert r.status_code == 422
    assert Equipment.objects.get(pk=pk).team_id == own.pk and AuditEntry.objects.count() == entries


def test_import_refuses_equipment_on_another_units_team(world, teams):
    own, other = teams
    head = "所属单位,编号,名称,装备类型,所属队伍编号\n"
    rows = f"{world.town_a.code},ZB-1,排涝泵,排涝,{own.code}\n{world.town_a.code},ZB-2,冲锋舟,水上,{other.code}\n"
    f = io.BytesIO((head + rows).encode("utf-8"))
    f.name = "e.csv"
    r = _client(world.staff_a).post(f"{API}/equipment/import", {"file": f})
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "所属队伍编号")]
    assert not Equipment.objects.exists()
