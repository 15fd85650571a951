"""The demo: motion 0133 exactly as the seed records it, and tasks in every state; a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from yingji.core.demo import DemoContext
from yingji.supervision import demo, reports
from yingji.supervision.models import Assignment, Task, TaskState

pytestmark = pytest.mark.django_db


def _ctx(tree, motion):
    return DemoContext(city=tree["city"], districts=[tree["A"], tree["B"]], towns=[tree["A1"]], communities=[],
                       departments=[motion.bureau, motion.fire, tree["A2"]], enterprises=[], rescue_orgs=[],
                       rng=random.Random(1), progress=lambda m: None)


def test_motion_0133_as_the_seed_records_it(tree, motion):
    demo.seed(_ctx(tree, motion), count=30)
    t = Task.objects.get(reference="100202202240133")
    assert (t.title, t.state, t.satisfaction, t.scores) == ("关于加强应急救援体系建设的议案", "closed", "satisfied",
                                                            {"办理态度": 20, "联系沟通": 20, "答复质量": 28, "问题解决": 28})
    local = lambda d: timezone.localtime(d).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    lead = Assignment.objects.get(task=t, role="lead")
    co = Assignment.objects.get(task=t, role="co")
    assert (lead.owner_unit, lead.deadline, lead.result_code.code, local(lead.replied_at), lead.comm_mode) == \
        (motion.bureau, dt.date(2022, 6, 30), "A", "2022-06-30 16:56", "phone")
    assert (co.owner_unit, co.deadline, co.result_code.code, local(co.replied_at)) == \
        (motion.fire, dt.date(2022, 5, 31), "B", "2022-06-02 16:12")
    assert local(t.feedback_at) == "2022-12-15 17:07"
    fire = {f.unit: f for f in reports.ranking(None, dt.date(2022, 1, 1), dt.date(2022, 12, 31))}[motion.fire.name]
    assert (fire.co_total, fire.co_on_time) == (1, 0)
    assert set(Task.objects.values_list("state", flat=True)) == set(TaskState.values)
    from yingji.supervision.models import Decision, Meeting, ResponsibilityList

    assert Meeting.objects.count() == 2 and Decision.objects.count() == 5
    assert ResponsibilityList.objects.filter(owner_unit=motion.bureau).count() == 2
    assert ResponsibilityList.objects.filter(is_current=True).count() == 1 + 2  # the bureau and both districts
    n = Task.objects.count()
    assert n == 30 + 5
    demo.seed(_ctx(tree, motion), count=30)
    assert Task.objects.count() == n


def test_demo_restores_missing_result_codes(tree, motion):
    """A transactional test's flush (or a hand-emptied table) leaves no result codes; the demo still seeds."""
    from yingji.supervision.models import ResultCode

    ResultCode.objects.all().delete()
    demo.seed(_ctx(tree, motion), count=12)
    assert set(ResultCode.objects.values_list("code", flat=True)) == {"A", "B", "C", "D"}
    assert Task.objects.get(reference="100202202240133").state == TaskState.CLOSED
