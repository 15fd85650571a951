"""A warning as CAP 1.2: the zh-CN info block (and the English one when the warning has English text), the
status Exercise for exercises, Update/Cancel referencing the messages before. Built by yingji.domain.cap."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone, translation

from yingji.alerts import conf
from yingji.core import vocabulary
from yingji.core.levels import WarningLevel
from yingji.domain import cap

__all__ = ["category_of", "alert_of", "render", "alert_from_cap"]

# Top-level hazard groups of the taxonomy → CAP categories.
_CATEGORY = {"meteorological": "Met", "flood_drought": "Met", "marine": "Met", "seismic": "Geo", "geological": "Geo",
             "wildfire": "Fire", "biological": "Env", "environmental": "Env", "transport": "Transport",
             "public_facility": "Infra", "production_safety": "Safety", "public_health": "Health",
             "social_security": "Security"}
_HAZARD_OF_CATEGORY = {"Met": "meteorological", "Geo": "geological", "Fire": "wildfire", "Env": "environmental",
                       "Transport": "transport", "Infra": "public_facility", "Safety": "production_safety",
                       "Health": "public_health", "Security": "social_security"}
_LEVEL_EN = {1: "Red", 2: "Orange", 3: "Yellow", 4: "Blue"}


def category_of(code: str) -> str:
    for c in vocabulary.with_ancestors([code]):
        if c in _CATEGORY:
            return _CATEGORY[c]
    return "Other"


def _site() -> str:
    return settings.YINGJI_NOTIFY.get("SITE_URL", "").rstrip("/")


def alert_of(w, *, identifier: str, msg_type: str, sent: dt.datetime, references: list[cap.Reference]) -> cap.Alert:
    from yingji.core.models import HazardType, OrgUnit

    ht = HazardType.objects.filter(code=w.hazard_type).values("name", "name_en").first() or {}
    rings = cap.rings_of_geometry(w.boundary)
    codes = list(OrgUnit.objects.filter(pk__in=w.area_units or []).values_list("name", "code"))
    area_desc = w.area_desc or "、".join(n for n, _c in codes) or w.headline
    geocodes = [("yingji:unit", c) for _n, c in codes]
    urgency = "Immediate" if w.onset <= sent else "Expected"
    common = dict(categories=[category_of(w.hazard_type)], urgency=urgency, severity=cap.severity_of_level(w.level),
                  certainty="Likely", onset=w.onset, expires=w.expires, effective=sent,
                  event_codes=[("yingji:hazard", w.hazard_type)],
                  web=f"{_site()}/cap/public/" if _site() else "")
    with translation.override("zh-hans"):  # the zh-CN block, whoever publishes
        level_zh = str(WarningLevel(w.level).label)
    with_zh = dict(common, parameters=[("yingji:level", str(w.level)), ("yingji:colour", level_zh)])
    infos = [cap.Info(language="zh-CN", event=ht.get("name") or w.hazard_type, headline=w.headline,
                      description=w.description, instruction=w.instruction, sender_name=w.owner_unit.name,
                      areas=[cap.Area(area_desc, rings, geocodes)], **with_zh)]
    if w.headline_en:
        infos.append(cap.Info(language="en-US", event=ht.get("name_en") or w.hazard_type, headline=w.headline_en,
                              description=w.description_en, instruction=w.instruction_en,
                              areas=[cap.Area(area_desc, rings, geocodes)],
                              **dict(common, parameters=[("yingji:level", str(w.level)),
                                                         ("yingji:colour", _LEVEL_EN[w.level])])))
    return cap.Alert(identifier=identifier, sender=conf.get("CAP_SENDER"), sent=sent,
                     status="Exercise" if w.is_exercise else "Actual", msg_type=msg_type, scope="Public",
                     references=references, note=w.end_reason if msg_type == "Cancel" else "", infos=infos)


def render(alert: cap.Alert) -> tuple[bytes, bool]:
    """The XML (signed when a key is configured) and whether it is signed."""
    xml = cap.build(alert)
    pair = conf.signing_pair()
    if pair:
        return cap.sign(xml, *pair), True
    return xml, False


def etag_of(xml: bytes) -> str:
    return hashlib.sha256(xml).hexdigest()[:32]


def hazard_of(info: cap.Info) -> str:
    """The taxonomy code for an external CAP info: our own event code, an event name we know, or its category."""
    from yingji.core.models import HazardType

    for name, value in info.event_codes:
        if name == "yingji:hazard" and HazardType.objects.filter(code=value).exists():
            return value
    hit = HazardType.objects.filter(name=info.event).values_list("code", flat=True).first() or \
        HazardType.objects.filter(name_en__iexact=info.event).values_list("code", flat=True).first()
    if hit:
        return hit
    for c in info.categories:
        if c in _HAZARD_OF_CATEGORY:
            return _HAZARD_OF_CATEGORY[c]
    return "natural"


def alert_from_cap(alert: cap.Alert) -> dict:
    """The fields of a draft warning from an external CAP alert (its Chinese info block first)."""
    if not alert.infos:
        raise cap.CapError("the CAP alert has no info block")
    zh = next((i for i in alert.infos if i.language.lower().startswith("zh")), alert.infos[0])
    en = next((i for i in alert.infos if i.language.lower().startswith("en") and i is not zh), None)
    rings = [r for a in zh.areas for r in a.polygons]
    now = timezone.now()
    onset = zh.onset or zh.effective or alert.sent
    return {
        "headline": (zh.headline or zh.event)[:200], "hazard_type": hazard_of(zh),
        "level": cap.level_of_severity(zh.severity), "description": zh.description, "instruction": zh.instruction,
        "headline_en": (en.headline if en else "")[:200], "description_en": en.description if en else "",
        "instruction_en": en.instruction if en else "", "area": cap.geometry_of_rings(rings),
        "area_desc": "、".join(a.desc for a in zh.areas)[:500], "onset": onset,
        "expires": zh.expires or max(onset, now) + dt.timedelta(hours=24),
        "geocodes": [v for a in zh.areas for _n, v in a.geocodes],
        "is_exercise": alert.status == "Exercise", "source_ref": f"{alert.sender},{alert.identifier}",
    }
