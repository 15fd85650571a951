"""Two dispatchers racing for the same team for two incidents: exactly one dispatch, and a clear 409 for the
other (run on PostgreSQL with YINGJI_DATABASE_URL; SQLite serialises the writers and must agree)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from yingji.core.errors import Conflict
from yingji.core.models import Commitment
from yingji.incidents import dispatching, services
from yingji.incidents.models import Dispatch


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_for_one_team_get_one_success_and_one_conflict(city):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file or server database")
    from tests.incidents.conftest import user

    from yingji.core.roles import RoleCode

    second = user("duty2", city.city, RoleCode.DUTY_OFFICER)
    rounds = 4
    for r in range(rounds):
        incs = [services.report(u, owner_unit=city.city, title=f"险情{r}-{k}", hazard_type="waterlogging",
                                lng=113.2 + 0.01 * k, lat=23.1) for k, u in enumerate((city.duty, second))]
        team = city.teams["a"] if r % 2 == 0 else city.teams["b"]
        barrier = threading.Barrier(2)
        won, lost, other = [], [], []

        def work(actor, inc, team=team, barrier=barrier, won=won, lost=lost, other=other):
            try:
                barrier.wait()
                won.append(dispatching.dispatch(actor, inc, resource_type="teams", resource_id=team.pk,
                                                capability="pumping", notify=False).pk)
            except Conflict as exc:
                lost.append(exc)
            except Exception as exc:  # noqa: BLE001 — reported below
                other.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=work, args=(u, i)) for u, i in zip((city.duty, second), incs, strict=True)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert other == []
        assert len(won) == 1 and len(lost) == 1
        assert lost[0].status == 409 and lost[0].code == "already_committed"
        assert "险情" in lost[0].message
        assert Commitment.objects.filter(resource_id=team.pk, state="committed").count() == 1
        assert Dispatch.objects.filter(resource_id=team.pk, status="dispatched").count() == 1
        # Free it for the next round.
        d = Dispatch.objects.get(pk=won[0])
        dispatching.set_status(None, d, "cancelled")


@pytest.mark.django_db
def test_the_api_answers_409_in_the_error_shape(city, client_for):
    from tests.incidents.conftest import error, ok, post

    duty = client_for(city.duty)
    a = ok(post(duty, "/api/v1/incidents", {"title": "甲", "hazard_type": "flood", "lng": 113.2, "lat": 23.1}), 201)
    b = ok(post(duty, "/api/v1/incidents", {"title": "乙", "hazard_type": "flood", "lng": 113.3, "lat": 23.1}), 201)
    body = {"resource_type": "teams", "resource_id": city.teams["c"].pk, "capability": "pumping"}
    ok(post(duty, f"/api/v1/incidents/{a['id']}/dispatches", body), 201)
    err = error(post(duty, f"/api/v1/incidents/{b['id']}/dispatches", body), 409, "already_committed")
    assert "甲" in err["message"]
