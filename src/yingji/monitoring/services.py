"""Monitoring workflows: rules (checked definitions, templates), offline detection with a supervision Task to the
sensor's owner, and the sensors' return to service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import crud, timeline, vocabulary
from yingji.core.errors import ValidationFailed
from yingji.core.roles import Action
from yingji.domain.rules import spec, templates
from yingji.monitoring.models import Rule, Sensor, SensorStatus

__all__ = ["check_definition", "rule_error_text", "check_sensors", "create_rule", "update_rule", "rules_from_template",
           "detect_offline", "OFFLINE_AFTER_BEATS"]

OFFLINE_AFTER_BEATS = 3


# The rule checker's errors (yingji.domain.rules.spec.MESSAGES) in the user's language, by code.
RULE_ERRORS = {
    "not_number": gettext_lazy("应为数字，收到 %(got)s"),
    "not_finite": gettext_lazy("应为有限数字，收到 %(got)s"),
    "not_integer": gettext_lazy("应为整数，收到 %(got)s"),
    "too_small": gettext_lazy("不能小于 %(low)s，收到 %(got)s"),
    "too_large": gettext_lazy("不能大于 %(high)s，收到 %(got)s"),
    "not_object": gettext_lazy("应为对象，收到 %(got)s"),
    "unknown_keys": gettext_lazy("未知字段 %(keys)s；可用：%(allowed)s"),
    "window": gettext_lazy("窗口须给出 minutes 或 hours 之一"),
    "too_deep": gettext_lazy("嵌套超过 %(max)s 层"),
    "unknown_agg": gettext_lazy("未知聚合 %(got)s；可用：%(allowed)s"),
    "all_or_any": gettext_lazy("all 与 any 只能取其一"),
    "empty_list": gettext_lazy("应为非空列表"),
    "persist_when": gettext_lazy("持续条件须给出 when"),
    "unknown_op": gettext_lazy("未知比较 %(got)s；可用：%(allowed)s"),
    "no_value": gettext_lazy("须给出阈值"),
    "no_selector": gettext_lazy("须选择传感器：kind、ids 或 codes"),
    "not_text": gettext_lazy("应为文本"),
    "not_text_list": gettext_lazy("应为文本列表"),
    "bad_match": gettext_lazy("应为 all 或 any，收到 %(got)s"),
    "no_condition": gettext_lazy("须给出条件"),
}


def rule_error_text(exc: spec.RuleError) -> str:
    """What is wrong (without its path), in the user's language."""
    return str(RULE_ERRORS[exc.code]) % exc.params if exc.code in RULE_ERRORS else exc.message


def _invalid(path: str, text: str) -> ValidationFailed:
    """The one refusal of a rule definition: `path: what is wrong` as the message and the field's error."""
    where = f"{path}: {text}" if path else text
    return ValidationFailed(_("规则定义有误：%(m)s") % {"m": where}, details={"definition": [where], "path": path})


def check_definition(definition) -> spec.Rule:
    try:
        return spec.parse(definition)
    except spec.RuleError as exc:
        raise _invalid(exc.path, rule_error_text(exc)) from None


def check_sensors(parsed: spec.Rule, owner_unit) -> list[str]:
    """What makes a checked rule unable to fire, judged against the sensors owned inside `owner_unit` (where the
    rule looks for them). A sensor type that does not exist ("rian") and codes or ids naming no sensor there are
    mistakes: ValidationFailed naming the first. A type no sensor there has yet is allowed (rules are often set
    up before the gauges are installed) and returned as a warning per clause, for the editor and the dry run."""
    from yingji.monitoring.evaluation import Members
    from yingji.monitoring.models import SensorKind

    members = Members(Sensor.objects.filter(owner_unit__path__startswith=owner_unit.path).values_list(
        "pk", "code", "kind", "owner_unit__path", "is_exercise"))
    codes = {code for _pk, code, *_ in members.rows}
    ids = {pk for pk, *_ in members.rows}
    warnings = []
    for i, clause in enumerate(parsed.clauses):
        path, sel = f"clauses[{i}].sensors", clause.sensors
        if "kind" in sel and sel["kind"] not in SensorKind.values:
            raise _invalid(f"{path}.kind", _("未知传感器类型 %(k)s；可用：%(kinds)s") % {
                "k": sel["kind"], "kinds": ", ".join(f"{v} ({label})" for v, label in SensorKind.choices)})
        missing = [c for c in sel.get("codes", ()) if c not in codes]
        if missing:
            raise _invalid(f"{path}.codes", _("本单位没有编号为 %(codes)s 的传感器") % {"codes": ", ".join(missing)})
        missing = [str(n) for n in sel.get("ids", ()) if int(n) not in ids]
        if missing:
            raise _invalid(f"{path}.ids", _("本单位没有 ID 为 %(ids)s 的传感器") % {"ids": ", ".join(missing)})
        if not members.of(sel):
            warnings.append(_("第 %(n)s 个条件选不到任何传感器：添加传感器之前，这条规则不会触发") % {"n": i + 1})
    return warnings


def _check_hazard(code: str) -> None:
    if not code or code not in vocabulary.hazard_names():
        raise ValidationFailed(_("未知灾种：%(c)s") % {"c": code}, details={"hazard_type": [_("未知灾种")]})


def create_rule(actor, *, owner_unit, name: str, hazard_type: str, definition: dict, enabled: bool = True,
                area: dict | None = None, template: str = "", is_exercise: bool = False) -> Rule:
    parsed = check_definition(definition)
    check_sensors(parsed, owner_unit)
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
        parsed = check_definition(changes["definition"])
        check_sensors(parsed, rule.owner_unit)
        changes["level"] = parsed.level
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
