"""The links this module provides (docs/kernel.md, "Links between modules"): `warnings.draft_from_rule` for the
monitoring rule engine and `warnings.active` for the map and the command dashboard."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import areas, services, stored
from yingji.alerts.models import OPEN_STATES, Source, State, Warning
from yingji.core import crud, vocabulary
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.levels import WarningLevel
from yingji.core.models import OrgUnit

__all__ = ["draft_from_rule", "active"]

RULE_VALIDITY = dt.timedelta(hours=6)


def _owner() -> OrgUnit:
    return OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()


def draft_from_rule(*, rule_id, rule_name, level, hazard_type, area, sensor_ids, evidence: dict, fired_at,
                    is_exercise=False) -> dict:
    """A draft warning for a rule that fired; the same rule firing again while its draft is open (draft or
    awaiting approval) updates that draft — a more severe level, the new evidence and area — instead of adding
    another. Returns {id, url, created}."""
    rule_id = str(rule_id)
    if isinstance(fired_at, str):
        fired_at = dt.datetime.fromisoformat(fired_at)
    fired_at = fired_at or timezone.now()
    if timezone.is_naive(fired_at):
        fired_at = timezone.make_aware(fired_at)
    level = int(level)
    with stored.chinese():  # the headline goes into the CAP zh-CN info block
        names = vocabulary.hazard_names()
        headline = _("%(h)s%(l)s预警（监测规则：%(r)s）") % {"h": names.get(hazard_type, hazard_type),
                                                        "l": WarningLevel(level).label, "r": rule_name}
    record = {**(evidence or {}), "sensor_ids": list(sensor_ids or []), "fired_at": fired_at.isoformat(),
              "rule_name": rule_name}
    for attempt in range(2):
        try:
            w, created = _fire(rule_id, rule_name, level, hazard_type, area, sensor_ids, record, fired_at, headline,
                               bool(is_exercise))
            break
        except (Conflict, ValidationFailed):
            # The other firing's draft exists now: the second pass finds it and updates it. Which error says so
            # depends on timing: the unique index (Conflict) if the other committed after our validation, the
            # validation of that constraint (ValidationFailed) if it committed between our lookup and validation.
            if attempt:
                raise
    if created:
        from yingji.alerts import chains

        chains.propose(w)
    return {"id": w.pk, "url": f"/warnings/{w.pk}/", "created": created}


def _fire(rule_id, rule_name, level, hazard_type, area, sensor_ids, record, fired_at, headline, is_exercise):
    with transaction.atomic():
        open_ = (Warning.objects.select_for_update().filter(source=Source.RULE, rule_id=rule_id,
                                                           state__in=OPEN_STATES, is_exercise=is_exercise)
                 .order_by("-pk").first())
        if open_ is None:
            w = services.create_draft(
                None, owner_unit=_owner(), headline=headline[:200], hazard_type=hazard_type, level=level,
                onset=fired_at, expires=fired_at + RULE_VALIDITY, area=area, source=Source.RULE,
                source_ref=str(rule_name)[:200], rule_id=rule_id, evidence=record, is_exercise=is_exercise,
                description=stored.text(lambda: _("监测规则“%(r)s”触发。") % {"r": rule_name}), propose=False)
            return w, True
        geometry, towns = areas.resolve(area, ()) if area else (open_.boundary, None)
        changes = {"evidence": record, "expires": max(open_.expires, fired_at + RULE_VALIDITY)}
        if level < open_.level:
            changes.update(level=level, headline=headline[:200])
        if towns is not None:
            lng, lat = areas.centre(geometry)
            changes.update(boundary=geometry, area_units=[u.pk for u in towns], lat=lat, lng=lng)
        w = crud.update(None, open_, changes)
        stored.note(None, w, "rule_fired", lambda: _("规则再次触发：%(r)s") % {"r": rule_name},
                    {"rule_id": rule_id, "level": level, "sensor_ids": list(sensor_ids or [])})
        return w, False


def active(bbox=None) -> list[dict]:
    """Published, unexpired warnings (inside `bbox` = (west, south, east, north) when given), most severe first."""
    now = timezone.now()
    out = []
    names = vocabulary.hazard_names()
    for w in Warning.objects.filter(state=State.PUBLISHED, expires__gt=now).order_by("level", "-published_at"):
        if not areas.bbox_intersects(w.boundary, bbox):
            continue
        out.append({"id": w.pk, "identifier": w.identifier, "level": w.level, "hazard_type": w.hazard_type,
                    "hazard_name": names.get(w.hazard_type, w.hazard_type), "headline": w.headline,
                    "level_label": str(WarningLevel(w.level).label),
                    "area": w.boundary, "onset": w.onset, "expires": w.expires, "is_exercise": w.is_exercise,
                    "url": f"/warnings/{w.pk}/"})
    return out
