"""The notifications API: my inbox with the kernel's list shape, read, 签收, channel preferences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from yingji.core.models import AuditEntry
from yingji.notifications import kinds, services
from yingji.notifications.models import Notification, Preference, SignOff
from yingji.notifications.services import Recipient

pytestmark = pytest.mark.django_db
API = "/api/v1/notifications"


def _error(r, status: int, code: str):
    assert r.status_code == status, r.content
    body = r.json()["error"]
    assert body["code"] == code and body["message"]
    return body


@pytest.fixture
def inbox(tree, people):
    for i in range(3):
        services.notify(kinds.GENERAL, key=f"api:{i}", title=f"通知{i}", recipients=[Recipient.of_unit(tree["A1"])])
    services.notify(kinds.GENERAL, key="api:sign", title="请签收", recipients=[Recipient.of_unit(tree["A1"])],
                    needs_signoff=True, sign_deadline=timezone.now() + dt.timedelta(hours=1))
    return {n.message.key: n for n in Notification.objects.filter(user=people.staff_a1).select_related("message")}


def test_list_is_mine_unread_first_with_the_list_conventions(people, inbox, client_for):
    c = client_for(people.staff_a1)
    c.post(f"{API}/{inbox['api:2'].pk}/read")
    r = c.get(f"{API}?limit=2")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"count", "limit", "offset", "items"} and body["count"] == 4 and body["limit"] == 2
    assert all(item["read_at"] is None for item in body["items"])
    last = c.get(f"{API}?offset=3").json()["items"]
    assert [i["title"] for i in last] == ["通知2"]  # the read one comes last
    unread = c.get(f"{API}?unread=true").json()
    assert unread["count"] == 3
    signable = next(i for i in c.get(API).json()["items"] if i["needs_signoff"])
    assert signable["signoff"] == {"unit_id": people.staff_a1.unit_id, "signed": False, "signed_by": None,
                                   "signed_at": None, "escalated_at": None}
    # Other people's inboxes are not in mine.
    assert client_for(people.staff_b1).get(API).json()["count"] == 0


def test_sign_through_the_api_and_the_colleague_sees_who_signed(people, inbox, client_for):
    r = client_for(people.staff_a1).post(f"{API}/{inbox['api:sign'].pk}/sign")
    assert r.status_code == 200 and r.json()["signed_by"] == "staff_a1"
    colleague = Notification.objects.get(message__key="api:sign", user=people.staff2_a1)
    r2 = client_for(people.staff2_a1).post(f"{API}/{colleague.pk}/sign")
    assert r2.status_code == 200 and r2.json()["signed_by"] == "staff_a1"
    assert r2.json()["signed_at"] == r.json()["signed_at"]


def test_someone_elses_notification_is_404_and_changes_nothing(people, inbox, client_for):
    c = client_for(people.staff_b1)
    audit = AuditEntry.objects.count()
    _error(c.post(f"{API}/{inbox['api:sign'].pk}/sign"), 404, "not_found")
    _error(c.post(f"{API}/{inbox['api:0'].pk}/read"), 404, "not_found")
    assert AuditEntry.objects.count() == audit
    assert not SignOff.objects.filter(signed_at__isnull=False).exists()
    assert Notification.objects.get(pk=inbox["api:0"].pk).read_at is None


def test_signing_what_needs_no_signoff_is_a_conflict(people, inbox, client_for):
    _error(client_for(people.staff_a1).post(f"{API}/{inbox['api:0'].pk}/sign"), 409, "no_signoff")


def test_anonymous_is_401(inbox):
    _error(Client().get(API), 401, "not_authenticated")


def test_preferences_roundtrip(people, client_for):
    c = client_for(people.staff_a1)
    got = c.get(f"{API}/preferences").json()
    assert got["channels"][kinds.ESCALATION] == ["email", "sms"]  # the kind's default
    assert {ch["code"] for ch in got["available_channels"]} == {"email", "sms", "webhook"}
    r = c.put(f"{API}/preferences", {"channels": {kinds.ESCALATION: ["webhook"]},
                                     "webhook_url": "https://hooks.example/yj"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["channels"][kinds.ESCALATION] == ["webhook"] and r.json()["webhook_url"] == "https://hooks.example/yj"
    assert AuditEntry.objects.filter(object_type="notifications.preference", actor_name="staff_a1").count() == 1


@pytest.mark.parametrize("payload, field", [
    ({"channels": {"general": ["email", "pigeon"]}}, "general"),
    ({"channels": {"no.such.kind": ["email"]}}, "no.such.kind"),
    ({"channels": {"general": ["email"]}, "webhook_url": "ftp://x"}, "webhook_url"),
])
def test_bad_preferences_are_refused_whole_in_the_users_language(people, client_for, payload, field):
    c = client_for(people.staff_a1)
    audit = AuditEntry.objects.count()
    r = c.put(f"{API}/preferences", payload, content_type="application/json")
    err = _error(r, 422, "validation_failed")
    assert field in err["details"]
    assert Preference.objects.count() == 0 and AuditEntry.objects.count() == audit
    c.cookies["django_language"] = "en"  # the user's own language switch
    en = c.put(f"{API}/preferences", payload, content_type="application/json")
    assert en.json()["error"]["message"] == "Invalid input; nothing was changed"
    assert all(ord(ch) < 128 for msg in en.json()["error"]["details"][field] for ch in msg)
