"""The Django admin: behind the platform's throttled login, read-only, open to system administrators only."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_login_failed
from django.test import Client

from yingji.core.models import AuditEntry, OrgUnit, User
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-9"


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def superuser(tree, make_user):
    user = make_user(None, tree["city"], username="root", password=PASSWORD)
    User.objects.filter(pk=user.pk).update(is_superuser=True, is_staff=True)
    return User.objects.get(pk=user.pk)


def test_admin_login_sends_people_to_the_platform_login(tree):
    r = Client().get("/admin/login/?next=/admin/core/orgunit/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/admin/core/orgunit/")
    r = Client().get("/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/admin/login/")


def test_admin_login_form_checks_no_password(superuser):
    """30 guesses at the superuser's password through /admin/login/ test nothing and log nobody in."""
    checks = []

    def count(sender, credentials, request=None, **kw):
        checks.append(credentials.get("username"))

    user_login_failed.connect(count, weak=False)
    try:
        c = Client()
        for k in range(30):
            r = c.post("/admin/login/", {"username": "root", "password": f"guess{k}", "next": "/admin/"})
            assert r.status_code == 302 and r["Location"].startswith("/login/")
        assert c.post("/admin/login/", {"username": "root", "password": PASSWORD}).status_code == 302
    finally:
        user_login_failed.disconnect(count)
    assert checks == []
    assert c.get("/admin/").status_code == 302  # still anonymous


def test_demo_system_admin_opens_the_admin_read_only(tree, make_user):
    make_user(RoleCode.SYSTEM_ADMIN, tree["city"], username="admin", password=PASSWORD)
    c = Client()
    assert c.post("/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}).status_code == 302
    index = c.get("/admin/")
    assert index.status_code == 200
    page = index.content.decode()
    assert "/admin/core/orgunit/" in page and "/admin/resources/team/" in page and "/admin/core/auditentry/" in page
    assert "/admin/core/orgunit/add/" not in page
    units = c.get("/admin/core/orgunit/")
    assert units.status_code == 200 and "甲一街道" in units.content.decode()
    assert c.get(f"/admin/core/orgunit/{tree['A1'].pk}/change/").status_code == 200  # a read-only view


def test_nobody_writes_through_the_admin_not_even_a_superuser(tree, superuser):
    c = Client()
    c.force_login(superuser)
    units, entries, path = OrgUnit.objects.count(), AuditEntry.objects.count(), tree["A1"].path
    r = c.post("/admin/core/orgunit/add/", {"code": "990199", "name": "后门区", "kind": "district",
                                            "parent": tree["city"].pk, "is_active": "on"})
    assert r.status_code == 403
    r = c.post(f"/admin/core/orgunit/{tree['A1'].pk}/change/", {"code": tree["A1"].code, "name": "甲一街道",
                                                                 "kind": "town", "parent": tree["B"].pk,
                                                                 "is_active": "on"})
    assert r.status_code == 403
    r = c.post(f"/admin/core/orgunit/{tree['E1'].pk}/delete/", {"post": "yes"})
    assert r.status_code == 403
    r = c.post(f"/admin/core/user/{superuser.pk}/change/", {"username": "root", "is_superuser": ""})
    assert r.status_code == 403
    assert OrgUnit.objects.count() == units and AuditEntry.objects.count() == entries
    a1 = OrgUnit.objects.get(pk=tree["A1"].pk)
    assert a1.path == path and a1.parent_id == tree["A"].pk
    assert not OrgUnit.objects.filter(path="").exists()


def test_other_roles_are_refused_without_a_redirect_loop(tree, make_user):
    c = Client()
    c.force_login(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    r = c.get("/admin/", follow=True)
    assert r.status_code == 403
    assert len(r.redirect_chain) <= 1


def test_a_district_system_admin_sees_only_its_own_people(tree, make_user):
    district = make_user(RoleCode.SYSTEM_ADMIN, tree["A"], username="sys_a")
    make_user(RoleCode.VIEWER, tree["A1"], username="in_a1")
    make_user(RoleCode.VIEWER, tree["B1"], username="in_b1")
    c = Client()
    c.force_login(district)
    page = c.get("/admin/core/user/").content.decode()
    assert "in_a1" in page and "in_b1" not in page
    outsider = User.objects.get(username="in_b1")
    assert c.get(f"/admin/core/user/{outsider.pk}/change/").status_code in (302, 403, 404)
