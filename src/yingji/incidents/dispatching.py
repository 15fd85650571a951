"""Requests and dispatch: recommendation over road travel times (allocation engine's ranking), dispatch orders to
the owning units (accept or decline in their inbox), the status walk dispatched → accepted → en route → on scene
→ released, material issues posted as stock-out movements, and the joint "optimise" across active incidents.

A team, equipment item or expert has one active real commitment (core.commitments): of two dispatchers racing
for it, one wins and the other gets Conflict (409). Exercise incidents commit in the exercise ledger and never
touch real stock or availability."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import commitments, crud, participants, permissions, timeline, travel
from yingji.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from yingji.core.kinds.registry import kind_for
from yingji.core.kinds.search import within_radius
from yingji.core.models import Commitment, CommitmentState, ParticipantRole
from yingji.core.roles import Action
from yingji.domain.dispatch import Demand, Resource, rank
from yingji.incidents.models import (
    ACTIVE_PHASES,
    NEXT_STATUS,
    OPEN_DISPATCH,
    Dispatch,
    DispatchStatus,
    Incident,
    Phase,
)
from yingji.incidents.services import lock, system_write

__all__ = ["recommend", "dispatch", "set_status", "resource_of", "DISPATCH_TYPES", "candidates", "signoff_key"]

DISPATCH_TYPES = ("teams", "equipment", "experts")
MATERIAL_TYPE = "stock"
RADIUS_KM = (8.0, 25.0, 60.0)  # search near first, wider only when fewer than CANDIDATES are found
MAX_TRAVEL_S = 5400  # the search stops at 90 minutes' drive: farther resources are not recommended
CANDIDATES = 40  # nearest by straight line, per type, timed on the road graph


def signoff_key(d: Dispatch) -> str:
    return f"incidents:dispatch:{d.pk}"


def resource_of(resource_type: str, resource_id):
    if resource_type not in (*DISPATCH_TYPES, MATERIAL_TYPE):
        raise ValidationFailed(details={"resource_type": [_("不支持的资源类型：%(t)s") % {"t": resource_type}]})
    kind = kind_for("resources", resource_type)
    try:
        return kind, kind.model._default_manager.select_related("owner_unit").get(pk=int(resource_id))
    except (kind.model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _free(model, qs, is_exercise: bool):
    """Ready rows without an active commitment in the incident's ledger (real or exercise)."""
    if not is_exercise:
        return model.available(qs)
    ct = ContentType.objects.get_for_model(model)
    busy = Commitment.objects.filter(resource_type=ct, resource_id=OuterRef("pk"), state=CommitmentState.COMMITTED,
                                     is_exercise=True)
    return qs.filter(model.ready_q()).exclude(Exists(busy))


def _busy(model, is_exercise: bool) -> set[int]:
    """Ids of the type's resources with an active commitment in the ledger (real or exercise): a small set."""
    ct = ContentType.objects.get_for_model(model)
    return set(Commitment.objects.filter(resource_type=ct, state=CommitmentState.COMMITTED, is_exercise=is_exercise)
               .values_list("resource_id", flat=True))


def candidates(user, inc: Incident, capability: str, per_type: int = CANDIDATES):
    """[(type key, object, straight-line metres)] of free resources offering `capability` (or, for the pseudo
    capability `expert`, experts on the incident's hazard type), nearest first per type.

    Distances come first (the band index); readiness is asked only of the nearest rows, in chunks: asked
    together, SQLite prefers the status index and reads every ready row of the type."""
    out = []
    for key in DISPATCH_TYPES:
        kind = kind_for("resources", key)
        model = kind.model
        qs = model._default_manager.restrict(user)
        if capability == "expert":
            if key != "experts":
                continue
        elif not kind.capable:
            continue
        else:
            qs = qs.filter(capability_index__contains=f",{capability},")
        names = {f.name for f in model._meta.get_fields()}
        fields = ["name", "lat", "lng", "road_node", "road_snap_m", "road_graph", "owner_unit__name",
                  *(f for f in ("capabilities", "readiness", "code") if f in names)]
        busy = _busy(model, inc.is_exercise)
        ids: list[int] = []
        for radius in RADIUS_KM:
            dist = within_radius(qs, inc.lng, inc.lat, radius * 1000)
            ordered = [pk for pk in sorted(dist, key=dist.get) if pk not in busy]
            ids = []
            step = max(2 * per_type, 50)
            for i in range(0, len(ordered), step):
                chunk = ordered[i:i + step]
                ready = set(model._default_manager.filter(model.ready_q(), pk__in=chunk).values_list("pk", flat=True))
                ids += [pk for pk in chunk if pk in ready]
                if len(ids) >= per_type:
                    break
            if len(ids) >= per_type:
                break
        ids = ids[:per_type]
        rows = {o.pk: o for o in model._default_manager.filter(pk__in=ids).select_related("owner_unit").only(*fields)}
        objs = [rows[pk] for pk in ids if pk in rows]
        out += [(key, o, dist[o.pk]) for o in objs]
    return out


def _offers(obj, capability: str) -> float:
    if capability == "expert":
        return 1.0
    value = (getattr(obj, "capabilities", None) or {}).get(capability)
    try:
        return float(value) if value not in (None, "") else 1.0
    except (TypeError, ValueError):
        return 1.0


def recommend(user, incident: Incident, capability: str, quantity, limit: int = 10) -> dict:
    """The fastest free resources for `quantity` of `capability` at the incident, by road travel time (snapped
    nodes cached on the places), with the running total and where the request is met."""
    inc = crud.get_for(user, Incident, incident.pk, Action.VIEW)
    capability = (capability or "").strip()
    if not capability:
        raise ValidationFailed(details={"capability": [_("请选择所需能力")]})
    try:
        qty = float(quantity)
    except (TypeError, ValueError):
        raise ValidationFailed(details={"quantity": [_("数量须为正数")]}) from None
    if not qty > 0 or not np.isfinite(qty):
        raise ValidationFailed(details={"quantity": [_("数量须为正数")]})
    if capability != "expert":
        from yingji.core import vocabulary

        if capability not in vocabulary.capability_names():
            raise ValidationFailed(details={"capability": [_("未知的能力代码：%(c)s") % {"c": capability}]})
    rows = candidates(user, inc, capability)
    if not rows:
        return {"capability": capability, "quantity": qty, "estimated": False, "items": []}
    graph = travel.provider()
    objs = [o for _k, o, _d in rows]
    targets = travel.snap_places(objs, graph)
    origin = travel.snap_places([inc], graph)
    times = graph.travel_times_to(origin, targets, limit_s=MAX_TRAVEL_S)
    resources = [Resource(f"{k}:{o.pk}", {capability: _offers(o, capability)}) for k, o, _d in rows]
    ranked = rank(Demand(str(inc.pk), capability, qty), resources, np.asarray(times, dtype=float), k=limit)
    by_id = {f"{k}:{o.pk}": (k, o, d, i) for i, (k, o, d) in enumerate(rows)}
    est = np.asarray(times.estimated)
    items = []
    for r in ranked:
        key, obj, dist, i = by_id[r.resource_id]
        items.append({
            "resource_type": key, "resource_id": obj.pk, "name": str(obj), "unit": obj.owner_unit.name,
            "unit_id": obj.owner_unit_id, "quantity": r.quantity, "travel_time_s": round(r.eta_s, 1),
            "estimated": bool(est[i]), "distance_m": round(dist, 1), "cumulative": r.cumulative,
            "meets_demand": r.meets_demand, "readiness": getattr(obj, "readiness", "") or "",
            "lng": obj.lng, "lat": obj.lat, "url": f"/resources/{key}/{obj.pk}/"})
    return {"capability": capability, "quantity": qty, "estimated": bool(est.any()), "items": items}


def _eta(inc: Incident, obj) -> float | None:
    try:
        graph = travel.provider()
        t = graph.travel_times_to(travel.snap_places([inc], graph), travel.snap_places([obj], graph))
        v = float(np.asarray(t)[0])
        return round(v, 1) if np.isfinite(v) else None
    except Exception:  # noqa: BLE001 — an ETA is a convenience; a dispatch must not fail for want of one
        return None


def _quantity(value, field: str = "quantity") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        q = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed(details={field: [_("数量须为正数")]}) from None
    if not q.is_finite() or q <= 0 or q >= Decimal("1e11"):
        raise ValidationFailed(details={field: [_("数量须为正数")]})
    return q


def dispatch(actor, incident: Incident, *, resource_type: str, resource_id, capability: str = "", quantity=None,
             note: str = "", notify: bool = True) -> Dispatch:
    """调派: order a resource to the incident. Teams, equipment and experts are committed at once (one active
    commitment each: a second dispatcher gets 409); a material lot is issued when its warehouse accepts."""
    qty = _quantity(quantity)
    kind, obj = resource_of(resource_type, resource_id)
    if resource_type == MATERIAL_TYPE and qty is None:
        raise ValidationFailed(details={"quantity": [_("请填写调拨数量")]})
    now = timezone.now()
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.DISPATCH)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案或已合并，不能调派"), code="bad_state")
        if resource_type == MATERIAL_TYPE:
            if qty > obj.quantity:
                raise Conflict(_("库存不足：%(n)s 现有 %(q)s") % {"n": obj, "q": obj.quantity}, code="insufficient")
            unit = obj.warehouse.owner_unit
            name = f"{obj.item.name} × {qty.normalize():f}（{obj.warehouse.name}）"
            lng, lat = obj.warehouse.lng, obj.warehouse.lat
        else:
            unit, name, lng, lat = obj.owner_unit, str(obj), obj.lng, obj.lat
        d = Dispatch(owner_unit=inc.owner_unit, incident=inc, resource_type=resource_type, resource_id=obj.pk,
                     resource_name=name[:200], resource_unit=unit, capability=(capability or "")[:40], quantity=qty,
                     dispatched_at=now, note=(note or "")[:300], is_exercise=inc.is_exercise, lng=lng, lat=lat)
        if resource_type != MATERIAL_TYPE:
            c = commitments.commit(actor, obj, work=inc, capability=(capability or "")[:40], quantity=qty)
            d.commitment_id = c.pk
            d.eta_s = _eta(inc, obj)
        crud.create(actor, d, unit=inc.owner_unit)
        participants.add(actor, inc, unit, ParticipantRole.DISPATCHED)
        participants.add(actor, d, unit, ParticipantRole.DISPATCHED)
        timeline.add(actor, inc, "dispatch", _("调派 %(r)s（%(u)s）%(c)s") % {
            "r": d.resource_name, "u": unit.name, "c": f"：{capability} {qty or ''}".rstrip() if capability else ""},
            {"dispatch": d.pk, "resource_type": resource_type, "resource_id": obj.pk, "unit": unit.name,
             "capability": capability, "quantity": str(qty) if qty is not None else None, "eta_s": d.eta_s,
             "lng": lng, "lat": lat})
        if inc.phase == Phase.REPORTED:
            system_write(actor, inc, {"phase": Phase.RESPONDING})
            timeline.add(actor, inc, "phase", _("阶段：接报 → 处置中"), {"phase": Phase.RESPONDING})
        if notify:
            _notify_order(actor, inc, d)
    return d


def _notify_order(actor, inc: Incident, d: Dispatch) -> None:
    import datetime as dt

    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    prefix = _("【演练】") if inc.is_exercise else ""
    notifications.notify(
        "incidents.dispatch_order", key=signoff_key(d),
        recipients=[Recipient.of_unit(d.resource_unit, ["unit_admin", "unit_staff", "team_leader", "duty_officer",
                                                         "commander"])],
        title=prefix + _("调派令：%(r)s 前往 %(t)s") % {"r": d.resource_name[:60], "t": inc.title[:60]},
        body=_("地点：%(a)s。请接受或拒绝。") % {"a": inc.address or f"{inc.lng:.5f}, {inc.lat:.5f}"},
        url=f"/incidents/dispatches/{d.pk}/", subject=d, needs_signoff=True,
        sign_deadline=timezone.now() + dt.timedelta(minutes=15), sender_unit=inc.owner_unit, actor=actor)


def _may_answer(actor, d: Dispatch) -> bool:
    """The resource's own unit answers the order (accept/decline): whoever may change the resource there."""
    if actor is None:
        return True
    if d.resource_type == MATERIAL_TYPE:
        kind = kind_for("resources", MATERIAL_TYPE)
        obj = kind.model._default_manager.filter(pk=d.resource_id).first()
    else:
        obj = kind_for("resources", d.resource_type).model._default_manager.filter(pk=d.resource_id).first()
    return obj is not None and permissions.can(actor, Action.CHANGE, obj)


def _may_track(actor, d: Dispatch) -> bool:
    return actor is None or _may_answer(actor, d) or permissions.can(actor, Action.DISPATCH, d.incident)


STAMP = {DispatchStatus.ACCEPTED: "accepted_at", DispatchStatus.DECLINED: "declined_at",
         DispatchStatus.EN_ROUTE: "en_route_at", DispatchStatus.ON_SCENE: "on_scene_at",
         DispatchStatus.RELEASED: "released_at", DispatchStatus.CANCELLED: "released_at"}


def set_status(actor, dispatch_: Dispatch, status: str, note: str = "", at=None) -> Dispatch:
    """Move a dispatch on. Accepting or declining is the owning unit's; the rest either side's. Declining,
    cancelling and releasing end the commitment; accepting a material order posts its stock-out."""
    if status not in STAMP:
        raise ValidationFailed(details={"status": [_("未知的状态：%(s)s") % {"s": status}]})
    now = at if (at is not None and actor is None) else timezone.now()
    with transaction.atomic():
        d = crud.get_for(actor, Dispatch, dispatch_.pk, Action.VIEW, lock=True)
        inc = d.incident
        allowed = NEXT_STATUS.get(d.status, ())
        if status not in allowed:
            raise Conflict(_("调派单当前为“%(a)s”，不能改为“%(b)s”") % {
                "a": d.get_status_display(), "b": DispatchStatus(status).label}, code="bad_state")
        if status in (DispatchStatus.ACCEPTED, DispatchStatus.DECLINED):
            if not _may_answer(actor, d):
                raise PermissionDenied(_("只有资源所属单位可以接受或拒绝调派"))
        elif status == DispatchStatus.CANCELLED:
            permissions.require(actor, Action.DISPATCH, inc)
        elif not _may_track(actor, d):
            raise PermissionDenied()
        changes = {"status": status, STAMP[status]: now}
        if note:
            changes["note"] = note[:300]
        if status == DispatchStatus.ACCEPTED and d.resource_type == MATERIAL_TYPE and not d.is_exercise:
            from yingji.resources import services as resources

            move = resources.issue(actor, d.resource_id, d.quantity, incident_ref=inc.reference,
                                   note=_("事件调用：%(t)s") % {"t": inc.title[:100]})
            changes["movement_id"] = move.pk
        if status == DispatchStatus.ON_SCENE and d.en_route_at is None:
            changes["en_route_at"] = d.accepted_at or now
        if d.commitment_id and status in (DispatchStatus.DECLINED, DispatchStatus.CANCELLED, DispatchStatus.RELEASED):
            c = Commitment.objects.get(pk=d.commitment_id)
            if c.state == CommitmentState.COMMITTED:
                (commitments.release if status == DispatchStatus.RELEASED else commitments.cancel)(None, c)
        d = system_write(actor, d, changes)
        timeline.add(actor, inc, "dispatch_status", _("%(r)s：%(s)s%(n)s") % {
            "r": d.resource_name, "s": d.get_status_display(), "n": f"（{note}）" if note else ""},
            {"dispatch": d.pk, "status": status, "lng": d.lng, "lat": d.lat})
        if status in (DispatchStatus.ACCEPTED, DispatchStatus.DECLINED):
            _sign_order(actor, d)
    return d


def _sign_order(actor, d: Dispatch) -> None:
    """Answering the order also signs the unit's in-app 签收 item for it."""
    if actor is None:
        return
    from yingji.notifications import selectors as ntf_selectors
    from yingji.notifications import services as notifications

    for n in ntf_selectors.inbox(actor).filter(message__key=signoff_key(d)):
        if n.message.needs_signoff:
            notifications.sign(actor, n)


def open_for_unit(user):
    """Dispatch orders waiting for an answer from the user's units (their inbox of orders)."""
    return (Dispatch.objects.restrict(user).filter(status=DispatchStatus.DISPATCHED)
            .select_related("incident", "resource_unit").order_by("dispatched_at"))


__all__ += ["open_for_unit", "OPEN_DISPATCH"]
