"""The audit log: every service write lands in its object's keyed chain, and any tampering is detected by verify()."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from yingji.core import audit, chains, services
from yingji.core.errors import ValidationFailed
from yingji.core.models import AuditEntry, ChainHead, OrgUnitKind
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


@pytest.fixture
def chain(tree):
    """One object's chain with five entries (create + four renames)."""
    for i in range(4):
        services.update_unit(None, tree["A1"], {"name": f"甲一街道{i}"})
    return list(_entries(tree["A1"]))


def test_verify_detects_edited_content(chain):
    assert audit.verify().ok
    victim = chain[2]
    _tamper("UPDATE core_auditentry SET after = %s WHERE id = %s", (victim.after.replace("\"name\":\"", "\"name\":\"伪"), victim.pk))
    result = audit.verify()
    assert not result.ok
    assert any(f"#{victim.seq}" in p and "signature" in p for p in result.problems)


def test_verify_detects_edited_actor(chain):
    _tamper("UPDATE core_auditentry SET actor_name = 'someone-else' WHERE id = %s", (chain[1].pk,))
    assert not audit.verify().ok


def test_verify_detects_rehashed_entry_without_the_key(chain):
    """Re-hashing the edited entry and the rest of its chain with a guessed key (plain SHA-256, or any key
    other than the installation's) is caught: the signature needs the key kept outside the database."""
    wrong = b"not-the-key"
    prev = chain[1].hash
    for e in chain[2:]:
        e.object_repr = "forged"
        e.prev_hash = prev
        e.hash = prev = chains.digest(e, wrong)
        _tamper("UPDATE core_auditentry SET object_repr = 'forged', prev_hash = %s, hash = %s WHERE id = %s",
                (e.prev_hash, e.hash, e.pk))
    _tamper("UPDATE core_chainhead SET last_hash = %s WHERE chain = %s", (prev, chain[0].chain))
    result = audit.verify()
    assert not result.ok
    assert any(f"#{chain[2].seq}" in p and "signature" in p for p in result.problems)


def test_verify_detects_deleted_middle_entry(chain):
    _tamper("DELETE FROM core_auditentry WHERE id = %s", (chain[2].pk,))
    result = audit.verify()
    assert not result.ok and any("missing" in p for p in result.problems)


def test_verify_detects_deleted_tail(chain):
    _tamper("DELETE FROM core_auditentry WHERE id = %s", (chain[-1].pk,))
    result = audit.verify()
    assert not result.ok and any("head" in p for p in result.problems)


def test_verify_detects_deleted_tail_with_head_reset_after_a_checkpoint(chain):
    audit.seal()
    last, before_last = chain[-1], chain[-2]
    _tamper("DELETE FROM core_auditentry WHERE id = %s", (last.pk,))
    _tamper("UPDATE core_chainhead SET last_seq = %s, last_hash = %s WHERE chain = %s",
            (before_last.seq, before_last.hash, last.chain))
    result = audit.verify()
    assert not result.ok and any("checkpoint" in p and last.chain in p for p in result.problems)


def test_verify_detects_everything_deleted_after_a_checkpoint(chain):
    audit.seal()
    _tamper("DELETE FROM core_auditentry")
    _tamper("DELETE FROM core_chainhead")
    result = audit.verify()
    assert not result.ok and result.checked == 0
    assert any("removed" in p for p in result.problems)


def test_verify_detects_a_forged_checkpoint(chain):
    path = audit.seal()
    path.write_text(path.read_text().replace('"chains"', '"chains_"'), encoding="utf-8")
    doc = json.loads(path.read_text())
    doc["mac"] = "0" * 64
    path.write_text(json.dumps(doc), encoding="utf-8")
    result = audit.verify()
    assert not result.ok and any("forged" in p for p in result.problems)


def test_entries_are_append_only_through_the_orm(tree):
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(RuntimeError):
        entry.save()


def test_cli_verify_exit_codes(tree, capsys):
    from yingji.cli import main

    assert main(["audit", "verify"]) == 0
    assert "chain intact" in capsys.readouterr().out
    victim = AuditEntry.objects.order_by("pk")[0]
    _tamper("UPDATE core_auditentry SET before = '{}' WHERE id = %s", (victim.pk,))
    assert main(["audit", "verify"]) == 1
    assert f"{victim.chain}#1" in capsys.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_every_chain_linear():
    """Writers in parallel threads: each object's chain stays linear and verifiable; the city's own chain is
    untouched by its children's creation. (Reference rows seeded after a flush may already have chains.)"""
    seeded = set(ChainHead.objects.values_list("chain", flat=True))
    checked_before = audit.verify().checked
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
    new = ChainHead.objects.exclude(chain__in=seeded)
    assert result.checked - checked_before == 21 == new.count()
    assert set(new.values_list("last_seq", flat=True)) == {1}
