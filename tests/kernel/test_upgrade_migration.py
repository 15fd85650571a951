"""An installation from before the kernel upgrades in place: capabilities move to core, hazard names become
codes, hand-set 'deployed' states become ready, and the one global audit chain becomes per-object chains
that verify."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("core", "0002_audit_head_row"), ("resources", "0002_latitude_bands")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_upgrade_keeps_and_converts_the_data():
    from django.utils import timezone

    old = _migrate(BEFORE)
    OrgUnit = old.get_model("core", "OrgUnit")
    city = OrgUnit.objects.create(code="990100", name="示范市", kind="city", path="000001.", depth=0)
    Capability = old.get_model("resources", "Capability")
    Capability.objects.create(owner_unit=city, code="pumping", name="排涝", quantity_unit="m³/h")
    Team = old.get_model("resources", "Team")
    Team.objects.create(owner_unit=city, code="T1", name="队", kind="social", specialty="flood",
                        hazard_types=["洪涝", "台风", "不存在的灾种"], readiness="deployed", capabilities={"pumping": "10"})
    AuditEntry = old.get_model("core", "AuditEntry")
    AuditEntry.objects.all().delete()  # what the reference seeding wrote after the last flush
    for seq, (otype, oid) in enumerate([("core.orgunit", "1"), ("resources.team", "1"), ("core.orgunit", "1")], 1):
        AuditEntry.objects.create(seq=seq, at=timezone.now(), actor_name="system", action="update",
                                  object_type=otype, object_id=oid, prev_hash="0" * 64, hash="x" * 64)

    new = _migrate([("core", "0004_rechain_audit_seed_hazards"), ("resources", "0004_kernel_data")])
    assert new.get_model("core", "Capability").objects.get().name == "排涝"
    team = new.get_model("resources", "Team").objects.get()
    assert team.hazard_types == ["flood", "typhoon"] and team.readiness == "ready"
    assert ",natural," in team.hazard_index
    chains = sorted(new.get_model("core", "AuditEntry").objects.values_list("chain", "seq"))
    assert chains == [("a:core.orgunit:1", 1), ("a:core.orgunit:1", 2), ("a:resources.team:1", 1)]

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from yingji.core import audit

    result = audit.verify()
    assert result.ok, result.problems
    assert result.chains == 2
