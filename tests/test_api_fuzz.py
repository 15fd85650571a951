"""Schema-driven fuzzing of the whole API (schemathesis over /api/v1/openapi.json, in-process through WSGI).

Every operation gets schema-valid (positive) and schema-violating (negative) requests from two users, a system
administrator and a town's staff, both with Bearer tokens. The run is derandomised (the same cases every time,
on SQLite and on PostgreSQL) and must find no server error and no response outside the schema.

`YINGJI_FUZZ_EXAMPLES` sets the examples per operation and mode (CI's default keeps the run to ~2 minutes per
database on two cores); `YINGJI_FUZZ_REPORT=path` writes every distinct failure found, for triage.
"""

from __future__ import annotations

import json
import logging
import os
import re

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.generation.modes import GenerationMode  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES = int(os.environ.get("YINGJI_FUZZ_EXAMPLES", "6"))
SERVER_ERROR = re.compile(r"^5\d\d$")


class _Captured(logging.Handler):
    """Keeps what the API logs: the exception behind a 500 (to tell distinct server errors apart), and the
    database-refused-a-value backstop, which answers 422 but means a validation is missing."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.last: logging.LogRecord | None = None
        self.backstop: logging.LogRecord | None = None

    def emit(self, record):
        if record.levelno >= logging.ERROR:
            self.last = record
        elif record.getMessage().startswith("database refused a value"):
            self.backstop = record


def _signature(record: logging.LogRecord | None) -> str:
    if record is None or not record.exc_info:
        return "?"
    exc_type, exc, tb = record.exc_info
    frames = []
    while tb is not None:
        frames.append(f"{tb.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{tb.tb_lineno}")
        tb = tb.tb_next
    return f"{exc_type.__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''} @ {frames[-1] if frames else ''}"


@pytest.fixture
def fuzz_users(db):
    """A system administrator and a town's staff, each with an API token; some data for detail pages."""
    from yingji.core import services as core
    from yingji.core.models import OrgUnitKind as K
    from yingji.core.roles import RoleCode
    from yingji.resources import catalogue, services
    from yingji.resources.models import MaterialItem, Team, Warehouse

    city = core.create_unit(None, parent=None, code="990100", name="示范市", kind=K.CITY)
    town = core.create_unit(None, parent=city, code="990101001", name="长安镇", kind=K.TOWN, lat=23.1, lng=113.2)
    catalogue.seed_catalogue(city)
    admin = core.create_user(None, username="fuzz_admin", password="correct-horse-battery-9", unit=city)
    admin.is_superuser = True
    admin.save()
    staff = core.create_user(None, username="fuzz_staff", password="correct-horse-battery-9", unit=town)
    core.assign_role(None, staff, RoleCode.UNIT_STAFF, town)
    wh = services.create(staff, Warehouse, {"owner_unit": town, "code": "FZ-1", "name": "仓库",
                                            "lat": 23.1, "lng": 113.2})
    services.receive(staff, wh, MaterialItem.objects.get(code="1020201"), 10)
    services.create(staff, Team, {"owner_unit": town, "code": "FZ-T", "name": "队伍",
                                  "kind": "professional", "specialty": "flood", "lat": 23.1, "lng": 113.2})
    tokens = {}
    for user in (admin, staff):
        _token, plaintext = core.issue_token(None, user, "fuzz", 30)
        tokens[user.username] = plaintext
    return tokens


def test_fuzz_every_operation_no_server_error_and_responses_match_the_schema(fuzz_users):
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    app = get_wsgi_application()
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    captured = _Captured()
    logging.getLogger("yingji.api").addHandler(captured)
    failures: dict[str, set[str]] = {}
    checks = [status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) > 100
    try:
        for op in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                for username, token in fuzz_users.items():
                    _fuzz(op, mode, {"Authorization": f"Bearer {token}"}, username, checks, captured, failures)
    finally:
        logging.getLogger("yingji.api").removeHandler(captured)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    server_errors = {k: v for k, v in failures.items() if k.startswith("5")}
    report = os.environ.get("YINGJI_FUZZ_REPORT")
    if report:
        with open(report, "w") as fh:
            json.dump({k: sorted(v) for k, v in sorted(failures.items())}, fh, ensure_ascii=False, indent=1)
    assert not failures, (
        f"{len(server_errors)} distinct server errors, {len(failures) - len(server_errors)} other failures:\n"
        + "\n".join(f"{k}\n    " + "\n    ".join(sorted(v)[:3]) for k, v in sorted(failures.items())))


def _fuzz(op, mode, headers, username, checks, captured, failures) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(generation_mode=mode))
    def run(case):
        captured.last = captured.backstop = None
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # noqa: BLE001 — the WSGI app itself raised: a server error
            failures.setdefault(f"500 {op.label} (raised)", set()).add(f"{type(exc).__name__}: {exc}"[:200])
            return
        if response.status_code >= 500:
            failures.setdefault(f"{response.status_code} {op.label} {_signature(captured.last)}", set()).add(
                f"{mode.value} {username}: {case.as_curl_command()[:300]}")
            return
        if captured.backstop is not None:
            failures.setdefault(f"backstop {op.label} {captured.backstop.getMessage()[:160]}", set()).add(
                f"{mode.value} {username}: {case.as_curl_command()[:300]}")
        try:
            case.validate_response(response, checks=checks)
        except BaseExceptionGroup as exc:  # a check failed: record it and go on
            title = "; ".join(sorted({getattr(f, "title", type(f).__name__) for f in exc.exceptions}))
            failures.setdefault(f"schema {op.label} {response.status_code} {title}", set()).add(
                f"{mode.value} {username}: {case.as_curl_command()[:300]}")

    run()
