"""Demo data for 督查督办: motion 0133 exactly as the seed records it, and about 200 tasks across the demo units in
every state, dated over the past half year so the ranking, the desk counts and the escalation jobs have real work.

Idempotent: if motion 0133 is there, nothing is created. Deterministic: one seeded random generator.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from yingji.core import crud
from yingji.core import services as core_services
from yingji.core.demo import DEMO_PASSWORD, DemoContext
from yingji.core.models import OrgUnit, OrgUnitKind, RoleAssignment, User
from yingji.core.roles import RoleCode
from yingji.supervision import meetings, services
from yingji.supervision.models import Assignment, Meeting, MeetingKind, Source, Task, TaskState

__all__ = ["seed", "seed_motion_0133", "MOTION_REFERENCE", "DEMO_ACCOUNTS"]

MOTION_REFERENCE = "100202202240133"
MOTION_TITLE = "关于加强应急救援体系建设的议案"
SEED_SCORES = {"办理态度": 20, "联系沟通": 20, "答复质量": 28, "问题解决": 28}
CONGRESS_CODE = "11990100RD0000001"
# (username, display name, role, which unit) — the desk of each side of motion 0133.
DEMO_ACCOUNTS = [("dcdb", "钱督办", RoleCode.UNIT_STAFF, "bureau"), ("xfzd", "孙支队", RoleCode.UNIT_STAFF, "fire"),
                 ("rdlw", "周代表联络员", RoleCode.UNIT_STAFF, "congress")]
TOPICS = ["防汛物资储备检查", "危化品企业隐患整改", "应急避难场所标识完善", "森林防火巡查", "地质灾害隐患点监测",
          "城市内涝点治理", "应急广播覆盖", "救援队伍装备补充", "学校应急演练", "燃气管道排查", "高层建筑消防通道清理",
          "台风防御准备", "应急预案修订", "网格员培训", "物资储备库建设", "值班值守检查", "安全生产大检查",
          "人员密集场所排查", "应急指挥平台联调", "灾害信息员队伍建设"]


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=timezone.get_current_timezone())


def _units(ctx: DemoContext) -> tuple[OrgUnit, OrgUnit, OrgUnit]:
    bureau, fire = ctx.departments[0], ctx.departments[1]  # 示范市应急管理局, 示范市消防救援支队
    congress = OrgUnit.objects.filter(code=CONGRESS_CODE).first() or core_services.create_unit(
        None, parent=ctx.city, code=CONGRESS_CODE, name="示范市人大常委会", kind=OrgUnitKind.DEPARTMENT,
        lng=113.305, lat=23.105)
    return bureau, fire, congress


def _accounts(units: dict[str, OrgUnit]) -> None:
    for username, name, role, where in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first() or core_services.create_user(
            None, username=username, password=DEMO_PASSWORD, unit=units[where], display_name=name,
            email=f"{username}@demo.yingji.invalid")
        if not RoleAssignment.objects.filter(user=user, role=role, unit=units[where]).exists():
            core_services.assign_role(None, user, role, units[where])


def seed_motion_0133(bureau: OrgUnit, fire: OrgUnit, congress: OrgUnit) -> Task:
    """Motion 0133 as the seed records it: lead 市应急局 (deadline 2022-06-30, A.解决采纳, replied 2022-06-30 16:56),
    co-handling 消防救援支队 (deadline 2022-05-31, B.逐步解决, replied 2022-06-02 16:12 — late), both by 通讯联系;
    the proposers' feedback 满意 on 2022-12-15 17:07 with 20/20/28/28."""
    found = Task.objects.filter(reference=MOTION_REFERENCE).first()
    if found is not None:
        return found
    t = services.create_task(None, owner_unit=bureau, requester_unit=congress, title=MOTION_TITLE,
                             reference=MOTION_REFERENCE, source=Source.MOTION, requester_name="周红军等11人",
                             description="市人大 2022 年 第9届第1次会议 议案 0133（会议件，社会及公共事务）。",
                             at=_at("2022-02-24 09:00"))
    services.assign(None, t, lead=(bureau, dt.date(2022, 6, 30)), co=[(fire, dt.date(2022, 5, 31))],
                    at=_at("2022-03-01 09:00"), notify=False)
    lead = Assignment.objects.get(task=t, owner_unit=bureau)
    co = Assignment.objects.get(task=t, owner_unit=fire)
    services.sign(None, lead, at=_at("2022-03-01 10:00"))
    services.sign(None, co, at=_at("2022-03-01 11:00"))
    services.reply(None, co, result_code="B", comm_mode="phone", comm_at=_at("2022-06-02 16:12"),
                   at=_at("2022-06-02 16:12"))
    services.reply(None, lead, result_code="A", comm_mode="phone", comm_at=_at("2022-06-30 16:56"),
                   at=_at("2022-06-30 16:56"))
    return services.feedback(None, t, scores=SEED_SCORES, satisfaction="satisfied", at=_at("2022-12-15 17:07"))


STATES = [TaskState.DRAFT, TaskState.ASSIGNED, TaskState.SIGNED, TaskState.IN_PROGRESS, TaskState.REPLIED,
          TaskState.CLOSED, TaskState.RETURNED, TaskState.REOPENED, TaskState.CANCELLED]
WEIGHTS = [8, 25, 15, 30, 20, 70, 6, 6, 6]


def _one(rng: random.Random, n: int, state: str, bureau, congress, handlers, now) -> None:
    assigned = now - dt.timedelta(days=rng.randint(2, 180), hours=rng.randint(0, 8))
    lead, *co = rng.sample(handlers, rng.choice([1, 2, 2, 3]))
    requester = rng.choice([congress, bureau, bureau])
    t = services.create_task(None, owner_unit=bureau, requester_unit=requester, reference=f"DB2026{n:05d}",
                             title=f"{lead.name}{rng.choice(TOPICS)}", source=rng.choice(Source.values[1:]),
                             urgency=rng.choice([1, 2, 3, 3, 3]), at=assigned - dt.timedelta(days=1))
    if state == TaskState.DRAFT:
        return
    days = lambda: dt.timedelta(days=rng.randint(7, 60))  # noqa: E731
    services.assign(None, t, lead=(lead, (assigned + days()).date()), co=[(u, (assigned + days()).date()) for u in co],
                    at=assigned, notify=False)
    parts = list(Assignment.objects.filter(task=t).order_by("id"))
    if state == TaskState.CANCELLED:
        services.cancel(None, t, "事项合并办理")
        return
    if state == TaskState.RETURNED:
        services.return_task(None, parts[0], "不属于本单位职责，请重新交办")
        return
    if state == TaskState.ASSIGNED:
        parts = parts[1:]  # the lead has not signed yet
    for a in parts:
        services.sign(None, a, at=min(now, assigned + dt.timedelta(hours=rng.randint(1, 48))))
    if state in (TaskState.ASSIGNED, TaskState.SIGNED):
        return
    for a in parts:
        services.add_progress(None, a, rng.choice(["已召开专题会研究部署", "已完成现场核查", "正在组织整改"]))
    if state == TaskState.IN_PROGRESS:
        return
    for a in parts:
        late = rng.random() < 0.2
        when = dt.datetime.combine(a.deadline, dt.time(rng.randint(9, 17), rng.randint(0, 59)),
                                   tzinfo=timezone.get_current_timezone())
        when += dt.timedelta(days=rng.randint(1, 5)) if late else -dt.timedelta(days=rng.randint(0, 5))
        when = min(when, now - dt.timedelta(minutes=5))
        services.reply(None, a, result_code=rng.choice("AABBBC"), comm_mode=rng.choice(["phone", "visit", "letter"]),
                       at=max(when, assigned + dt.timedelta(hours=1)))
    if state == TaskState.REPLIED:
        return
    if state == TaskState.REOPENED:
        services.reopen(None, t, "答复不够具体，请补充整改措施")
        return
    good = rng.random() < 0.8
    scores = {"办理态度": rng.randint(16 if good else 10, 20), "联系沟通": rng.randint(16 if good else 10, 20),
              "答复质量": rng.randint(24 if good else 15, 30), "问题解决": rng.randint(22 if good else 12, 30)}
    services.feedback(None, t, scores=scores, satisfaction="satisfied" if good else rng.choice(["basic", "unsatisfied"]),
                      at=now - dt.timedelta(hours=1))


def seed(ctx: DemoContext, count: int = 200) -> None:
    services.ensure_result_codes()
    bureau, fire, congress = _units(ctx)
    _accounts({"bureau": bureau, "fire": fire, "congress": congress})
    if Task.objects.filter(reference=MOTION_REFERENCE).exists():
        return
    seed_motion_0133(bureau, fire, congress)
    rng = random.Random(133)
    handlers = [*ctx.departments[:12], *ctx.districts]
    now = timezone.now()
    states = rng.choices(STATES, WEIGHTS, k=count - 1 - len(STATES))
    for n, state in enumerate([*STATES, *states], start=1):  # every state at least once
        _one(rng, n, state, bureau, congress, handlers, now)
    _meetings_and_lists(ctx, bureau, fire, rng, now)
    ctx.progress(f"督查督办：{count} 个督办事项（含议案 0133），2 次会议，{1 + len(ctx.districts)} 份责任清单")


MEETINGS = [
    ("2026年第一次安委会成员单位会议", MeetingKind.SAFETY_COMMITTEE, 40, [
        ("开展危险化学品企业安全隐患专项排查整治", 2, 30), ("完善高层建筑消防通道常态化管理机制", 1, 45)]),
    ("2026年防灾减灾工作会", MeetingKind.DISASTER, 12, [
        ("汛前完成防汛物资储备库清点补充", 0, 20), ("组织各区开展地质灾害隐患点巡查", 3, 25),
        ("修订城市内涝应急预案", 0, 40)]),
]
DUTIES = ["落实安全生产属地管理责任", "组织开展辖区风险隐患排查治理", "做好汛期值班值守和信息报送",
          "组织应急演练并评估改进", "保障应急物资储备和队伍建设"]


def _meetings_and_lists(ctx: DemoContext, bureau, fire, rng: random.Random, now) -> None:
    handlers = [bureau, fire, *ctx.departments[2:6]]
    for title, kind, days_ago, decisions in MEETINGS:
        held = now - dt.timedelta(days=days_ago)
        meeting = crud.create(None, Meeting(owner_unit=bureau, title=title, kind=kind, held_at=held,
                                            location="市应急指挥中心会议室", agenda="1. 通报形势；2. 部署重点任务",
                                            attendees="市安委会各成员单位分管负责人", minutes="会议议定事项如下。"))
        for text, lead_index, days in decisions:
            lead = handlers[lead_index % len(handlers)]
            co = [u for u in rng.sample(handlers, 2) if u != lead][:1]
            meetings.decide(None, meeting, text=text, lead=(lead, (held + dt.timedelta(days=days)).date()),
                            co=[(u, (held + dt.timedelta(days=days - 5)).date()) for u in co], at=held, notify=False)
    meetings.publish_list(None, bureau, title="示范市应急管理局责任清单（2025版）", items="\n".join(DUTIES[:3]),
                          effective_from=dt.date(2025, 1, 1))
    meetings.publish_list(None, bureau, title="示范市应急管理局责任清单（2026版）", items="\n".join(DUTIES),
                          effective_from=dt.date(2026, 1, 1))
    for district in ctx.districts:
        meetings.publish_list(None, district, title=f"{district.name}应急管理责任清单", items="\n".join(DUTIES),
                              effective_from=dt.date(2026, 1, 1))
