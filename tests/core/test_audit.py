"""The audit log: every service write lands in it, and any tampering is detected by verify()."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from yingji.core import audit, services
from yingji.core.errors import ValidationFailed
from yingji.core.models import AuditEntry, AuditHead, OrgUnitKind
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db


def _entries(obj):
    return AuditEntry.objects.filter(object_id=str(obj.pk), object_type="core.orgunit").order_by("seq")


def test_create_update_move_delete_are_recorded_with_before_and_after(tree, make_user):
    admin = make_user(RoleCode.SYSTEM_ADMIN, tree["city"], username="boss")
    unit = services.create_unit(admin, parent=tree["A"], code="990101003", name="新街道", kind=OrgUnitKind.TOWN)
    services.update_unit(admin, unit, {"name": "更新街道", "contact_phone": "0999-1"})
    services.update_unit(admin, unit, {"parent": tree["B"]})
    services.delete_unit(admin, unit)
    actions = [(e.action, e.actor_name) for e in _entries(unit)]
    assert actions == [("create", "boss"), ("update", "boss"), ("move", "boss"), ("delete", "boss")]
    create, update, move, delete = _entries(unit)
    assert create.before == "" and json.loads(create.after)["name"] == "新街道"
    assert json.loads(update.before)["name"] == "新街道" and json.loads(update.after)["name"] == "更新街道"
    assert json.loads(move.after)["parent_id"] == tree["B"].pk
    assert json.loads(delete.before)["name"] == "更新街道" and delete.after == ""
    assert audit.verify().ok


def test_unchanged_update_writes_no_entry(tree):
    before = AuditEntry.objects.count()
    services.update_unit(None, tree["A1"], {"name": tree["A1"].name})
    assert AuditEntry.objects.count() == before


def test_secrets_never_reach_the_log(tree, make_user):
    user = make_user(RoleCode.VIEWER, tree["A"])
    services.issue_token(user, user, "ci")
    text = " ".join(AuditEntry.objects.values_list("after", flat=True))
    assert user.password not in text
    assert "key_hash" not in text and "password" not in text


def test_request_id_is_recorded(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    r = c.patch(f"/api/v1/units/{tree['A1'].pk}", {"name": "改名"}, content_type="application/json",
                headers={"X-Request-ID": "req-abc-123"})
    assert r.status_code == 200 and r["X-Request-ID"] == "req-abc-123"
    assert _entries(tree["A1"]).last().request_id == "req-abc-123"


def test_failed_write_leaves_no_entry(tree, make_user):
    admin = make_user(RoleCode.SYSTEM_ADMIN, tree["city"])
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed):
        services.create_unit(admin, parent=tree["A"], code=tree["A1"].code, name="重复", kind="town")
    assert AuditEntry.objects.count() == before


def _tamper(sql: str, params=()):
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_verify_detects_edited_content(tree):
    assert audit.verify().ok
    victim = AuditEntry.objects.order_by("seq")[2]
    _tamper("UPDATE core_auditentry SET after = %s WHERE id = %s", (victim.after.replace("\"name\":\"", "\"name\":\"伪"), victim.pk))
    result = audit.verify()
    assert not result.ok
    assert any(f"#{victim.seq}" in p and "hash" in p for p in result.problems)


def test_verify_detects_edited_actor(tree):
    victim = AuditEntry.objects.order_by("seq")[1]
    _tamper("UPDATE core_auditentry SET actor_name = 'someone-else' WHERE id = %s", (victim.pk,))
    assert not audit.verify().ok


def test_verify_detects_rehashed_entry(tree):
    """Recomputing the edited entry's own hash does not help: the next entry's link breaks."""
    victim = AuditEntry.objects.order_by("seq")[2]
    victim.object_repr = "forged"
    forged_hash = audit._digest(victim)
    _tamper("UPDATE core_auditentry SET object_repr = 'forged', hash = %s WHERE id = %s", (forged_hash, victim.pk))
    result = audit.verify()
    assert not result.ok
    assert any(f"#{victim.seq + 1}" in p and "link" in p for p in result.problems)


def test_verify_detects_deleted_middle_entry(tree):
    victim = AuditEntry.objects.order_by("seq")[3]
    _tamper("DELETE FROM core_auditentry WHERE id = %s", (victim.pk,))
    result = audit.verify()
    assert not result.ok and any("missing" in p for p in result.problems)


def test_verify_detects_deleted_tail(tree):
    last = AuditEntry.objects.order_by("-seq").first()
    _tamper("DELETE FROM core_auditentry WHERE id = %s", (last.pk,))
    result = audit.verify()
    assert not result.ok and any("head" in p for p in result.problems)


def test_entries_are_append_only_through_the_orm(tree):
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()


def test_cli_verify_exit_codes(tree, capsys):
    from yingji.cli import main

    assert main(["audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("seq")[0]
    _tamper("UPDATE core_auditentry SET before = '{}' WHERE id = %s", (victim.pk,))
    assert main(["audit", "verify"]) == 1
    assert "#1" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain():
    """Writers in parallel threads queue on the chain head; the chain stays linear and verifiable."""
    city = services.create_unit(None, parent=None, code="990100", name="示范市", kind="city")
    errors: list[BaseException] = []

    def writer(k: int):
        try:
            for i in range(5):
                services.create_unit(None, parent=city, code=f"9901{k:02d}{i:03d}", name=f"单位{k}-{i}",
                                     kind="department")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    result = audit.verify()
    assert result.ok, result.problems
    assert result.checked == 21 == AuditHead.objects.get().last_seq
