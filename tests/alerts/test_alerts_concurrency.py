"""A rule firing twice at the same moment (two ingest workers) still makes one open draft: the partial unique
constraint refuses the second insert and the second firing updates the first's draft."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from tests.alerts.conftest import square, when

from yingji.alerts.models import Warning
from yingji.core import links

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_firings_make_one_draft(city):
    barrier = threading.Barrier(2)
    results, errors = [], []

    def fire(level):
        try:
            barrier.wait(timeout=30)
            results.append(links.call("warnings.draft_from_rule", rule_id="race", rule_name="r", level=level,
                                      hazard_type="rainstorm", area=square(113.25, 23.0, 0.08), sensor_ids=[],
                                      evidence={"level": level}, fired_at=when()))
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=fire, args=(lv,)) for lv in (3, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r["created"] for r in results) == [False, True]
    assert Warning.objects.filter(rule_id="race").count() == 1
    assert Warning.objects.get(rule_id="race").level == 2  # the more severe firing wins whichever came first
