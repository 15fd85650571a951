"""Demo incidents for 示范市: a flood across several towns of 江北区 in full response, a hazardous-chemical leak
being answered, a road collapse just reported (its phone report already late, so supervised), a flood exercise,
and two closed incidents with their reviews. History is replayed on a simulated clock so that times on the
timelines — and the reviews computed from them — are those of a real response. A second run creates nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
from unittest import mock

from django.utils import timezone

from yingji.core.kinds.registry import kind_for
from yingji.incidents import closing, command, dispatching, grading, reporting, services
from yingji.incidents.models import Incident, Source

__all__ = ["seed"]


class _Clock:
    """A settable `timezone.now` for replaying history; never runs past the real present."""

    def __init__(self, start: dt.datetime):
        self.t, self.real = start, timezone.now

    def __call__(self):
        return min(self.t, self.real())

    def advance(self, minutes: float = 0, seconds: float = 0):
        self.t += dt.timedelta(minutes=minutes, seconds=seconds)


@contextlib.contextmanager
def _replay(start: dt.datetime):
    clock = _Clock(start)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


def _teams(capability: str, lng: float, lat: float, n: int, exclude=()):
    model = kind_for("resources", "teams").model
    rows = list(model.available(model.objects.filter(capability_index__contains=f",{capability},"))
                .exclude(pk__in=exclude).select_related("owner_unit"))
    rows.sort(key=lambda t: math.hypot((t.lng - lng) * 0.92, t.lat - lat))
    picked, units = [], set()
    for t in rows:  # one per unit: the point is several units working together
        if t.owner_unit_id not in units:
            picked.append(t)
            units.add(t.owner_unit_id)
        if len(picked) == n:
            break
    return picked


def _dispatch(clock, inc, team, capability, walk, quantity=None):
    d = dispatching.dispatch(None, inc, resource_type="teams", resource_id=team.pk, capability=capability,
                             quantity=quantity or team.capabilities.get(capability) or None)
    for status, minutes in walk:
        clock.advance(minutes=minutes)
        d = dispatching.set_status(None, d, status)
    return d


def _submit_all(clock, inc, text, minutes=5):
    for r in inc.reports.filter(submitted_at__isnull=True).order_by("due_at"):
        clock.advance(minutes=minutes)
        reporting.submit(None, r, text=text, recipient="市委市政府总值班室")


def _flood(ctx, now):
    towns = ctx.towns
    centre = towns[2]
    with _replay(now - dt.timedelta(hours=5, minutes=20)) as clock:
        inc = services.report(None, owner_unit=ctx.city, title="江北区暴雨洪涝（白沙、石桥、长安）", hazard_type="flood",
                              lng=centre.lng, lat=centre.lat, source=Source.LINK_110, caller_name="区防汛办",
                              callback_phone="0999-81010000", address=f"示范市江北区{centre.name}沿江片区",
                              description="持续强降雨，沿江低洼片区积水 0.8–1.5 米，多处民房进水", trapped=37,
                              affected=12600, direct_loss_wan_yuan=850, source_ref="DEMO-FLOOD")
        clock.advance(minutes=12)
        _submit_all(clock, inc, "江北区沿江片区暴雨内涝，初步统计受灾 1.2 万人，被困 37 人。", minutes=4)
        clock.advance(minutes=5)
        for t in towns[:4]:
            if t.pk != inc.owner_unit_id:
                from yingji.core import participants
                from yingji.core.models import ParticipantRole

                participants.add(None, inc, t, ParticipantRole.AREA)
        command.set_up_post(None, inc, name="江北区防汛现场指挥部", commander="张指挥", location="白沙街道办事处",
                            groups=command.STANDARD_GROUPS[:7])
        pumps = _teams("pumping", inc.lng, inc.lat, 3)
        boats = _teams("water_rescue", inc.lng, inc.lat, 2, exclude=[t.pk for t in pumps])
        walks = [[("accepted", 4), ("en_route", 2), ("on_scene", 24)], [("accepted", 6), ("en_route", 3)],
                 [("accepted", 9)]]
        for t, walk in zip(pumps, walks, strict=False):
            _dispatch(clock, inc, t, "pumping", walk)
            clock.advance(minutes=2)
        for t in boats:
            _dispatch(clock, inc, t, "water_rescue", [("accepted", 3), ("en_route", 1), ("on_scene", 18)])
        command.add_request(None, inc, capability="pumping", quantity=8000, priority=4)
        command.add_request(None, inc, capability="water_rescue", quantity=40, priority=5)
        command.add_request(None, inc, capability="earthwork", quantity=300, priority=3)
        clock.advance(minutes=30)
        for k, t in enumerate(towns[2:5]):
            command.add_task(None, inc, unit=t, title=f"转移安置{t.name}低洼片区群众并报送人数",
                             due=timezone.localdate() + dt.timedelta(days=1 + k))
        services.update_figures(None, inc, {"trapped": 12, "affected": 15800, "injuries": 6},
                                "续报：已解救 25 人，受灾人数上调")
        clock.advance(minutes=20)
        s = closing.draft_sitrep(None, inc)
        closing.send_sitrep(None, s, "市委市政府总值班室、省应急管理厅")
        services.add_note(None, inc, "气象台发布暴雨橙色预警，未来 6 小时仍有强降雨。")
    return inc


def _hazchem(ctx, now):
    ent = ctx.enterprises[0]
    with _replay(now - dt.timedelta(minutes=75)) as clock:
        inc = services.report(None, owner_unit=ctx.city, title=f"{ent.name}储罐泄漏", hazard_type="wsa10026",
                              lng=ent.lng, lat=ent.lat, source=Source.LINK_119, caller_name="企业安全负责人",
                              callback_phone=ent.contact_phone, address=ent.address, deaths=3, serious_injuries=6,
                              description="储罐区液氯泄漏，3 人死亡、6 人中毒送医，下风向 500 米疏散",
                              source_ref="DEMO-HAZCHEM")
        clock.advance(minutes=8)
        teams = _teams("hazchem", inc.lng, inc.lat, 3)
        walks = [[("accepted", 3), ("en_route", 2), ("on_scene", 19)], [("accepted", 5), ("en_route", 2)], []]
        for t, walk in zip(teams, walks, strict=False):
            _dispatch(clock, inc, t, "hazchem", walk)
        clock.advance(minutes=10)
        first = inc.reports.order_by("due_at").first()
        reporting.submit(None, first, text="液氯泄漏，3 死 6 伤，已调派危化品救援力量。", recipient="市政府总值班室")
        command.set_up_post(None, inc, name="危化品泄漏事故现场指挥部", commander="李副局长",
                            groups=("综合协调组", "抢险救援组", "医疗救治组", "专家组"))
    return inc


def _collapse(ctx, now):
    town = ctx.towns[17]
    with _replay(now - dt.timedelta(minutes=50)):
        inc = services.report(None, owner_unit=town, title=f"{town.name}道路塌陷", hazard_type="ground_collapse",
                              lng=town.lng + 0.004, lat=town.lat - 0.003, source=Source.PUBLIC, caller_name="过路市民",
                              callback_phone="13800001111", description="路面塌陷约 20 平方米，一辆小车陷落，暂无人员伤亡",
                              address=f"{town.name}建设路与人民路交叉口", source_ref="DEMO-COLLAPSE")
    reporting.flag_overdue()  # its phone report is late: the district gets a supervision task
    return inc


def _exercise(ctx, now):
    town = ctx.towns[12]
    with _replay(now - dt.timedelta(hours=2)) as clock:
        inc = services.report(None, owner_unit=ctx.city, title="城区防汛应急演练", hazard_type="waterlogging",
                              lng=town.lng, lat=town.lat, source=Source.UNIT, caller_name="演练导调组",
                              is_exercise=True, trapped=10, source_ref="DEMO-EXERCISE")
        for t in _teams("pumping", inc.lng, inc.lat, 2):
            _dispatch(clock, inc, t, "pumping", [("accepted", 5), ("en_route", 2), ("on_scene", 20)])
    return inc


def _closed(ctx, now, *, days, title, hazard, town, capability, lessons, ref, figures):
    with _replay(now - dt.timedelta(days=days)) as clock:
        inc = services.report(None, owner_unit=ctx.city, title=title, hazard_type=hazard, lng=town.lng + 0.002,
                              lat=town.lat + 0.002, source=Source.LINK_119, caller_name="报警人",
                              address=f"{town.name}", source_ref=ref, **figures)
        clock.advance(minutes=6)
        for k, t in enumerate(_teams(capability, inc.lng, inc.lat, 3)):
            _dispatch(clock, inc, t, capability, [("accepted", 2 + k)])
        _submit_all(clock, inc, f"{title}：已调派救援力量赶赴现场。", minutes=6)
        for d in inc.dispatches.all():
            clock.advance(minutes=7)
            dispatching.set_status(None, d, "on_scene")
        clock.advance(minutes=180)
        services.set_phase(None, inc, "recovery", "现场处置结束")
        clock.advance(minutes=60)
        _submit_all(clock, inc, f"{title}终报：处置完毕。", minutes=20)
        clock.advance(minutes=30)
        closing.close(None, inc, "处置完毕，转入善后")
        clock.advance(minutes=60 * 24 * 2)
        closing.review(None, inc, lessons=lessons, follow_ups=[
            (town, f"{town.name}落实{title}整改措施", timezone.localdate() + dt.timedelta(days=30))])
    return inc


def seed(ctx) -> None:
    if Incident.objects.filter(source_ref__startswith="DEMO-").exists():
        return
    grading.ensure_default_rules()
    reporting.ensure_default_rules()
    now = timezone.now()
    made = [
        _closed(ctx, now, days=12, title="西山区山体滑坡", hazard="landslide", town=ctx.towns[41],
                capability="search", ref="DEMO-LANDSLIDE", figures={"affected": 300, "direct_loss_wan_yuan": 120},
                lessons="预警信息发布到村组的时间偏长；搜救力量到场及时。"),
        _closed(ctx, now, days=5, title="龙泉街道仓库火灾", hazard="wsa10009", town=ctx.towns[7],
                capability="firefighting", ref="DEMO-FIRE", figures={"serious_injuries": 2,
                                                                     "direct_loss_wan_yuan": 260},
                lessons="消防车通道被占用，延误 6 分钟；企业微型消防站未按规定值守。"),
        _flood(ctx, now), _hazchem(ctx, now), _collapse(ctx, now), _exercise(ctx, now),
    ]
    ctx.progress(f"{len(made)} 起事件（4 起处置中，其中 1 起演练；2 起已结案并复盘）")
