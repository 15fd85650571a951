"""Consume external CAP: a file or a URL becomes a draft warning (source 外部预警). Anything malformed — not
XML, not valid CAP 1.2, no info block, an area outside our towns — is refused with the reasons, and nothing is
written. The same external message imported twice gives the same draft."""

from __future__ import annotations

import urllib.error
import urllib.request

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.alerts import capmsg, conf, services
from yingji.alerts.models import Source, Warning
from yingji.core.errors import ValidationFailed
from yingji.core.models import OrgUnit
from yingji.domain import cap

__all__ = ["import_cap", "import_url", "fetch", "feed_links"]

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(url: str) -> bytes:
    """Download a CAP document (http/https only, size-capped, time-limited)."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed(details={"url": [_("地址须为 http(s) 地址")]})
    limit = conf.get("FETCH_MAX_BYTES")
    try:
        req = urllib.request.Request(url, headers={"Accept": "application/cap+xml, application/xml, text/xml"})
        with urllib.request.urlopen(req, timeout=conf.get("FETCH_TIMEOUT_S")) as resp:
            data = resp.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise ValidationFailed(details={"url": [_("无法获取：HTTP %(s)s") % {"s": exc.code}]}) from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ValidationFailed(details={"url": [_("无法获取：%(e)s") % {"e": getattr(exc, "reason", exc)}]}) from None
    if len(data) > limit:
        raise ValidationFailed(details={"url": [_("文件过大")]})
    return data


def import_cap(actor, data: bytes, *, owner_unit: OrgUnit) -> tuple[Warning, bool]:
    """(draft, created) from an external CAP message; ValidationFailed listing the faults otherwise."""
    try:
        alert = cap.parse(data)
        fields = capmsg.alert_from_cap(alert)
    except cap.CapError as exc:
        raise ValidationFailed(_("CAP 文件无效，未做任何更改"), details={"file": [str(p) for p in exc.problems[:20]]}) \
            from None
    if alert.msg_type not in ("Alert", "Update"):
        raise ValidationFailed(details={"file": [_("只能导入 Alert 或 Update 类型的 CAP 消息（此消息为 %(t)s）") % {
            "t": alert.msg_type}]})
    existing = Warning.objects.filter(source=Source.EXTERNAL, source_ref=fields["source_ref"]).first()
    if existing is not None:
        return existing, False
    area = fields.pop("area")
    codes = fields.pop("geocodes")
    towns = list(OrgUnit.objects.filter(code__in=codes, kind="town").values_list("pk", flat=True)) if codes else []
    with transaction.atomic():
        w = services.create_draft(actor, owner_unit=owner_unit, source=Source.EXTERNAL, area=area, towns=towns,
                                  **fields)
    return w, True


def feed_links(data: bytes) -> list[str] | None:
    """The CAP links of an Atom feed (entries' `link` of type application/cap+xml, or ending in .xml); None when
    `data` is not an Atom feed."""
    from lxml import etree

    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return None
    if root.tag != ATOM + "feed":
        return None
    out = []
    for entry in root.findall(ATOM + "entry"):
        for link in entry.findall(ATOM + "link"):
            href = link.get("href") or ""
            if link.get("type", "").startswith("application/cap+xml") or href.lower().endswith(".xml"):
                out.append(href)
                break
    return out


def import_url(actor, url: str, *, owner_unit: OrgUnit) -> list[tuple[Warning, bool]]:
    """A CAP message, or an Atom feed of CAP messages (like /cap/index.atom): every message is fetched and
    checked first; any fault refuses the whole feed with every fault listed, and nothing is written."""
    data = fetch(url)
    links = feed_links(data)
    if links is None:
        return [import_cap(actor, data, owner_unit=owner_unit)]
    faults, docs = [], []
    for href in links[:200]:
        try:
            doc = fetch(href)
            cap.parse(doc)
            docs.append(doc)
        except ValidationFailed as exc:
            faults += [f"{href}: {m}" for errs in (exc.details or {}).values() for m in errs]
        except cap.CapError as exc:
            faults += [f"{href}: {p}" for p in exc.problems[:5]]
    if faults:
        raise ValidationFailed(_("CAP 订阅源中有无效的消息，未做任何更改"), details={"url": faults[:50]})
    with transaction.atomic():
        return [import_cap(actor, doc, owner_unit=owner_unit) for doc in docs]
