"""The public face of the warnings module, without login: the Atom feed of current alerts, each CAP message by
its identifier, and a page of current warnings. The feed and the messages answer conditional requests
(ETag / Last-Modified → 304), so aggregators polling every minute cost one indexed query."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db.models import Max, Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import http_date
from django.views.decorators.http import condition, require_GET
from lxml import etree

from yingji.alerts import conf
from yingji.alerts.models import CapMessage, State, Warning
from yingji.core import vocabulary
from yingji.core.middleware import same_in_every_language
from yingji.domain.cap import format_time

ATOM = "http://www.w3.org/2005/Atom"


def _current():
    """The latest Alert/Update message of each published, unexpired warning, most severe first."""
    now = timezone.now()
    live = list(Warning.objects.filter(state=State.PUBLISHED, expires__gt=now).order_by("level", "-published_at"))
    latest = {}
    for m in CapMessage.objects.filter(warning__in=live).exclude(msg_type="Cancel").order_by("sent", "pk") \
            .only("pk", "identifier", "sent", "etag", "msg_type", "warning_id"):
        latest[m.warning_id] = m
    return [(w, latest[w.pk]) for w in live if w.pk in latest]


def _feed_state(request):
    rows = _current()
    key = "|".join(f"{m.identifier}:{m.etag}:{w.expires.timestamp()}" for w, m in rows)
    # The feed also changes when an alert leaves it (cancelled, or past its expiry), so Last-Modified covers those.
    now = timezone.now()
    left = Warning.objects.filter(state__in=(State.PUBLISHED, State.EXPIRED, State.CANCELLED)).aggregate(
        ended=Max("ended_at"), expired=Max("expires", filter=Q(expires__lte=now)))
    times = [m.sent for _w, m in rows] + [t for t in left.values() if t is not None]
    return rows, hashlib.sha256(key.encode()).hexdigest()[:32], max(times, default=None)


def _feed_etag(request):
    return _feed_state(request)[1]


def _feed_modified(request):
    return _feed_state(request)[2]


def _site(request) -> str:
    return settings.YINGJI_NOTIFY.get("SITE_URL", "").rstrip("/") or request.build_absolute_uri("/").rstrip("/")


def _el(parent, name, text=None, **attrs):
    el = etree.SubElement(parent, f"{{{ATOM}}}{name}", **attrs)
    if text is not None:
        el.text = text
    return el


@same_in_every_language
@require_GET
@condition(etag_func=_feed_etag, last_modified_func=_feed_modified)
def feed(request):
    # Public and cached (Cache-Control: public, one ETag for everybody): the same bytes whatever the viewer's
    # language cookie or Accept-Language, in Chinese like the CAP zh-CN blocks it links.
    with translation.override("zh-hans"):
        return _feed(request)


def _feed(request):
    rows, _etag, modified = _feed_state(request)
    site = _site(request)
    names = vocabulary.hazard_names()
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    root.set("{http://www.w3.org/XML/1998/namespace}lang", "zh-CN")
    _el(root, "id", f"{site}/cap/index.atom")
    _el(root, "title", "预警信息 · 应急管理综合平台")
    _el(root, "updated", format_time(modified or timezone.now()))
    _el(root, "link", rel="self", href=f"{site}/cap/index.atom", type="application/atom+xml")
    _el(root, "link", rel="alternate", href=f"{site}/cap/public/", type="text/html")
    author = _el(root, "author")
    _el(author, "name", conf.get("CAP_SENDER"))
    for w, m in rows:
        e = _el(root, "entry")
        _el(e, "id", f"urn:cap:{conf.get('CAP_SENDER')}:{m.identifier}")
        _el(e, "title", ("[演练] " if w.is_exercise else "") + w.headline)
        _el(e, "updated", format_time(m.sent))
        _el(e, "published", format_time(w.published_at or m.sent))
        _el(e, "summary", f"{w.get_level_display()} · {names.get(w.hazard_type, w.hazard_type)} · {w.area_desc}"
                          f" · {timezone.localtime(w.onset):%Y-%m-%d %H:%M} — "
                          f"{timezone.localtime(w.expires):%Y-%m-%d %H:%M}")
        _el(e, "link", rel="alternate", href=f"{site}/cap/{m.identifier}.xml", type="application/cap+xml")
        _el(e, "category", term=str(w.level), label=str(w.get_level_display()))
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    resp = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=60"
    resp["Content-Language"] = "zh-CN"
    return resp


def _message(identifier: str) -> CapMessage | None:
    m = CapMessage.objects.filter(identifier=identifier).select_related("warning").first()
    # Drafts never have messages; every message of a warning that was published stays public (a Cancel too).
    return m


def _msg_etag(request, identifier):
    m = _message(identifier)
    return m.etag if m else None


def _msg_modified(request, identifier):
    m = _message(identifier)
    return m.sent if m else None


@same_in_every_language  # stored bytes (zh-CN info, optional en-US)
@require_GET
@condition(etag_func=_msg_etag, last_modified_func=_msg_modified)
def message(request, identifier: str):
    m = _message(identifier)
    if m is None:
        raise Http404
    resp = HttpResponse(bytes(m.xml), content_type="application/cap+xml; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=300"
    resp["Last-Modified"] = http_date(m.sent.timestamp())
    return resp


@require_GET
def public_page(request):
    request.nav_key = "warnings"
    names = vocabulary.hazard_names()
    rows = [{"w": w, "m": m, "hazard": names.get(w.hazard_type, w.hazard_type)} for w, m in _current()]
    return render(request, "alerts/public.html", {"rows": rows})
