"""Fixtures: the units of motion 0133 (the People's Congress as requester, the bureau as supervisor and lead,
the fire and rescue detachment as co-handler), people at each, and jobs running inline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from yingji.core import jobs
from yingji.core.roles import RoleCode


@pytest.fixture(autouse=True)
def immediate_jobs():
    with jobs.activate(jobs.build_huey(immediate=True)) as huey:
        yield huey


@dataclass
class Motion:
    bureau: object      # 应急管理局: supervising and lead unit
    fire: object        # 消防救援支队: co-handling unit
    congress: object    # 人大常委会: the requester
    outsider: object    # 乙一街道: nobody in this task
    officer: object
    fire1: object
    fire2: object
    deputy: object
    stranger: object


@pytest.fixture
def motion(tree, make_user) -> Motion:
    from yingji.core import services
    from yingji.core.models import OrgUnitKind as K
    from yingji.supervision.services import ensure_result_codes

    ensure_result_codes()  # a transactional test's flush removes what the migration added

    fire = services.create_unit(None, parent=tree["city"], code="11990100MB0000002", name="消防救援支队",
                                kind=K.DEPARTMENT)
    congress = services.create_unit(None, parent=tree["city"], code="11990100MB0000099", name="市人大常委会",
                                    kind=K.DEPARTMENT)
    return Motion(
        bureau=tree["D"], fire=fire, congress=congress, outsider=tree["B1"],
        officer=make_user(RoleCode.UNIT_STAFF, tree["D"], "officer"),
        fire1=make_user(RoleCode.UNIT_STAFF, fire, "fire1"),
        fire2=make_user(RoleCode.UNIT_ADMIN, fire, "fire2"),
        deputy=make_user(RoleCode.UNIT_STAFF, congress, "deputy"),
        stranger=make_user(RoleCode.UNIT_ADMIN, tree["B1"], "stranger"),
    )


def in_days(n: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() + dt.timedelta(days=n)


SEED_SCORES = {"办理态度": 20, "联系沟通": 20, "答复质量": 28, "问题解决": 28}
