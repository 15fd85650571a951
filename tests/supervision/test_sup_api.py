"""GET /api/v1/tasks (the contract) and the workflow endpoints, with the kernel's error shape."""

from __future__ import annotations

import pytest
from tests.supervision.conftest import SEED_SCORES, in_days

from yingji.core.models import AuditEntry
from yingji.supervision.models import Assignment, Task

pytestmark = pytest.mark.django_db
API = "/api/v1/tasks"


def _ok(r, status=200):
    assert r.status_code == status, r.content
    return r.json()


def _error(r, status: int, code: str):
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["code"] == code and body["message"]
    return body


def _post(c, url, data):
    return c.post(url, data, content_type="application/json")


def _flow(m, client_for):
    """The motion through the API: register, assign, both units sign and reply, the requester scores it."""
    officer, fire, deputy = client_for(m.officer), client_for(m.fire1), client_for(m.deputy)
    t = _ok(_post(officer, API, {"title": "关于加强应急救援体系建设的议案", "reference": "100202202240133",
                                 "requester_unit": m.congress.code, "source": "motion"}), 201)
    assert t["state"] == "draft" and t["lead"] is None
    t = _ok(_post(officer, f"{API}/{t['id']}/assign", {
        "lead": {"unit": m.bureau.code, "deadline": str(in_days(30))},
        "co_handlers": [{"unit": str(m.fire.pk), "deadline": str(in_days(20))}]}))
    assert t["state"] == "assigned"
    lead, co = t["lead"], t["co_handlers"][0]
    _ok(officer.post(f"{API}/assignments/{lead['id']}/sign"))
    _ok(fire.post(f"{API}/assignments/{co['id']}/sign"))
    _ok(_post(fire, f"{API}/assignments/{co['id']}/reply", {"result_code": "B", "comm_mode": "phone"}))
    _ok(_post(officer, f"{API}/assignments/{lead['id']}/reply", {"result_code": "A", "comm_mode": "phone"}))
    return t["id"], officer, fire, deputy


def test_the_contract_shape_and_the_whole_flow(motion, client_for):
    m = motion
    pk, officer, fire, deputy = _flow(m, client_for)
    t = _ok(_post(deputy, f"{API}/{pk}/feedback", {"scores": SEED_SCORES, "satisfaction": "satisfied"}))
    body = _ok(officer.get(API))
    assert body["count"] == 1
    item = body["items"][0]
    assert item == t
    assert {"reference", "title", "state", "lead", "co_handlers", "feedback"} <= set(item)
    assert item["reference"] == "100202202240133" and item["state"] == "closed"
    assert item["lead"]["unit"] == m.bureau.name and item["lead"]["result_code"] == "A"
    co = item["co_handlers"][0]
    assert {"unit", "deadline", "state", "result_code", "replied_at"} <= set(co)
    assert (co["unit"], co["deadline"], co["state"], co["result_code"]) == (m.fire.name, str(in_days(20)),
                                                                           "replied", "B")
    assert co["replied_at"]
    assert item["feedback"] == {"scores": SEED_SCORES, "satisfaction": "satisfied"}


def test_filters(motion, client_for):
    from yingji.supervision import services

    m = motion
    _flow(m, client_for)
    other = services.create_task(m.officer, owner_unit=m.bureau, requester_unit=m.congress, title="防汛物资检查")
    services.assign(None, other, lead=(m.bureau, in_days(5)))
    # an overdue one: assigned long ago by the system (historical record), deadline passed
    import datetime as dt

    from django.utils import timezone
    late = services.create_task(None, owner_unit=m.bureau, requester_unit=m.congress, title="隐患整改")
    services.assign(None, late, lead=(m.fire, in_days(-3)), at=timezone.now() - dt.timedelta(days=10))
    c = client_for(m.officer)
    refs = lambda r: sorted(i["title"] for i in _ok(r)["items"])  # noqa: E731
    assert refs(c.get(API, {"q": "0133"})) == ["关于加强应急救援体系建设的议案"]
    assert refs(c.get(API, {"q": "防汛"})) == ["防汛物资检查"]
    assert refs(c.get(API, {"state": "assigned"})) == ["防汛物资检查", "隐患整改"]
    assert refs(c.get(API, {"unit": m.fire.code})) == ["关于加强应急救援体系建设的议案", "隐患整改"]
    assert refs(c.get(API, {"overdue": "true"})) == ["隐患整改"]
    assert _ok(client_for(m.stranger).get(API))["count"] == 0


def test_bad_input_is_refused_and_changes_nothing(motion, client_for):
    m = motion
    pk, officer, fire, deputy = _flow(m, client_for)
    before = (AuditEntry.objects.count(), list(Task.objects.values_list("state", "scores")))
    _error(_post(deputy, f"{API}/{pk}/feedback", {"scores": {**SEED_SCORES, "答复质量": 40},
                                                  "satisfaction": "satisfied"}), 422, "validation_failed")
    _error(_post(fire, f"{API}/{pk}/feedback", {"scores": SEED_SCORES, "satisfaction": "satisfied"}),
           403, "permission_denied")
    assert (AuditEntry.objects.count(), list(Task.objects.values_list("state", "scores"))) == before
    _ok(_post(deputy, f"{API}/{pk}/feedback", {"scores": SEED_SCORES, "satisfaction": "satisfied"}))
    co = Assignment.objects.get(task_id=pk, owner_unit=m.fire)
    n = AuditEntry.objects.count()
    _error(_post(fire, f"{API}/assignments/{co.pk}/reply", {"result_code": "A"}), 409, "task_closed")
    t = _ok(_post(officer, API, {"title": "新事项", "requester_unit": m.congress.code}), 201)
    n = AuditEntry.objects.count()
    _error(_post(officer, f"{API}/{t['id']}/assign", {"lead": {"unit": m.bureau.code, "deadline": "2020-01-01"}}),
           422, "validation_failed")
    _error(_post(officer, f"{API}/{t['id']}/assign", {"lead": {"unit": "nope", "deadline": str(in_days(3))}}),
           422, "validation_failed")
    assert AuditEntry.objects.count() == n
    _error(client_for(m.stranger).get(f"{API}/{pk}"), 404, "not_found")
