"""Monitoring API at /api/v1/monitoring: batch ingest (JSON or CSV), recent readings, rules with dry run and
templates, firings; plus the kernel's generic endpoints for sensors and stations."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from yingji.core import crud
from yingji.core.errors import BadRequest
from yingji.core.kinds.api import add_kind_routes
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.monitoring import evaluation, ingest, selectors, services
from yingji.monitoring.models import Rule, Sensor
from yingji.monitoring.registry import KINDS

router = Router(tags=["monitoring"])


@router.post("/readings", summary="批量上报读数 (JSON or CSV)", openapi_extra={"requestBody": {"content": {
    "application/json": {"schema": {"type": "object", "properties": {"readings": {"type": "array", "items": {}}}},
                         "example": {"readings": [["RG-001", 1780000000000, 0.5],
                                                  {"sensor": "RG-001", "ts": "2026-07-01T08:00:00+08:00",
                                                   "value": 1.5}]}},
    "text/csv": {"schema": {"type": "string"}, "example": "sensor,ts,value\nRG-001,1780000000000,0.5\n"}}}})
def post_readings(request: HttpRequest):
    """Stores the good rows (idempotent per sensor and time), reports each bad row, evaluates the rules.
    `ts` is epoch milliseconds or ISO 8601 text."""
    kind = (request.content_type or "").lower()
    if kind in ("text/csv", "application/csv"):
        batch = ingest.parse_csv(request.body)
    elif kind in ("application/json", ""):
        batch = ingest.parse_json(request.body)
    else:
        raise BadRequest(_("不支持的内容类型 %(t)s，请用 application/json 或 text/csv") % {"t": kind})
    return ingest.ingest(request.auth, batch)


@router.get("/sensors/{pk}/readings", summary="传感器最近读数")
def sensor_readings(request: HttpRequest, pk: int, hours: float = 24):
    if not 0 < hours <= 24 * 31:
        raise BadRequest(_("hours 应在 0 到 744 之间"))
    sensor = crud.get_for(request.auth, Sensor, pk)
    r = selectors.recent(sensor, hours)
    return {"sensor": selectors.sensor_dict(sensor), "ts": r.ts.tolist(), "value": r.value.tolist()}


class RuleIn(Schema):
    name: str
    hazard_type: str
    definition: dict
    owner_unit: int | None = None
    enabled: bool = True
    area: dict | None = None
    is_exercise: bool = False


class RulePatch(Schema):
    name: str | None = None
    hazard_type: str | None = None
    definition: dict | None = None
    enabled: bool | None = None
    area: dict | None = None


class DryRunIn(Schema):
    definition: dict
    days: float = 3
    owner_unit: int | None = None


class TemplateIn(Schema):
    template: str
    hazard_type: str
    sensors: dict | None = None
    owner_unit: int | None = None


def rule_out(r: Rule) -> dict:
    return {"id": r.pk, "name": r.name, "hazard_type": r.hazard_type, "level": r.level, "definition": r.definition,
            "enabled": r.enabled, "area": r.area, "template": r.template, "owner_unit": r.owner_unit_id,
            "is_exercise": r.is_exercise, "last_fired_at": r.last_fired_at}


def _unit(request, pk: int | None) -> OrgUnit:
    if pk is None:
        unit = getattr(request.auth, "unit", None)
        if unit is None:
            raise BadRequest(_("请指定所属单位 owner_unit"))
        return unit
    return crud.get_for(request.auth, OrgUnit, pk)


@router.get("/rules", summary="预警规则")
def list_rules(request: HttpRequest):
    return [rule_out(r) for r in selectors.rules(request.auth)]


@router.post("/rules", response={201: dict}, summary="新建预警规则")
def create_rule(request: HttpRequest, data: RuleIn):
    fields = data.dict()
    unit = _unit(request, fields.pop("owner_unit"))
    return Status(201, rule_out(services.create_rule(request.auth, owner_unit=unit, **fields)))


@router.post("/rules/from-template", response={201: list}, summary="按气象预警信号模板新建规则（每级一条）")
def from_template(request: HttpRequest, data: TemplateIn):
    unit = _unit(request, data.owner_unit)
    with transaction.atomic():
        made = services.rules_from_template(request.auth, owner_unit=unit, template=data.template,
                                            hazard_type=data.hazard_type, sensors=data.sensors)
    return Status(201, [rule_out(r) for r in made])


@router.post("/rules/dry-run", summary="试运行：规则在最近几天的数据上何时会触发")
def dry_run(request: HttpRequest, data: DryRunIn):
    if not 0 < data.days <= 31:
        raise BadRequest(_("days 应在 0 到 31 之间"))
    unit = _unit(request, data.owner_unit)
    services.check_definition(data.definition)
    return evaluation.dry_run(data.definition, unit.path, data.days)


@router.get("/rules/{pk}", summary="预警规则详情")
def get_rule(request: HttpRequest, pk: int):
    return rule_out(crud.get_for(request.auth, Rule, pk))


@router.patch("/rules/{pk}", summary="修改预警规则")
def patch_rule(request: HttpRequest, pk: int, data: RulePatch):
    rule = crud.get_for(request.auth, Rule, pk, Action.CHANGE)
    return rule_out(services.update_rule(request.auth, rule, data.dict(exclude_unset=True)))


@router.get("/rules/{pk}/firings", summary="规则触发记录")
def firings(request: HttpRequest, pk: int):
    rule = crud.get_for(request.auth, Rule, pk)
    return [{"fired_at": f.fired_at, "level": f.level, "sensor_ids": f.sensor_ids, "evidence": f.evidence,
             "draft": f.draft} for f in rule.firings.all()[:200]]


for _kind in KINDS.values():
    add_kind_routes(router, _kind)
