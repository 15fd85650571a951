"""Fixtures: jobs in immediate mode, a tree with people at units, and small real servers (HTTP, SMTP)."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from yingji.core import jobs
from yingji.core.roles import RoleCode


@pytest.fixture(autouse=True)
def immediate_jobs():
    """Jobs run inline, in the caller's thread (the consumer tests activate a real queue instead)."""
    with jobs.activate(jobs.build_huey(immediate=True)) as huey:
        yield huey


@dataclass
class People:
    staff_a1: object
    staff2_a1: object
    admin_a1: object
    admin_a: object
    admin_city: object
    staff_b1: object


@pytest.fixture
def people(tree, make_user) -> People:
    """Two staff and an admin at town A1, the admin of district A above it, one at the city, staff at B1."""
    return People(
        staff_a1=make_user(RoleCode.UNIT_STAFF, tree["A1"], "staff_a1"),
        staff2_a1=make_user(RoleCode.UNIT_STAFF, tree["A1"], "staff2_a1"),
        admin_a1=make_user(RoleCode.UNIT_ADMIN, tree["A1"], "admin_a1"),
        admin_a=make_user(RoleCode.UNIT_ADMIN, tree["A"], "admin_a"),
        admin_city=make_user(RoleCode.UNIT_ADMIN, tree["city"], "admin_city"),
        staff_b1=make_user(RoleCode.UNIT_STAFF, tree["B1"], "staff_b1"),
    )


@dataclass
class HttpSink:
    """A real HTTP server on 127.0.0.1 that records requests and answers with the statuses queued in `replies`."""

    url: str
    requests: list = field(default_factory=list)
    replies: list = field(default_factory=list)


@pytest.fixture
def http_sink():
    sink = HttpSink(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            sink.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                  "json": json.loads(body or b"null")})
            status = sink.replies.pop(0) if sink.replies else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    sink.url = f"http://127.0.0.1:{server.server_port}/hook"
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield sink
    server.shutdown()
    server.server_close()


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields (host, port, received messages)."""
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's naming
            received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                             "data": envelope.content.decode("utf-8", "replace")})
            return "250 OK"

    with socket.socket() as s:  # a free port: aiosmtpd's readiness check cannot use port 0
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port, received
    controller.stop()
