"""签收: one sign-off per recipient unit, whoever signs first, even when two sign at the same instant;
unsigned items past their deadline escalate to the unit's leadership exactly once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from yingji.core.errors import Conflict, NotFound
from yingji.core.models import AuditEntry
from yingji.notifications import kinds, services
from yingji.notifications.models import Message, Notification, SignOff
from yingji.notifications.services import Recipient


def _signable(tree, people, key="sign:1", hours=2):
    return services.notify(kinds.GENERAL, key=key, title="请签收：防汛通知",
                           recipients=[Recipient.of_unit(tree["A1"]), Recipient.of_user(people.staff_b1)],
                           needs_signoff=True, sign_deadline=timezone.now() + dt.timedelta(hours=hours))


def _copy(message, user) -> Notification:
    return Notification.objects.get(message=message, user=user)


@pytest.mark.django_db
def test_first_signer_signs_for_the_unit_and_later_calls_change_nothing(tree, people):
    m = _signable(tree, people)
    so = services.sign(people.staff_a1, _copy(m, people.staff_a1))
    assert so.signed_by == people.staff_a1 and so.unit == tree["A1"]
    entries = AuditEntry.objects.filter(action="sign").count()
    again = services.sign(people.staff2_a1, _copy(m, people.staff2_a1))
    assert again.pk == so.pk and again.signed_by == people.staff_a1 and again.signed_at == so.signed_at
    assert services.sign(people.staff_a1, _copy(m, people.staff_a1)).signed_at == so.signed_at
    assert AuditEntry.objects.filter(action="sign").count() == entries == 1
    # The user addressed directly signs for themself, separately.
    other = services.sign(people.staff_b1, _copy(m, people.staff_b1))
    assert other.pk != so.pk and other.unit is None and other.signed_by == people.staff_b1
    assert _copy(m, people.staff_a1).read_at is not None


@pytest.mark.django_db
def test_someone_elses_notification_is_not_found_and_nothing_changes(tree, people):
    m = _signable(tree, people)
    with pytest.raises(NotFound):
        services.sign(people.staff_b1, _copy(m, people.staff_a1))
    with pytest.raises(NotFound):
        services.mark_read(people.staff_b1, _copy(m, people.staff_a1))
    assert not SignOff.objects.filter(signed_at__isnull=False).exists()
    assert _copy(m, people.staff_a1).read_at is None


@pytest.mark.django_db
def test_a_notification_without_signoff_cannot_be_signed(tree, people):
    m = services.notify(kinds.GENERAL, key="plain", recipients=[Recipient.of_user(people.staff_a1)], title="x")
    with pytest.raises(Conflict):
        services.sign(people.staff_a1, _copy(m, people.staff_a1))


@pytest.mark.django_db(transaction=True)
def test_two_users_signing_at_once_record_exactly_one_signoff(tree, people):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database")
    rounds, results, errors = 5, [], []
    for r in range(rounds):
        m = _signable(tree, people, key=f"race:{r}")
        copies = [_copy(m, u) for u in (people.staff_a1, people.staff2_a1, people.admin_a1)]
        barrier = threading.Barrier(len(copies))

        def work(n, barrier=barrier):
            try:
                barrier.wait()
                results.append((n.message_id, services.sign(n.user, n).signed_by_id))
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(n,)) for n in copies]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    for m in Message.objects.filter(key__startswith="race:"):
        so = SignOff.objects.get(message=m, unit=tree["A1"])
        # Every signer was told the same signer: the one recorded.
        assert {who for mid, who in results if mid == m.pk} == {so.signed_by_id}
        assert AuditEntry.objects.filter(action="sign", object_type="notifications.signoff",
                                         object_id=str(so.pk)).count() == 1


@pytest.mark.django_db
def test_unsigned_past_deadline_escalates_to_unit_admins_of_unit_and_parent_once(tree, people):
    m = _signable(tree, people, hours=1)
    services.sign(people.staff_b1, _copy(m, people.staff_b1))  # B1's direct recipient signed in time
    assert services.escalate_overdue(timezone.now()) == 0  # not yet due
    later = timezone.now() + dt.timedelta(hours=2)
    assert services.escalate_overdue(later) == 1
    esc = Message.objects.get(kind=kinds.ESCALATION)
    assert set(esc.notifications.values_list("user__username", flat=True)) == {"admin_a1", "admin_a"}
    assert m.title in esc.title
    assert services.escalate_overdue(later + dt.timedelta(hours=1)) == 0
    assert Message.objects.filter(kind=kinds.ESCALATION).count() == 1
    assert SignOff.objects.get(message=m, unit=tree["A1"]).escalated_at == later


@pytest.mark.django_db
def test_signed_in_time_never_escalates(tree, people):
    m = _signable(tree, people, hours=1)
    services.sign(people.staff2_a1, _copy(m, people.staff2_a1))
    services.sign(people.staff_b1, _copy(m, people.staff_b1))
    assert services.escalate_overdue(timezone.now() + dt.timedelta(days=1)) == 0
    assert not Message.objects.filter(kind=kinds.ESCALATION).exists()
