"""Demo data for 预警发布: the default disaster-chain graph; a published orange rainstorm warning over the first
district's towns (in the CAP feed, one town acknowledged, the others still to sign); a red rainstorm and a
yellow heat warning awaiting approval; a published exercise (typhoon, blue); a draft a monitoring rule made.

Idempotent: if the demo's warnings are there, nothing is created."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.alerts import ack, chains, provided, services
from yingji.alerts.models import Warning
from yingji.core.demo import DemoContext
from yingji.core.models import User

MARK = "demo:"


def _towns(ctx: DemoContext, district_index: int) -> list:
    d = ctx.districts[district_index % len(ctx.districts)]
    return [t for t in ctx.towns if t.parent_id == d.pk]


def seed(ctx: DemoContext) -> None:
    chains.ensure_default_links()
    if Warning.objects.filter(source_ref__startswith=MARK).exists():
        return
    ctx.progress("预警发布")
    now = timezone.now().replace(second=0, microsecond=0)
    city = ctx.city
    first = _towns(ctx, 0)[:4] or ctx.towns[:4]
    w = services.create_draft(
        None, owner_unit=city, headline="示范市暴雨橙色预警", hazard_type="rainstorm", level=2,
        onset=now - dt.timedelta(hours=1), expires=now + dt.timedelta(hours=23), towns=[t.pk for t in first],
        description="受强对流天气影响，预计未来6小时内江北区将出现50毫米以上降雨，局地可达100毫米。",
        instruction="1. 停止户外集体活动，学校、幼儿园采取适当措施保证学生和幼儿安全；2. 切断低洼地带有危险的室外电源；"
                    "3. 地质灾害隐患点周边人员做好转移准备；4. 驾驶人员注意道路积水和交通阻断。",
        headline_en="Orange rainstorm warning for Shifan City",
        description_en="More than 50 mm of rain is expected in Jiangbei district within six hours.",
        instruction_en="Stop outdoor gatherings; keep away from low-lying areas, slopes and rivers.",
        source_ref=MARK + "rainstorm-orange")
    services.submit(None, w)
    w = services.approve(None, w)
    staff = User.objects.filter(username="staff").first()
    if staff is not None and staff.role_assignments.filter(unit_id__in=w.area_units).exists():
        ack.acknowledge(staff, w)

    second = _towns(ctx, 1)[:3] or ctx.towns[4:7]
    red = services.create_draft(
        None, owner_unit=city, headline="示范市暴雨红色预警（待审批）", hazard_type="rainstorm", level=1,
        onset=now, expires=now + dt.timedelta(hours=12), towns=[t.pk for t in second],
        description="预计未来3小时城中区降雨量将达100毫米以上。", instruction="停课、停工、停业；人员转移至安全场所。",
        source_ref=MARK + "rainstorm-red")
    services.submit(None, red)
    heat = services.create_draft(
        None, owner_unit=ctx.districts[2 % len(ctx.districts)], headline="东湖区高温黄色预警（待审批）",
        hazard_type="heat", level=3, onset=now, expires=now + dt.timedelta(hours=36),
        towns=[t.pk for t in _towns(ctx, 2)[:3]], instruction="减少户外作业，做好防暑降温。",
        source_ref=MARK + "heat-yellow")
    services.submit(None, heat)
    drill = services.create_draft(
        None, owner_unit=city, headline="台风蓝色预警（演练）", hazard_type="typhoon", level=4, onset=now,
        expires=now + dt.timedelta(hours=48), towns=[t.pk for t in _towns(ctx, 5)[:3]], is_exercise=True,
        description="防台风应急演练：模拟第5号台风将于48小时内影响新港区。",
        instruction="（演练）加固门窗和户外设施，渔船回港避风，沿海低洼地带人员做好转移准备。", source_ref=MARK + "typhoon-drill")
    services.submit(None, drill)
    services.approve(None, drill)
    area = w.boundary
    provided.draft_from_rule(rule_id="demo-rain-1h", rule_name="1小时雨量≥30毫米", level=3, hazard_type="rainstorm",
                             area=area, sensor_ids=[], evidence={"sum_1h_mm": 34.5}, fired_at=now)
