"""The workbench (core's home page) shows my tasks by state and what waits for my 签收, through the module hook."""

from __future__ import annotations

import pytest
from tests.supervision.conftest import in_days

from yingji.supervision import services

pytestmark = pytest.mark.django_db


def test_workbench_shows_my_tasks_and_signoffs(motion, client_for):
    m = motion
    t = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="议案0133")
    services.assign(m.officer, t, lead=(m.fire, in_days(10)))
    html = client_for(m.fire1).get("/").content.decode()
    assert 'data-testid="workbench-supervision"' in html and "已交办 1" in html
    assert "请签收督办事项：议案0133" in html
    html = client_for(m.stranger).get("/").content.decode()
    assert "议案0133" not in html and "已交办 1" not in html
