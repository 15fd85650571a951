"""Background jobs: the registry every app adds to, real consumers (SQLite and Redis) delivering in threads,
the periodic sign-off escalation and the registry's expiry scan."""

from __future__ import annotations

import datetime as dt
import os
import socket
import time
import uuid

import pytest
from django.utils import timezone

from yingji.core import jobs
from yingji.notifications import jobs as ntf_jobs
from yingji.notifications import kinds, services
from yingji.notifications.models import Delivery, DeliveryStatus, Message, Notification
from yingji.notifications.services import Recipient

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS_URL = os.environ.get("YINGJI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _wait_for(check, seconds: float = 30.0):
    """Poll `check()` until it is true or the deadline passes (a deadline for a hung test, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_registry_holds_the_apps_jobs_and_binds_periodic_ones():
    names = {j.name: j for j in jobs.jobs()}
    for periodic in ("notifications.sweep", "notifications.escalate", "notifications.registry_expiry"):
        assert names[periodic].periodic
    assert not names[services.DELIVER_JOB].periodic
    huey = jobs.build_huey(immediate=True, name=f"reg-{uuid.uuid4().hex[:6]}")
    bound = jobs.bind(huey)
    periodic = {t.__name__ for t in huey._registry._periodic_tasks}
    assert {"notifications.sweep", "notifications.escalate", "notifications.registry_expiry"} <= periodic
    assert set(bound) == set(names)


def test_unknown_job_name_is_a_loud_error():
    with pytest.raises(KeyError):
        jobs.enqueue("no.such.job")


@pytest.mark.django_db
def test_immediate_mode_delivers_on_commit(people, http_sink, django_capture_on_commit_callbacks):
    services.set_preferences(people.staff_a1, {kinds.GENERAL: ["webhook"]}, webhook_url=http_sink.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(kinds.GENERAL, key="imm", recipients=[Recipient.of_user(people.staff_a1)], title="即时")
    assert len(http_sink.requests) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def _run_with_consumer(huey, people, http_sink):
    services.set_preferences(people.staff_a1, {kinds.GENERAL: ["webhook"]}, webhook_url=http_sink.url)
    with jobs.activate(huey):
        consumer = jobs.start_consumer(huey, workers=2, periodic=False)
        try:
            services.notify(kinds.GENERAL, key=f"q:{uuid.uuid4().hex}", title="队列",
                            recipients=[Recipient.of_user(people.staff_a1)])
            assert _wait_for(lambda: Delivery.objects.filter(status=DeliveryStatus.SENT).exists())
            # The periodic escalation job, queued by name, runs in the consumer too.
            m = services.notify(kinds.GENERAL, key=f"late:{uuid.uuid4().hex}", title="迟签",
                                recipients=[Recipient.of_unit(people.staff_a1.unit)], needs_signoff=True,
                                sign_deadline=timezone.now() - dt.timedelta(minutes=1))
            jobs.enqueue("notifications.escalate")
            assert _wait_for(lambda: Message.objects.filter(kind=kinds.ESCALATION).exists())
        finally:
            consumer.stop(graceful=True)
    # Each event reached staff_a1's webhook exactly once (the second one was to their unit).
    assert sorted(r["json"]["title"] for r in http_sink.requests) == ["迟签", "队列"]
    esc = Message.objects.get(kind=kinds.ESCALATION)
    assert m.title in esc.title
    assert set(Notification.objects.filter(message=esc).values_list("user__username", flat=True)) == {
        "admin_a1", "admin_a"}


@pytest.mark.django_db(transaction=True)
def test_a_real_sqlite_consumer_in_a_thread_delivers_and_escalates(people, http_sink, tmp_path):
    _run_with_consumer(jobs.build_huey(path=tmp_path / "jobs.sqlite3"), people, http_sink)


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(5).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.django_db(transaction=True)
def test_a_real_redis_consumer_in_a_thread_delivers_and_escalates(people, http_sink):
    if not _redis_reachable():
        if IN_CI:
            pytest.fail("CI must provide Redis at 127.0.0.1:6379")
        pytest.skip("no Redis at 127.0.0.1:6379")
    huey = jobs.build_huey(redis_url=REDIS_URL, name=f"yingji-test-{uuid.uuid4().hex[:8]}")
    try:
        _run_with_consumer(huey, people, http_sink)
    finally:
        huey.storage.flush_all()


@pytest.fixture
def registry(tree, people):
    from yingji.resources import catalogue
    from yingji.resources import services as res
    from yingji.resources.models import Equipment, MaterialItem, Warehouse

    catalogue.seed_catalogue(tree["city"])
    wh = res.create(None, Warehouse, {"owner_unit": tree["A1"], "code": "CK-1", "name": "一号库",
                                      "lat": 23.1, "lng": 113.3})
    item = MaterialItem.objects.get(code="1020201")
    today = timezone.localdate()
    soon = res.receive(None, wh, item, 10, batch_no="soon", expiry_date=today + dt.timedelta(days=10))
    res.receive(None, wh, item, 10, batch_no="later", expiry_date=today + dt.timedelta(days=90))
    pump = res.create(None, Equipment, {"owner_unit": tree["B1"], "code": "EQ-1", "name": "移动泵车",
                                        "equipment_type": "排水机械", "inspection_interval_days": 30,
                                        "last_inspected_on": today - dt.timedelta(days=60)})
    return {"soon": soon, "pump": pump, "today": today}


@pytest.mark.django_db
def test_registry_scan_tells_each_owning_unit_once(tree, people, registry):
    assert ntf_jobs.scan_registry_expiry(registry["today"]) == 2
    by_unit = {m.sender_unit_id: m for m in Message.objects.filter(kind=kinds.REGISTRY_EXPIRY)}
    assert set(by_unit) == {tree["A1"].pk, tree["B1"].pk}
    a1 = by_unit[tree["A1"].pk]
    assert "soon" in a1.body and "later" not in a1.body
    assert set(a1.notifications.values_list("user__username", flat=True)) == {"staff_a1", "staff2_a1", "admin_a1"}
    assert "移动泵车" in by_unit[tree["B1"].pk].body
    assert by_unit[tree["B1"].pk].url.endswith(f"/equipment/{registry['pump'].pk}/")
    # The same findings the next day: nobody is told again.
    ntf_jobs.scan_registry_expiry(registry["today"] + dt.timedelta(days=1))
    assert Message.objects.filter(kind=kinds.REGISTRY_EXPIRY).count() == 2
