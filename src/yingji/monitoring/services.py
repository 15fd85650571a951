"""Monitoring workflows: rules (checked definitions, templates), offline detection with a supervision Task to the
sensor's owner, and the sensors' return to service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import crud, timeline, vocabulary
from yingji.core.errors import ValidationFailed
from yingji.core.roles import Action
from yingji.domain.rules import spec, templates
from yingji.monitoring.models import Rule, Sensor, SensorStatus

__all__ = ["check_definition", "create_rule", "update_rule", "rules_from_template", "detect_offline",
           "OFFLINE_AFTER_BEATS"]

OFFLINE_AFTER_BEATS = 3


def check_definition(definition) -> spec.Rule:
    try:
        return spec.parse(definition)
    except spec.RuleError as exc:
        raise ValidationFailed(_("规则定义有误：%(m)s") % {"m": str(exc)},
                               details={"definition": [str(exc)], "path": exc.path}) from None


def _check_hazard(code: str) -> None:
    if not code or code not in vocabulary.hazard_names():
        raise ValidationFailed(_("未知灾种：%(c)s") % {"c": code}, details={"hazard_type": [_("未知灾种")]})


def create_rule(actor, *, owner_unit, name: str, hazard_type: str, definition: dict, enabled: bool = True,
                area: dict | None = None, template: str = "", is_exercise: bool = False) -> Rule:
    parsed = check_definition(definition)
    _check_hazard(hazard_type)
    with transaction.atomic():
        rule = crud.create(actor, Rule(owner_unit=owner_unit, name=(name or "").strip(), hazard_type=hazard_type,
                                       level=parsed.level, definition=definition, enabled=enabled, area=area,
                                       template=template, is_exercise=is_exercise))
        timeline.add(actor, rule, "created", _("新建预警规则"), {"level": rule.level})
    return rule


def update_rule(actor, rule: Rule, changes: Mapping[str, object]) -> Rule:
    changes = dict(changes)
    if "definition" in changes:
        changes["level"] = check_definition(changes["definition"]).level
    if "hazard_type" in changes:
        _check_hazard(str(changes["hazard_type"]))
    with transaction.atomic():
        rule = crud.get_for(actor, Rule, rule.pk, Action.CHANGE, lock=True)
        rule = crud.update(actor, rule, changes)
        timeline.add(actor, rule, "changed", _("修改预警规则"), {"fields": sorted(changes)})
    return rule


def rules_from_template(actor, *, owner_unit, template: str, hazard_type: str, sensors: dict | None = None,
                        name: str = "") -> list[Rule]:
    """One rule per signal level of a meteorological template (暴雨: 红 橙 黄 蓝)."""
    if template not in templates.TEMPLATES:
        raise ValidationFailed(_("未知模板：%(t)s") % {"t": template})
    label = name or {"rainstorm": _("暴雨"), "heat": _("高温")}[template]
    colours = {1: _("红色"), 2: _("橙色"), 3: _("黄色"), 4: _("蓝色")}
    return [create_rule(actor, owner_unit=owner_unit, name=f"{label}{colours[d['level']]}", hazard_type=hazard_type,
                        definition=d, template=template) for d in templates.TEMPLATES[template](sensors)]


def _supervisor(unit):
    return unit.parent if unit.parent_id else unit


def detect_offline(now: dt.datetime | None = None) -> int:
    """Sensors with no data for three heartbeats go offline, and their owner gets a Task to restore them."""
    from yingji.supervision import services as supervision

    now = now or timezone.now()
    candidates = Sensor.objects.filter(status=SensorStatus.ACTIVE).select_related("owner_unit", "owner_unit__parent")
    count = 0
    for sensor in candidates.iterator():
        seen = sensor.last_seen_at or sensor.created_at
        if seen > now - dt.timedelta(minutes=OFFLINE_AFTER_BEATS * sensor.heartbeat_minutes):
            continue
        with transaction.atomic():
            # Claim it: only one job run turns a sensor offline and opens its task.
            if not Sensor.objects.filter(pk=sensor.pk, status=SensorStatus.ACTIVE).update(status=SensorStatus.OFFLINE):
                continue
            sensor.status = SensorStatus.OFFLINE
            unit = sensor.owner_unit
            task = supervision.create_task(
                None, owner_unit=_supervisor(unit), requester_unit=_supervisor(unit),
                title=_("传感器离线：%(code)s %(name)s") % {"code": sensor.code, "name": sensor.name},
                description=_("自 %(t)s 起未收到数据（心跳间隔 %(m)d 分钟）。请检查设备、供电和通信，恢复后数据会自动上线。")
                % {"t": timezone.localtime(seen).strftime("%Y-%m-%d %H:%M"), "m": sensor.heartbeat_minutes},
                source_type="monitoring.sensor", source_id=sensor.pk, urgency=2,
                is_exercise=sensor.is_exercise, at=now)
            supervision.assign(None, task, lead=(unit, timezone.localdate(now) + dt.timedelta(days=1)), at=now)
            Sensor.objects.filter(pk=sensor.pk).update(offline_task_id=task.pk)
            timeline.add(None, sensor, "offline", _("传感器离线，已向 %(u)s 交办督办任务 %(r)s") % {
                "u": unit.name, "r": task.reference}, {"task_id": task.pk})
        count += 1
    return count
