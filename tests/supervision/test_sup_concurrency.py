"""Two users of a unit signing for the same task at once: one sign-off is recorded, both are told who signed."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from tests.supervision.conftest import in_days

from yingji.core.models import AuditEntry, TimelineEntry
from yingji.supervision import services
from yingji.supervision.models import Assignment


@pytest.mark.django_db(transaction=True)
def test_two_users_signing_at_once_record_exactly_one_signoff(motion):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database")
    m = motion
    rounds, results, errors = 5, [], []
    for r in range(rounds):
        t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title=f"事项{r}")
        t = services.assign(m.officer, t, lead=(m.fire, in_days(10)), notify=False)
        a = Assignment.objects.get(task=t)
        barrier = threading.Barrier(2)

        def work(user, a=a, barrier=barrier):
            try:
                barrier.wait()
                results.append((a.pk, services.sign(user, a).signed_by_id))
            except Exception as exc:  # noqa: BLE001 — reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(u,)) for u in (m.fire1, m.fire2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    assert errors == []
    for a in Assignment.objects.filter(task__title__startswith="事项"):
        assert a.signed_by_id in (m.fire1.pk, m.fire2.pk)
        assert {who for pk, who in results if pk == a.pk} == {a.signed_by_id}
        assert AuditEntry.objects.filter(action="sign", object_type="supervision.assignment",
                                         object_id=str(a.pk)).count() == 1
        assert TimelineEntry.objects.filter(subject_id=a.task_id, kind="signed").count() == 1
