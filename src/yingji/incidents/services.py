"""Intake (接报), duplicates and merging, figures and re-grading, phases and notes: the writes of an incident
itself. Dispatch lives in `dispatching.py`, reports in `reporting.py`, command in `command.py`, closing and the
review in `closing.py`. Every write is audited (core.crud / audit) and noted on the incident's timeline."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from yingji.core import crud, participants, permissions, timeline, vocabulary
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.models import OrgUnit, ParticipantRole
from yingji.core.models.place import check_point
from yingji.core.roles import Action
from yingji.incidents import grading
from yingji.incidents.models import ACTIVE_PHASES, OPEN_DISPATCH, Incident, Phase, Source

__all__ = ["report", "duplicates", "merge", "update_figures", "set_phase", "add_note", "system_write",
           "duplicate_window", "FIGURES", "lock"]

FIGURES = ("deaths", "missing", "serious_injuries", "injuries", "trapped", "affected", "direct_loss_wan_yuan")
GRADED_FIGURES = ("deaths", "serious_injuries", "direct_loss_wan_yuan", "affected")


def duplicate_window() -> tuple[float, float]:
    """(metres, minutes): a new report of the same hazard type this close to an active incident is offered for
    merging. Settings YINGJI["INCIDENT_DUPLICATE_M"] and ["INCIDENT_DUPLICATE_MIN"]."""
    conf = getattr(settings, "YINGJI", {})
    return float(conf.get("INCIDENT_DUPLICATE_M", 1000)), float(conf.get("INCIDENT_DUPLICATE_MIN", 120))


def _fail(field: str, message: str):
    raise ValidationFailed(message, details={field: [message]})


def lock(actor, pk, action=Action.VIEW) -> Incident:
    return crud.get_for(actor, Incident, pk, action, lock=True)


def system_write(actor, obj, changes: dict):
    """Write fields the calling service has already authorised (a derived phase, a stamp): core's audited workflow
    write, with the fields copied back onto `obj` for the caller that goes on using it."""
    fresh = crud.workflow_update(actor, obj, changes)
    for name in changes:
        setattr(obj, name, getattr(fresh, name))
    return obj


def _clean_figures(values: dict) -> dict:
    out = {}
    for name in FIGURES:
        if name not in values or values[name] is None:
            continue
        raw = values[name]
        if name == "direct_loss_wan_yuan":
            try:
                v = Decimal(str(raw))
            except (InvalidOperation, ValueError):
                _fail(name, _("请填写数字"))
            if not v.is_finite() or v < 0 or v >= Decimal("1e12"):
                _fail(name, _("金额须为 0 至 1 万亿之间的数字"))
            out[name] = v.quantize(Decimal("0.01"))
        else:
            try:
                v = int(raw)
            except (TypeError, ValueError):
                _fail(name, _("请填写非负整数"))
            if isinstance(raw, float) and raw != v or v < 0 or v > 2_000_000_000:
                _fail(name, _("请填写非负整数"))
            out[name] = v
    return out


def _check_hazard(code: str) -> str:
    code = (code or "").strip()
    if code not in vocabulary.hazard_names():
        _fail("hazard_type", _("未知的事件类型代码：%(c)s") % {"c": code or "—"})
    return code


def _grade(inc: Incident) -> grading.Grade:
    """The grade to store: its basis in Chinese (the default language), whoever reported or updated; never less
    severe than the warning the incident was opened from."""
    return grading.stored_grade(inc.hazard_type, deaths=inc.deaths, serious_injuries=inc.serious_injuries,
                                direct_loss_wan_yuan=inc.direct_loss_wan_yuan, affected=inc.affected,
                                missing=inc.missing, warning_level=inc.warning_level)


def report(actor, *, owner_unit: OrgUnit, title: str, hazard_type: str, lat: float | None, lng: float | None,
           occurred_at: dt.datetime | None = None, reported_at: dt.datetime | None = None, source: str = Source.PHONE,
           caller_name: str = "", callback_phone: str = "", address: str = "", description: str = "",
           is_exercise: bool = False, source_ref: str = "", warning_level: int | None = None,
           **figures) -> Incident:
    """接报: record a new incident, grade it, schedule its initial reports. `reported_at` may be set only by the
    system (the demo, imports of historical records). `warning_level`: opened from a warning of that colour, graded
    at least that severe (the basis says so)."""
    now = timezone.now()
    reported_at = reported_at if (reported_at is not None and actor is None) else now
    title = (title or "").strip()
    if not title:
        _fail("title", _("请填写事件名称"))
    hazard_type = _check_hazard(hazard_type)
    if lat is None or lng is None:
        _fail("lat", _("请在地图上点选事发地点，或填写经纬度"))
    errors = check_point(lat, lng)
    if errors:
        raise ValidationFailed(details={k: [v] for k, v in errors.items()})
    occurred_at = occurred_at or reported_at
    if occurred_at > now + dt.timedelta(minutes=5):
        _fail("occurred_at", _("发生时间不能晚于现在"))
    if source not in Source.values:
        _fail("source", _("未知的信息来源"))
    values = _clean_figures(figures)
    permissions.require(actor, Action.ADD, Incident, unit=owner_unit)
    with transaction.atomic():
        inc = Incident(owner_unit=owner_unit, title=title[:200], hazard_type=hazard_type, lat=lat, lng=lng,
                       address=address or "", occurred_at=occurred_at, reported_at=reported_at, source=source,
                       caller_name=caller_name or "", callback_phone=callback_phone or "",
                       description=description or "", is_exercise=bool(is_exercise), source_ref=source_ref or "",
                       warning_level=warning_level, **values)
        g = _grade(inc)
        inc.level, inc.level_basis = g.level, g.basis
        crud.create(actor, inc, unit=owner_unit)
        if inc.town_id and inc.town_id != owner_unit.pk:
            participants.add(actor, inc, inc.town, ParticipantRole.AREA)
        timeline.add(actor, inc, "reported", _("接报：%(t)s（%(s)s）") % {"t": inc.title, "s": inc.get_source_display()},
                     {"source": inc.source, "caller": inc.caller_name, "lat": inc.lat, "lng": inc.lng,
                      "hazard_type": inc.hazard_type, **{k: str(getattr(inc, k)) for k in FIGURES}})
        with translation.override("zh-hans"):  # beside the stored Chinese basis
            graded = _("定级：%(l)s。%(b)s") % {"l": inc.get_level_display(), "b": g.basis}
        timeline.add(actor, inc, "graded", graded, {"level": inc.level, "basis": g.basis})
        from yingji.incidents import reporting

        reporting.schedule_initial(actor, inc)
    return inc


def _metres(lat1, lng1, lat2, lng2) -> float:
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def duplicates(user, *, hazard_type: str, lat: float, lng: float, occurred_at: dt.datetime,
               exclude: int | None = None, is_exercise: bool = False) -> list[dict]:
    """Active incidents of the same hazard type within N metres and M minutes: likely the same event."""
    metres, minutes = duplicate_window()
    dlat = metres / 111_000
    dlng = metres / (111_000 * max(0.1, math.cos(math.radians(lat))))
    window = dt.timedelta(minutes=minutes)
    qs = (Incident.objects.restrict(user).filter(
        phase__in=ACTIVE_PHASES, hazard_type=hazard_type, is_exercise=is_exercise,
        lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng),
        occurred_at__range=(occurred_at - window, occurred_at + window)))
    if exclude:
        qs = qs.exclude(pk=exclude)
    out = []
    for inc in qs[:20]:
        d = _metres(lat, lng, inc.lat, inc.lng)
        if d <= metres:
            out.append({"id": inc.pk, "title": inc.title, "distance_m": round(d), "occurred_at": inc.occurred_at,
                        "level": inc.level, "url": f"/incidents/{inc.pk}/"})
    return sorted(out, key=lambda r: r["distance_m"])


def merge(actor, keep: Incident, other: Incident) -> Incident:
    """Merge `other` (a duplicate report) into `keep`. Both timelines stay whole: `other` is marked merged and
    points at `keep`; `keep`'s timeline records the merge and its page shows the other's entries too."""
    if keep.pk == other.pk:
        _fail("other", _("不能与自身合并"))
    with transaction.atomic():
        first, second = sorted([keep.pk, other.pk])
        locked = {first: lock(actor, first, Action.CHANGE), second: lock(actor, second, Action.CHANGE)}
        keep, other = locked[keep.pk], locked[other.pk]
        if other.phase not in ACTIVE_PHASES or keep.phase not in ACTIVE_PHASES:
            raise Conflict(_("只能合并处置中的事件"), code="bad_state")
        if keep.is_exercise != other.is_exercise:
            raise Conflict(_("演练事件不能与真实事件合并"), code="bad_state")
        if other.dispatches.filter(status__in=OPEN_DISPATCH).exists():
            raise Conflict(_("“%(t)s”已有在途调派，请先在该事件中处理") % {"t": other.title}, code="has_dispatches")
        system_write(actor, other, {"phase": Phase.MERGED, "merged_into": keep})
        # Figures: the larger of the two reports (a later caller may know more).
        changes = {k: max(getattr(keep, k), getattr(other, k)) for k in FIGURES
                   if getattr(other, k) > getattr(keep, k)}
        timeline.add(actor, other, "merged_into", _("并入事件：%(t)s") % {"t": keep.title}, {"into": keep.pk})
        timeline.add(actor, keep, "merged", _("合并重复报告：%(t)s（%(c)s，%(at)s）") % {
            "t": other.title, "c": other.caller_name or other.get_source_display(),
            "at": timezone.localtime(other.reported_at).strftime("%H:%M")}, {"merged": other.pk})
        for p in participants.of(other):
            participants.add(actor, keep, p.unit, p.role)
        if changes:
            keep = _apply_figures(actor, keep, changes, _("合并重复报告后取较大数字"))
    return keep


def _apply_figures(actor, inc: Incident, values: dict, reason: str) -> Incident:
    before = {k: getattr(inc, k) for k in values}
    changed = {k: v for k, v in values.items() if before[k] != v}
    if not changed:
        return inc
    old_level = inc.level
    for k, v in changed.items():
        setattr(inc, k, v)
    extra = {}
    if any(k in GRADED_FIGURES for k in changed):
        g = _grade(inc)
        extra = {"level": g.level, "level_basis": g.basis}
    inc = crud.update(actor, inc, {**changed, **extra})
    timeline.add(actor, inc, "figures", _("伤亡和损失数字更新：%(c)s。原因：%(r)s") % {
        "c": "，".join(f"{Incident._meta.get_field(k).verbose_name} {before[k]}→{v}" for k, v in changed.items()),
        "r": reason}, {"changes": {k: [str(before[k]), str(v)] for k, v in changed.items()}, "reason": reason})
    if extra and inc.level != old_level:
        timeline.add(actor, inc, "regraded", _("重新定级：%(a)s → %(b)s。原因：%(r)s。%(basis)s") % {
            "a": inc.__class__(level=old_level).get_level_display() if old_level else "—",
            "b": inc.get_level_display(), "r": reason, "basis": inc.level_basis},
            {"from": old_level, "to": inc.level, "reason": reason, "basis": inc.level_basis})
        from yingji.incidents import reporting

        reporting.on_regraded(actor, inc)
    return inc


def update_figures(actor, incident: Incident, values: dict, reason: str = "", **fields) -> Incident:
    """New casualty or loss figures (and plain fields such as the title or description); re-graded when the
    figures move the level, each change on the timeline with its reason."""
    figures = _clean_figures(values)
    reason = (reason or "").strip() or _("续报数字更新")
    plain = {k: v for k, v in fields.items() if k in ("title", "description", "address") and v is not None}
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案或已合并，不能修改"), code="bad_state")
        if plain:
            if "title" in plain and not str(plain["title"]).strip():
                _fail("title", _("请填写事件名称"))
            inc = crud.update(actor, inc, plain)
        inc = _apply_figures(actor, inc, figures, reason)
    return inc


def set_phase(actor, incident: Incident, phase: str, note: str = "") -> Incident:
    """Move an active incident between 接报, 处置中 and 善后 (closing is `closing.close`)."""
    if phase not in (Phase.REPORTED, Phase.RESPONDING, Phase.RECOVERY):
        _fail("phase", _("不能直接设为该阶段"))
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if inc.phase not in ACTIVE_PHASES:
            raise Conflict(_("事件已结案或已合并"), code="bad_state")
        if inc.phase == phase:
            return inc
        old = inc.get_phase_display()
        inc = crud.update(actor, inc, {"phase": phase})
        timeline.add(actor, inc, "phase", _("阶段：%(a)s → %(b)s%(n)s") % {
            "a": old, "b": inc.get_phase_display(), "n": f"。{note}" if note else ""}, {"phase": phase})
        if phase == Phase.RECOVERY:
            from yingji.incidents import reporting

            reporting.schedule_final(actor, inc)
    return inc


def add_note(actor, incident: Incident, text: str, attachment: tuple[str, bytes] | None = None) -> None:
    """A note (and optionally a photo or document) on the incident's timeline."""
    text = (text or "").strip()
    if not text and not attachment:
        _fail("text", _("请填写内容"))
    with transaction.atomic():
        inc = lock(actor, incident.pk, Action.CHANGE)
        if attachment is not None:
            from yingji.core import attachments

            att = attachments.attach(actor, inc, attachment[0], attachment[1], note=text)
            timeline.add(actor, inc, "attachment", _("附件：%(n)s %(t)s") % {"n": att.name, "t": text},
                         {"attachment": att.pk, "sha256": att.sha256})
        else:
            timeline.add(actor, inc, "note", text[:2000])


def open_from_warning(actor, *, title: str, hazard_type: str, lat: float, lng: float, area=None, level=None,
                      is_exercise: bool = False, source_ref: str, description: str = "") -> dict:
    """Provider of `incidents.open_from_warning` (docs/kernel.md): an incident opened from a warning, owned by the
    actor's unit (the root for the system). Idempotent per `source_ref`: an active incident already opened from
    the same warning is returned instead of a second one."""
    existing = Incident.objects.filter(source=Source.SENSOR, source_ref=source_ref, phase__in=ACTIVE_PHASES).first()
    if existing is not None and source_ref:
        return {"id": existing.pk, "url": f"/incidents/{existing.pk}/"}
    unit = _home_unit(actor)
    # Graded in one step with the warning's colour as a floor, so the level and its stored basis agree.
    inc = report(actor, owner_unit=unit, title=title, hazard_type=hazard_type, lat=lat, lng=lng,
                 source=Source.SENSOR, source_ref=source_ref or "", description=description or "",
                 is_exercise=is_exercise, warning_level=int(level) if level is not None else None)
    if area:
        timeline.add(actor, inc, "area", _("预警影响范围"), {"area": area})
    return {"id": inc.pk, "url": f"/incidents/{inc.pk}/"}


def _home_unit(actor) -> OrgUnit:
    """Where an incident the user opens belongs: the unit of their role that may add incidents, else the root."""
    grants = permissions.grants(actor) if actor is not None else []
    for g in grants:
        if permissions.unit_allows(actor, Action.ADD, "incidents.incident", g.unit_path):
            return OrgUnit.objects.get(pk=g.unit_id)
    return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()


__all__ += ["open_from_warning", "home_unit"]
home_unit = _home_unit
