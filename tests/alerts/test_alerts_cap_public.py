"""The public CAP URLs without login: /cap/index.atom lists the current alerts, each entry linking its XML at
/cap/<identifier>.xml; both answer conditional requests with 304. The XML is valid CAP 1.2 (the OASIS XSD),
signed when a key is configured. Webhooks POST each message to subscribers once, HMAC-signed."""

from __future__ import annotations

import datetime as dt
import http.server
import threading

import pytest
from django.test import Client
from lxml import etree

from yingji.alerts import services, webhooks
from yingji.alerts.models import Subscriber, SubscriberDelivery
from yingji.domain import cap
from yingji.notifications.channels import verify_signature

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(city, draft, django_capture_on_commit_callbacks):
    def make(**kw):
        w = draft(**kw)
        services.submit(city.duty, w)
        with django_capture_on_commit_callbacks(execute=True):
            return services.approve(city.commander, w)
    return make


def test_feed_and_messages_with_conditional_requests(city, published):
    w = published(level=2)
    anon = Client()
    r = anon.get("/cap/index.atom")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(r.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.endswith(f"/cap/{w.identifier}-1.xml")
    etag, modified = r["ETag"], r["Last-Modified"]
    assert anon.get("/cap/index.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert anon.get("/cap/index.atom", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    x = anon.get(f"/cap/{w.identifier}-1.xml")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/cap+xml")
    cap.validate(x.content)
    assert anon.get(f"/cap/{w.identifier}-1.xml", HTTP_IF_NONE_MATCH=x["ETag"]).status_code == 304
    assert anon.get(f"/cap/{w.identifier}-1.xml", HTTP_IF_MODIFIED_SINCE=x["Last-Modified"]).status_code == 304
    assert anon.get("/cap/nothing-here.xml").status_code == 404

    # An update changes the feed (new ETag, entry linking the Update); a cancel empties it.
    services.update_published(city.commander, w, {"headline": "暴雨橙色预警（更新）"})
    r2 = anon.get("/cap/index.atom", HTTP_IF_NONE_MATCH=etag)
    assert r2.status_code == 200 and r2["ETag"] != etag
    assert f"{w.identifier}-2.xml".encode() in r2.content
    services.cancel(city.commander, w, "降雨结束")
    assert etree.fromstring(anon.get("/cap/index.atom").content).findall(f"{ATOM}entry") == []
    cancel = anon.get(f"/cap/{w.identifier}-3.xml")
    assert cap.parse(cancel.content).msg_type == "Cancel"


def test_drafts_are_not_public(city, draft):
    w = draft()
    anon = Client()
    assert w.identifier.encode() not in anon.get("/cap/index.atom").content
    assert w.headline.encode() not in anon.get("/cap/public/").content


def test_public_page_without_login(city, published):
    w = published(level=3, is_exercise=True, headline="台风黄色预警")
    r = Client().get("/cap/public/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "台风黄色预警" in body and "演练" in body and f"{w.identifier}-1" in body


def test_signed_when_a_key_is_configured(city, draft, settings, tmp_path):

    key, cert = _pair()
    (tmp_path / "k.pem").write_bytes(key)
    (tmp_path / "c.pem").write_bytes(cert)
    settings.YINGJI_WARNINGS = {"SIGNING_KEY": str(tmp_path / "k.pem"), "SIGNING_CERT": str(tmp_path / "c.pem")}
    w = draft(level=2)
    services.submit(city.duty, w)
    w = services.approve(city.commander, w)
    m = w.messages.get()
    assert m.signed
    xml = Client().get(f"/cap/{m.identifier}.xml").content
    cap.validate(xml)
    assert m.identifier.encode() in cap.verify(xml, cert)


def _pair():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "yingji")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(2).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()), cert.public_bytes(serialization.Encoding.PEM))


class _Receiver(http.server.BaseHTTPRequestHandler):
    got: list = []
    status = 200

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def receiver():
    _Receiver.got = []
    _Receiver.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server, _Receiver
    server.shutdown()


def test_webhooks_to_subscribers_once_signed(city, published, receiver):
    server, handler = receiver
    url = f"http://127.0.0.1:{server.server_port}/cap"
    Subscriber.objects.create(owner_unit=city.city, name="气象台", url=url, secret="s3cret", min_level=3)
    Subscriber.objects.create(owner_unit=city.city, name="只收红色", url=url, min_level=1)
    w = published(level=2)
    assert SubscriberDelivery.objects.count() == 1
    assert webhooks.deliver_due() == 1
    assert webhooks.deliver_due() == 0  # sent once
    headers, body = handler.got[0]
    assert cap.parse(body).identifier == f"{w.identifier}-1"
    assert verify_signature("s3cret", headers["X-Yingji-Timestamp"], body, headers["X-Yingji-Signature"])
    assert headers["Idempotency-Key"].startswith(f"{w.identifier}-1:")


def test_webhook_retries_on_5xx_and_gives_up_on_4xx(city, published, receiver):
    server, handler = receiver
    Subscriber.objects.create(owner_unit=city.city, name="x", url=f"http://127.0.0.1:{server.server_port}/",
                              min_level=4)
    handler.status = 503
    published(level=2)
    d = SubscriberDelivery.objects.get()
    assert webhooks.deliver(d.pk) == "pending"
    d.refresh_from_db()
    assert d.next_attempt_at is not None and d.last_error == "HTTP 503"
    handler.status = 400
    assert webhooks.deliver(d.pk, now=d.next_attempt_at) == "failed"


def test_feed_last_modified_moves_when_an_alert_leaves(city, published):
    from django.utils import timezone

    from yingji.alerts.models import CapMessage, Warning

    w = published(level=2)
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    CapMessage.objects.filter(warning=w).update(sent=hour_ago)  # published an hour ago
    anon = Client()
    modified = anon.get("/cap/index.atom")["Last-Modified"]
    # It passes its expiry (the job has not run yet): the feed changed, so If-Modified-Since must not answer 304.
    Warning.objects.filter(pk=w.pk).update(expires=timezone.now() - dt.timedelta(minutes=1))
    r = anon.get("/cap/index.atom", HTTP_IF_MODIFIED_SINCE=modified)
    assert r.status_code == 200 and b"<entry>" not in r.content


@pytest.fixture
def allow_local(settings):
    """The tests' CAP sources are served on 127.0.0.1, an internal address: allowed by the setting."""
    settings.YINGJI_WARNINGS = {"FETCH_ALLOW_HOSTS": ["127.0.0.1"]}


def test_import_from_url_and_bad_urls(city, receiver, client_for, allow_local):
    import json

    from tests.alerts.test_alerts_pages_api import _external_cap

    server, handler = receiver
    body = _external_cap(identifier="GD-URL-1")

    class Get(handler):
        def do_GET(self):  # noqa: N802
            ok = self.path == "/cap.xml"
            self.send_response(200 if ok else 404)
            self.end_headers()
            if ok:
                self.wfile.write(body)

    server.RequestHandlerClass = Get
    c = client_for(city.duty)
    url = f"http://127.0.0.1:{server.server_port}"
    r = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": f"{url}/cap.xml"}),
               content_type="application/json")
    assert r.status_code == 200 and r.json()[0]["state"] == "draft"
    for bad in (f"{url}/missing.xml", "file:///etc/passwd", "http://127.0.0.1:1/"):
        r = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": bad}),
                   content_type="application/json")
        assert r.status_code == 422 and "url" in r.json()["error"]["details"]


def test_import_an_atom_feed_of_cap_all_or_nothing(city, receiver, client_for, published, allow_local):
    """Another Yingji's feed (here our own): every entry becomes a draft; one bad entry refuses the whole feed."""
    import json

    from yingji.alerts.models import Warning

    w = published(level=2, towns=[city.far])
    server, handler = receiver
    src = Client()
    import re

    docs = {"/index.atom": re.sub(rb'href="https?://[^"/]+/cap/', b'href="/cap/', src.get("/cap/index.atom").content)}
    for path in re.findall(rb'href="(/cap/[^"]+\.xml)"', docs["/index.atom"]):
        docs[path.decode()] = src.get(path.decode()).content  # served from this thread's transaction

    class Get(handler):
        def do_GET(self):  # noqa: N802
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path == "/index.atom":
                body = docs["/index.atom"].replace(b'href="/cap/', f'href="{base}/cap/'.encode())
            elif self.path == "/bad.atom":
                body = docs["/index.atom"].replace(b'href="/cap/', f'href="{base}/nope/'.encode())
            elif self.path in docs:
                body = docs[self.path]
            else:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Get
    c = client_for(city.duty)
    url = f"http://127.0.0.1:{server.server_port}"
    n = Warning.objects.count()
    bad = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": f"{url}/bad.atom"}),
                 content_type="application/json")
    assert bad.status_code == 422 and "404" in json.dumps(bad.json(), ensure_ascii=False)
    assert Warning.objects.count() == n
    ok = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": f"{url}/index.atom"}),
                content_type="application/json")
    assert ok.status_code == 200, ok.content
    items = ok.json()
    assert len(items) == 1 and items[0]["state"] == "draft" and items[0]["headline"] == w.headline
    assert items[0]["area_units"] == [city.far.pk]


def test_the_public_feed_is_the_same_in_every_language(city, published):
    """Cache-Control public with one ETag: the bytes must not depend on the viewer's language (cookie or header)."""
    published(level=2)
    plain = Client().get("/cap/index.atom")
    english = Client()
    english.cookies["django_language"] = "en"
    en = english.get("/cap/index.atom")
    by_header = Client().get("/cap/index.atom", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert plain.status_code == en.status_code == by_header.status_code == 200
    assert en.content == plain.content == by_header.content and en["ETag"] == plain["ETag"]
    summary = etree.fromstring(plain.content).findtext(f"{ATOM}entry/{ATOM}summary")
    assert summary.startswith("橙色 · 暴雨 · ")
    ident = etree.fromstring(plain.content).find(f"{ATOM}entry/{ATOM}link").get("href").rsplit("/", 1)[1]
    assert english.get(f"/cap/{ident}").content == Client().get(f"/cap/{ident}").content
    # …and say so to caches: no Vary on the cookie, the feed's own language, on the 200 and the 304 alike.
    again = english.get("/cap/index.atom", HTTP_IF_NONE_MATCH=en["ETag"])
    assert again.status_code == 304
    for r in (plain, en, again, english.get(f"/cap/{ident}")):
        assert "Cookie" not in r.get("Vary", ""), r.get("Vary")
    assert plain["Content-Language"] == en["Content-Language"] == "zh-CN"


@pytest.fixture
def no_outside_connections(monkeypatch):
    """No test here may send a packet off this machine: a connection to anything but loopback fails the test (and
    is recorded), whatever the code under test does."""
    import ipaddress
    import socket

    tried = []
    real = socket.socket.connect

    def connect(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        try:
            local = ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            local = False
        if not local:
            tried.append(address)
            raise OSError("test guard: no connection off this machine")
        tried.append(address)
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return tried


@pytest.mark.parametrize("url", ["http://127.0.0.1:8123/admin/", "http://10.1.2.3/cap.xml",
                                 "http://169.254.169.254/latest/meta-data/", "http://[::1]:8123/cap.xml",
                                 "http://localhost:8123/", "http://0.0.0.0:8123/", "http://[::ffff:127.0.0.1]:8123/",
                                 "http://192.168.1.10/", "http://224.0.0.1/"])
def test_import_url_refuses_internal_addresses(city, client_for, no_outside_connections, url):
    import json

    c = client_for(city.duty)
    r = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": url}),
               content_type="application/json")
    assert r.status_code == 422
    message = " ".join(r.json()["error"]["details"]["url"])
    assert "内网" in message and "YINGJI_CAP_FEED_ALLOW_HOSTS" in message
    assert no_outside_connections == []  # refused before any connection


def test_import_url_refused_in_english_on_the_page(city, client_for, no_outside_connections):
    c = client_for(city.duty)
    c.cookies["django_language"] = "en"
    r = c.post("/warnings/import/", {"owner_unit": city.city.pk, "url": "http://169.254.169.254/latest/"})
    assert r.status_code == 422
    page = r.content.decode()
    assert "internal" in page and "YINGJI_CAP_FEED_ALLOW_HOSTS" in page and no_outside_connections == []


def test_import_url_does_not_follow_a_redirect_to_an_internal_address(city, receiver, client_for, allow_local,
                                                                      no_outside_connections):
    """127.0.0.1 is allowed here, but its redirect to localhost (another name, not allowed) is refused."""
    import json

    server, handler = receiver
    port = server.server_port

    class Redirect(handler):
        def do_GET(self):  # noqa: N802
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/admin/")
            self.end_headers()

    server.RequestHandlerClass = Redirect
    c = client_for(city.duty)
    r = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code,
                                                           "url": f"http://127.0.0.1:{port}/cap.xml"}),
               content_type="application/json")
    assert r.status_code == 422 and "localhost" in " ".join(r.json()["error"]["details"]["url"])
    assert no_outside_connections == [("127.0.0.1", port)]  # the first request only, not the redirect


def test_an_allowed_internal_host_may_be_fetched(city, receiver, client_for, settings, no_outside_connections):
    import json

    from tests.alerts.test_alerts_pages_api import _external_cap

    server, handler = receiver
    body = _external_cap(identifier="GD-LAN-1")

    class Get(handler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

    server.RequestHandlerClass = Get
    c = client_for(city.duty)
    url = f"http://127.0.0.1:{server.server_port}/cap.xml"
    refused = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": url}),
                     content_type="application/json")
    assert refused.status_code == 422
    settings.YINGJI_WARNINGS = {"FETCH_ALLOW_HOSTS": ["127.0.0.1"]}
    ok = c.post("/api/v1/warnings/import-url", json.dumps({"owner_unit": city.city.code, "url": url}),
                content_type="application/json")
    assert ok.status_code == 200 and ok.json()[0]["state"] == "draft"
