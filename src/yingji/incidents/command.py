"""Command (指挥): the command post and its working groups, Tasks per unit (supervision's Task), resource requests,
and "optimise" — one joint allocation across every active incident by the exact allocator, with the reasons for
unmet demand, which the commander accepts in part or whole."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import crud, timeline, travel
from yingji.core.errors import Conflict, ValidationFailed, YingjiError
from yingji.core.kinds.registry import kind_for
from yingji.core.kinds.search import within_radius
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.domain.dispatch import Demand, Resource, allocate
from yingji.incidents import dispatching
from yingji.incidents.models import (
    ACTIVE_PHASES,
    OPEN_DISPATCH,
    CommandPost,
    Incident,
    Request,
    WorkingGroup,
)
from yingji.incidents.services import lock

__all__ = ["set_up_post", "add_group", "update_group", "parse_members", "add_task", "add_request", "optimise", "accept_plan", "STANDARD_GROUPS",
           "UNMET_LABELS"]

STANDARD_GROUPS = ("综合协调组", "抢险救援组", "医疗救治组", "交通管制组", "物资保障组", "宣传报道组", "专家组",
                   "治安警戒组", "通信保障组", "善后处置组")
UNMET_LABELS = {"no_capability": gettext_lazy("全市没有具备该能力的资源"),
                "all_busy": gettext_lazy("具备该能力的资源均不可用或已在执行任务"),
                "out_of_range": gettext_lazy("可用资源无法在时限内到达"),
                "not_enough_quantity": gettext_lazy("时限内可到达的资源总量不足"),
                "competing_demand": gettext_lazy("资源足够，但优先用于其他事件的需求")}
MAX_RESPONSE_S = 3600


def _fail(field, message):
    raise ValidationFailed(message, details={field: [message]})


def set_up_post(actor, incident: Incident, *, name: str, commander: str, deputy: str = "", location: str = "",
                groups=()) -> CommandPost:
    """成立现场指挥部, optionally with the standard working groups led by the incident's unit."""
    if not (name or "").strip() or not (commander or "").strip():
        _fail("name" if not (name or "").strip() else "commander", _("请填写指挥部名称和总指挥"))
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案"), code="bad_state")
        if CommandPost.objects.filter(incident=inc).exists():
            raise Conflict(_("该事件已成立指挥部"), code="exists")
        post = crud.create(actor, CommandPost(owner_unit=inc.owner_unit, incident=inc, name=name.strip()[:200],
                                              commander=commander.strip()[:100], deputy=(deputy or "")[:100],
                                              location=(location or "")[:200], set_up_at=timezone.now()))
        timeline.add(actor, inc, "command_post", _("成立%(n)s，总指挥 %(c)s") % {"n": post.name, "c": post.commander},
                     {"post": post.pk})
        for g in groups:
            add_group(actor, inc, name=g, lead_unit=inc.owner_unit)
    return post


MAX_MEMBERS = 200


def _members(members) -> list[dict]:
    if len(members) > MAX_MEMBERS:
        _fail("members", _("成员最多 %(n)s 人") % {"n": MAX_MEMBERS})
    out = []
    for m in members:
        if not isinstance(m, dict):
            _fail("members", _("成员须为 {name, role, phone}"))
        if str(m.get("name") or "").strip():
            out.append({"name": str(m.get("name", "")).strip()[:50], "role": str(m.get("role") or "").strip()[:50],
                        "phone": str(m.get("phone") or "").strip()[:30]})
    return out


def parse_members(text: str) -> list[dict]:
    """Members typed one per line, "姓名 职务 电话" separated by spaces, commas or tabs (职务 and 电话 optional)."""
    import re

    out = []
    for line in (text or "").splitlines():
        parts = [p for p in re.split(r"[\s,，、;；]+", line.strip()) if p]
        if parts:
            out.append({"name": parts[0], "role": parts[1] if len(parts) > 1 else "",
                        "phone": " ".join(parts[2:])})
    return _members(out)


def add_group(actor, incident: Incident, *, name: str, lead_unit: OrgUnit, leader: str = "", members=(),
              duties: str = "") -> WorkingGroup:
    name = (name or "").strip()
    if not name:
        _fail("name", _("请填写工作组名称"))
    members = _members(list(members))
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        g = crud.create(actor, WorkingGroup(owner_unit=inc.owner_unit, incident=inc, name=name[:100],
                                            lead_unit=lead_unit, leader=(leader or "")[:100], members=members,
                                            duties=(duties or "")[:300]))
        timeline.add(actor, inc, "group", _("工作组：%(n)s，牵头单位 %(u)s") % {"n": g.name, "u": lead_unit.name},
                     {"group": g.pk})
    return g


def update_group(actor, group: WorkingGroup, *, lead_unit: OrgUnit | None = None, leader: str | None = None,
                 members=None, duties: str | None = None) -> WorkingGroup:
    """Change a working group's lead unit, leader, members or duties (those given); on the incident's timeline."""
    changes: dict = {}
    if lead_unit is not None:
        changes["lead_unit"] = lead_unit
    if leader is not None:
        changes["leader"] = leader.strip()[:100]
    if members is not None:
        changes["members"] = _members(list(members))
    if duties is not None:
        changes["duties"] = duties.strip()[:300]
    with transaction.atomic():
        inc = lock(actor, group.incident_id, Action.CHANGE)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案"), code="bad_state")
        g = crud.workflow_update(actor, group, changes)
        timeline.add(actor, inc, "group", _("工作组更新：%(n)s（组长 %(l)s，成员 %(m)s 人）") % {
            "n": g.name, "l": g.leader or "—", "m": len(g.members)}, {"group": g.pk})
    return g


def add_task(actor, incident: Incident, *, unit: OrgUnit, title: str, due: dt.date, description: str = ""):
    """A Task for one unit with its due date: supervision's Task, sourced from the incident (sign-off, reminders
    and escalation come with it)."""
    from yingji.supervision import services as supervision

    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        task = supervision.create_task(None, owner_unit=inc.owner_unit, requester_unit=inc.owner_unit,
                                       title=title, description=description, source="incident",
                                       source_type="incidents.incident", source_id=inc.pk, urgency=1,
                                       is_exercise=inc.is_exercise)
        supervision.assign(None, task, lead=(unit, due))
        timeline.add(actor, inc, "task", _("交办任务：%(t)s → %(u)s（%(d)s 前）") % {"t": task.title, "u": unit.name,
                                                                             "d": due}, {"task": task.pk})
    return task


def add_request(actor, incident: Incident, *, capability: str, quantity, priority: int = 3, note: str = "") -> Request:
    from yingji.core import vocabulary

    if capability not in vocabulary.capability_names():
        _fail("capability", _("未知的能力代码：%(c)s") % {"c": capability})
    qty = dispatching._quantity(quantity)
    if qty is None:
        _fail("quantity", _("数量须为正数"))
    if not 1 <= int(priority) <= 5:
        _fail("priority", _("优先级为 1–5"))
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.DISPATCH)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案"), code="bad_state")
        r = crud.create(actor, Request(owner_unit=inc.owner_unit, incident=inc, capability=capability, quantity=qty,
                                       priority=int(priority), note=(note or "")[:300]))
        timeline.add(actor, inc, "request", _("资源需求：%(c)s × %(q)s") % {"c": capability, "q": f"{qty.normalize():f}"},
                     {"request": r.pk, "capability": capability, "quantity": str(qty)})
    return r


def _still_needed(req: Request) -> float:
    sent = (req.incident.dispatches.filter(capability=req.capability, status__in=OPEN_DISPATCH)
            .aggregate(n=Sum("quantity"))["n"]) or Decimal(0)
    return float(req.quantity - sent)


def optimise(user, incidents=None) -> dict:
    """A joint proposal for every open request of the active incidents the user may dispatch for (real and
    exercise incidents are never mixed: exercises are optimised on their own ledger)."""
    qs = Incident.objects.restrict(user, Action.DISPATCH).filter(phase__in=ACTIVE_PHASES, is_exercise=False)
    if incidents is not None:
        qs = qs.filter(pk__in=[i.pk if hasattr(i, "pk") else int(i) for i in incidents])
    incs = {i.pk: i for i in qs}
    demands, lines = [], []
    for req in Request.objects.filter(incident__in=incs.values(), is_open=True).select_related("incident"):
        need = _still_needed(req)
        if need > 0:
            demands.append(Demand(str(req.incident_id), req.capability, need, float(req.priority)))
            lines.append(req)
    if not demands:
        return {"assignments": [], "unmet": [], "incidents": list(incs.values()), "coverage": 0, "objective": 0}
    pool: dict[str, tuple[str, object]] = {}
    for req in lines:
        inc = req.incident
        for key, obj, _d in dispatching.candidates(user, inc, req.capability, per_type=40):
            pool.setdefault(f"{key}:{obj.pk}", (key, obj))
        for key in dispatching.DISPATCH_TYPES:  # a few busy ones, so "all busy" can be told from "none"
            kind = kind_for("resources", key)
            if not kind.capable:
                continue
            busy = kind.model._default_manager.filter(capability_index__contains=f",{req.capability},").exclude(
                pk__in=kind.model.available(kind.model._default_manager.all()).values("pk"))
            dist = within_radius(busy, inc.lng, inc.lat, 60_000)
            for obj in kind.model._default_manager.filter(pk__in=sorted(dist, key=dist.get)[:5]):
                pool.setdefault(f"{key}:{obj.pk}", (key, obj))
    keys = list(pool)
    objs = [pool[k][1] for k in keys]
    free = {(k, o.pk) for k, o in pool.values() if o.availability == "available"}
    caps = {d.capability for d in demands}
    resources = [Resource(k, {c: dispatching._offers(o, c) for c in caps if c in (o.capabilities or {})},
                          available=(pool[k][0], o.pk) in free) for k, o in zip(keys, objs, strict=True)]
    graph = travel.provider()
    snaps = travel.snap_places(objs, graph) if objs else []
    times = {str(pk): np.asarray(graph.travel_times_to(travel.snap_places([inc], graph), snaps), dtype=float)
             if objs else np.zeros(0) for pk, inc in incs.items()}
    result = allocate(demands, resources, times, max_response_s=MAX_RESPONSE_S)
    req_of = {(str(r.incident_id), r.capability): r for r in lines}
    out = []
    for a in sorted(result.assignments, key=lambda a: (a.incident_id, a.capability, a.eta_s)):
        key, obj = pool[a.resource_id]
        out.append({"incident_id": int(a.incident_id), "incident": incs[int(a.incident_id)].title,
                    "request_id": req_of[(a.incident_id, a.capability)].pk, "capability": a.capability,
                    "resource_type": key, "resource_id": obj.pk, "name": str(obj), "unit": obj.owner_unit.name,
                    "quantity": a.quantity, "travel_time_s": round(a.eta_s, 1),
                    "value": f"{a.incident_id}|{key}|{obj.pk}|{a.capability}|{a.quantity:g}"})
    unmet = [{"incident_id": int(u.incident_id), "incident": incs[int(u.incident_id)].title,
              "capability": u.capability, "requested": u.requested, "met": u.met, "reason": str(u.reason),
              "reason_label": str(UNMET_LABELS.get(str(u.reason), str(u.reason)))} for u in result.unmet]
    return {"assignments": out, "unmet": unmet, "incidents": list(incs.values()), "coverage": result.coverage,
            "objective": result.objective}


def accept_plan(actor, values: list[str]) -> dict:
    """Dispatch the chosen lines of a proposal ("incident|type|id|capability|quantity"), each on its own: a line
    whose resource was taken meanwhile is reported, the others go ahead."""
    done, failed = [], []
    for v in values:
        try:
            inc_id, rtype, rid, cap, qty = v.split("|")
            inc = crud.get_for(actor, Incident, int(inc_id), Action.DISPATCH)
            d = dispatching.dispatch(actor, inc, resource_type=rtype, resource_id=int(rid), capability=cap,
                                     quantity=qty)
            done.append(d)
        except YingjiError as exc:
            failed.append({"line": v, "message": exc.message})
        except ValueError:
            failed.append({"line": v, "message": _("方案条目格式错误")})
    if not done and not failed:
        _fail("lines", _("请至少选择一条"))
    return {"dispatched": done, "failed": failed}
