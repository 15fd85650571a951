"""Consume external CAP: a file or a URL becomes a draft warning (source 外部预警). Anything malformed — not
XML, not valid CAP 1.2, no info block, an area outside our towns — is refused with the reasons, and nothing is
written. The same external message imported twice gives the same draft."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.parse
import urllib.request

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.alerts import capmsg, conf, services
from yingji.alerts.models import Source, Warning
from yingji.core.errors import ValidationFailed
from yingji.core.models import OrgUnit
from yingji.domain import cap

__all__ = ["import_cap", "import_url", "fetch", "feed_links", "Refused"]

ATOM = "{http://www.w3.org/2005/Atom}"


class Refused(OSError):
    """An address a CAP import may not reach (server-side request forgery: the admin pages on 127.0.0.1, the
    cloud's metadata at 169.254.169.254, hosts of the intranet)."""


def _internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def _allowed(host: str) -> bool:
    return host.lower().strip("[]") in {h.lower().strip("[]") for h in conf.get("FETCH_ALLOW_HOSTS") or ()}


def _address(host: str, port: int) -> tuple:
    """The address to connect to: every address the name resolves to must be public (or the host allowed), and
    the connection goes to the one checked here, not to a second lookup that could answer differently."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(_("无法解析主机名 %(h)s") % {"h": host}) from exc
    if not infos:
        raise OSError(_("无法解析主机名 %(h)s") % {"h": host})
    if not _allowed(host):
        for *_rest, sockaddr in infos:
            ip = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if _internal(ip):
                raise Refused(_("不能从本机、内网或保留地址获取（%(h)s → %(a)s）；如确需使用内网订阅源，请由管理员将该主机加入 "
                                "YINGJI_CAP_FEED_ALLOW_HOSTS") % {"h": host, "a": ip})
    family, _type, _proto, _name, sockaddr = infos[0]
    return family, sockaddr


class _Checked:
    """http.client connections that connect only to the address `_address` checked (redirects too: every
    request of the opener goes through them)."""

    def connect(self):
        family, sockaddr = _address(self.host, self.port)

        def create(_address_ignored, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                    sock.settimeout(timeout)
                sock.connect(sockaddr)
            except BaseException:
                sock.close()
                raise
            return sock

        self._create_connection = create
        super().connect()


class _HTTPConnection(_Checked, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Checked, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_HTTPConnection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_HTTPSConnection, req, context=self._context)


def _opener() -> urllib.request.OpenerDirector:
    """http(s) only, no proxy from the environment, redirects followed through the same checks; no file: or
    ftp: handler, so a redirect there is refused."""
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler({}), urllib.request.UnknownHandler(), _HTTPHandler(),
                    _HTTPSHandler(), urllib.request.HTTPDefaultErrorHandler(), urllib.request.HTTPRedirectHandler(),
                    urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


def fetch(url: str) -> bytes:
    """Download a CAP document (http/https only, size-capped, time-limited, public addresses only unless the host
    is in FETCH_ALLOW_HOSTS)."""
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationFailed(details={"url": [_("地址须为 http(s) 地址")]})
    try:
        host = urllib.parse.urlsplit(url).hostname
    except ValueError:
        host = None
    if not host:
        raise ValidationFailed(details={"url": [_("地址中没有主机名")]})
    limit = conf.get("FETCH_MAX_BYTES")
    try:
        req = urllib.request.Request(url, headers={"Accept": "application/cap+xml, application/xml, text/xml"})
        with _opener().open(req, timeout=conf.get("FETCH_TIMEOUT_S")) as resp:
            data = resp.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise ValidationFailed(details={"url": [_("无法获取：HTTP %(s)s") % {"s": exc.code}]}) from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, Refused) or isinstance(exc, Refused):
            raise ValidationFailed(details={"url": [str(reason)]}) from None
        raise ValidationFailed(details={"url": [_("无法获取：%(e)s") % {"e": reason}]}) from None
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
