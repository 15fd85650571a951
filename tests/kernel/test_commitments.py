"""Commitments: one active real commitment per resource, enforced by the database; availability derived."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from tests.sample_app.models import Hydrant, Pump

from yingji.core import commitments
from yingji.core.errors import Conflict
from yingji.core.models import Availability, Commitment, OrgUnit

pytestmark = pytest.mark.django_db


def _pump(world, code="P-1", **extra) -> Pump:
    from yingji.core.kinds import services
    from yingji.core.kinds.registry import kind_for

    return services.create(None, kind_for("sample", "pumps"), {"owner_unit": world.town_a, "code": code,
                                                               "name": f"泵{code}", **extra})


def _work(world, code="H-W", exercise=False) -> Hydrant:
    return Hydrant.objects.create(owner_unit=world.town_a, code=code, name="工作对象", is_exercise=exercise)


def test_commit_conflict_release(world):
    pump = _pump(world)
    assert pump.availability == Availability.AVAILABLE
    first = commitments.commit(None, pump, work=_work(world, "W1"))
    assert Pump.objects.get(pk=pump.pk).availability == Availability.COMMITTED
    with pytest.raises(Conflict) as exc:
        commitments.commit(None, pump, work=_work(world, "W2"))
    assert exc.value.status == 409 and "工作对象" in exc.value.message
    commitments.release(None, first)
    assert Pump.objects.get(pk=pump.pk).availability == Availability.AVAILABLE
    commitments.commit(None, pump, work=_work(world, "W3"))  # free again
    with pytest.raises(Conflict):
        commitments.release(None, first)  # already ended


def test_exercise_commitments_never_touch_real_availability(world):
    pump = _pump(world)
    commitments.commit(None, pump, work=_work(world, "E1", exercise=True))
    assert Pump.objects.get(pk=pump.pk).availability == Availability.AVAILABLE
    real = commitments.commit(None, pump, work=_work(world, "R1"))  # the exercise does not block the real one
    assert real.is_exercise is False
    assert Pump.objects.get(pk=pump.pk).availability == Availability.COMMITTED


def test_not_ready_resource_is_unavailable_and_cannot_be_committed(world):
    pump = _pump(world, ready=False)
    assert pump.availability == Availability.UNAVAILABLE
    with pytest.raises(Conflict):
        commitments.commit(None, pump, work=_work(world))
    rows = Pump.with_availability(Pump.objects.all())
    assert [p.availability for p in rows] == [Availability.UNAVAILABLE]


def test_api_lists_availability_without_a_query_per_row(world, django_assert_max_num_queries):
    from django.test import Client

    for i in range(20):
        p = _pump(world, code=f"P{i}")
        if i % 2:
            commitments.commit(None, p, purpose="外省支援")
    c = Client()
    c.force_login(world.staff_a)
    with django_assert_max_num_queries(8):
        items = c.get("/api/v1/sample/pumps?limit=50").json()["items"]
    assert sorted(i["availability"] for i in items) == ["available"] * 10 + ["committed"] * 10


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_n_concurrent_commits_wins():
    """N threads commit the same pump at once: one success, N-1 clear conflicts (PostgreSQL in CI; SQLite
    serialises writers, which must give the same answer)."""
    from yingji.core import services as core

    city = core.create_unit(None, parent=None, code="990100", name="示范市", kind="city")
    town = core.create_unit(None, parent=city, code="990101001", name="镇", kind="town")
    pump = Pump.objects.create(owner_unit=town, code="P-R", name="抢手的泵")
    works = [Hydrant.objects.create(owner_unit=town, code=f"W{i}", name=f"事件{i}") for i in range(8)]
    barrier = threading.Barrier(len(works))
    results: list[str] = []

    def attempt(work):
        try:
            barrier.wait(timeout=30)
            commitments.commit(None, Pump.objects.get(pk=pump.pk), work=work)
            results.append("ok")
        except Conflict:
            results.append("conflict")
        except BaseException as exc:  # noqa: BLE001 — reported below
            results.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(w,)) for w in works]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict"] * 7 + ["ok"], results
    assert Commitment.objects.filter(state="committed").count() == 1
    assert OrgUnit.objects.count() == 2
