"""List pages count at most COUNT_CAP rows, so their cost stays flat as tables grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yingji.core import web
from yingji.core.models import OrgUnit

pytestmark = pytest.mark.django_db


def test_count_is_capped_and_labelled(world, monkeypatch):
    monkeypatch.setattr(web, "COUNT_CAP", 3)
    total = OrgUnit.objects.count()
    assert total > 3
    page = web.CappedPaginator(OrgUnit.objects.order_by("pk"), 2).get_page(1)
    assert page.paginator.count == 3 and page.paginator.count_label == "3+"
    with CaptureQueriesContext(connection) as ctx:
        web.CappedPaginator(OrgUnit.objects.order_by("pk"), 2).count  # noqa: B018
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"].upper()
    exact = web.CappedPaginator(OrgUnit.objects.order_by("pk")[:2], 10)
    assert exact.count_label == "2"
