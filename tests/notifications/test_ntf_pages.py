"""Pages: the badge answers 304 until the inbox changes; the inbox signs; the preferences page saves or
explains; the shell carries the badge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yingji.notifications import kinds, services
from yingji.notifications.models import Notification, Preference, SignOff
from yingji.notifications.services import Recipient

pytestmark = pytest.mark.django_db
BADGE = "/notifications/badge/"


def _note(user, key, **kw):
    return services.notify(kinds.GENERAL, key=key, title=f"标题{key}", recipients=[Recipient.of_user(user)], **kw)


def test_badge_is_304_until_something_changes(people, client_for):
    c = client_for(people.staff_a1)
    first = c.get(BADGE)
    assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
    etag = first["ETag"]
    same = c.get(BADGE, HTTP_IF_NONE_MATCH=etag)
    assert same.status_code == 304 and same.content == b"" and same["ETag"] == etag
    _note(people.staff_a1, "b1")
    changed = c.get(BADGE, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert 'data-unread="1"' in changed.content.decode()
    # Reading it changes the badge again.
    services.mark_read(people.staff_a1, Notification.objects.get(user=people.staff_a1))
    assert c.get(BADGE, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_badge_etag_is_per_user_and_language(people, client_for):
    a = client_for(people.staff_a1).get(BADGE)["ETag"]
    b = client_for(people.staff2_a1).get(BADGE)["ETag"]
    assert a != b
    c = client_for(people.staff_a1)
    c.cookies["django_language"] = "en"  # the user's own language switch
    assert c.get(BADGE, HTTP_IF_NONE_MATCH=a).status_code == 200


def test_shell_carries_the_polling_badge_and_htmx(people, client_for):
    _note(people.staff_a1, "s1")
    html = client_for(people.staff_a1).get("/").content.decode()
    assert 'data-testid="inbox-badge"' in html and 'hx-trigger="every 15s"' in html
    assert "django_htmx/htmx-2" in html


def test_inbox_lists_unread_first_and_signs(tree, people, client_for):
    _note(people.staff_a1, "old")
    services.mark_read(people.staff_a1, Notification.objects.get(message__key="old"))
    m = services.notify(kinds.GENERAL, key="sign", title="请签收", recipients=[Recipient.of_unit(tree["A1"])],
                        needs_signoff=True, sign_deadline=timezone.now() + dt.timedelta(hours=1))
    c = client_for(people.staff_a1)
    html = c.get("/notifications/").content.decode()
    assert html.index("请签收") < html.index("标题old")
    mine = Notification.objects.get(message=m, user=people.staff_a1)
    r = c.post(f"/notifications/{mine.pk}/sign/")
    assert r.status_code == 302
    assert SignOff.objects.get(message=m).signed_by == people.staff_a1
    colleague = client_for(people.staff2_a1).get("/notifications/").content.decode()
    assert 'data-testid="signed"' in colleague and "staff_a1" in colleague


def test_signing_someone_elses_item_on_the_page_is_404(people, client_for):
    m = _note(people.staff_a1, "x", needs_signoff=True, sign_deadline=timezone.now() + dt.timedelta(hours=1))
    mine = Notification.objects.get(message=m)
    assert client_for(people.staff_b1).post(f"/notifications/{mine.pk}/sign/").status_code == 404
    assert SignOff.objects.get(message=m).signed_at is None


def test_open_marks_read_and_follows_only_local_links(people, client_for):
    m = _note(people.staff_a1, "o", url="https://evil.example/")
    n = Notification.objects.get(message=m)
    r = client_for(people.staff_a1).get(f"/notifications/{n.pk}/")
    assert r.status_code == 302 and r["Location"] == "/notifications/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_preferences_page_saves_and_refuses_bad_input(people, client_for):
    c = client_for(people.staff_a1)
    assert c.get("/notifications/preferences/").status_code == 200
    r = c.post("/notifications/preferences/", {f"ch_{kinds.GENERAL}": ["email"], "webhook_url": ""})
    assert r.status_code == 302
    assert Preference.objects.get(user=people.staff_a1, kind=kinds.GENERAL).channels == ["email"]
    bad = c.post("/notifications/preferences/", {f"ch_{kinds.GENERAL}": ["sms", "carrier-pigeon"],
                                                 "webhook_url": ""})
    assert bad.status_code == 200 and "carrier-pigeon" in bad.content.decode()
    assert Preference.objects.get(user=people.staff_a1, kind=kinds.GENERAL).channels == ["email"]
