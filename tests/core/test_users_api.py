"""Unit administrators manage the people of their own subtree, and nobody can grant beyond their rights."""

from __future__ import annotations

import pytest

from yingji.core.models import AuditEntry, RoleAssignment, User
from yingji.core.roles import RoleCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_admin(tree, make_user, client_for):
    return client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"], username="district_admin"))


def test_unit_admin_creates_user_and_grants_role_in_own_subtree(tree, district_admin):
    r = district_admin.post("/api/v1/users", {"username": "newbie", "password": "long-enough-pass-1",
                                              "unit_id": tree["A1"].pk, "display_name": "新人"},
                            content_type="application/json")
    assert r.status_code == 201, r.content
    uid = r.json()["id"]
    r = district_admin.post(f"/api/v1/users/{uid}/roles", {"role": "unit_staff", "unit_id": tree["A1"].pk},
                            content_type="application/json")
    assert r.status_code == 201
    assert RoleAssignment.objects.filter(user_id=uid, role="unit_staff", unit=tree["A1"]).exists()
    assert AuditEntry.objects.filter(object_type="core.roleassignment", action="create").exists()
    listed = district_admin.get(f"/api/v1/users?within={tree['A1'].pk}").json()
    assert [u["username"] for u in listed["items"]] == ["newbie"]
    assert listed["items"][0]["roles"][0]["role"] == "unit_staff"


def test_unit_admin_cannot_create_users_elsewhere_or_grant_system_admin(tree, district_admin, make_user):
    r = district_admin.post("/api/v1/users", {"username": "outsider", "password": "long-enough-pass-1",
                                              "unit_id": tree["B1"].pk}, content_type="application/json")
    assert r.status_code == 403 and not User.objects.filter(username="outsider").exists()
    staff = make_user(RoleCode.UNIT_STAFF, tree["A1"])
    r = district_admin.post(f"/api/v1/users/{staff.pk}/roles", {"role": "system_admin", "unit_id": tree["A"].pk},
                            content_type="application/json")
    assert r.status_code == 403
    assert not RoleAssignment.objects.filter(user=staff, role="system_admin").exists()


def test_staff_cannot_promote_themselves(tree, make_user, client_for):
    staff = make_user(RoleCode.UNIT_STAFF, tree["A1"])
    r = client_for(staff).post(f"/api/v1/users/{staff.pk}/roles", {"role": "unit_admin", "unit_id": tree["A1"].pk},
                               content_type="application/json")
    assert r.status_code in (403, 404)
    assert list(RoleAssignment.objects.filter(user=staff).values_list("role", flat=True)) == ["unit_staff"]


def test_weak_password_is_refused_with_reasons(tree, district_admin):
    r = district_admin.post("/api/v1/users", {"username": "weak", "password": "123", "unit_id": tree["A1"].pk},
                            content_type="application/json")
    assert r.status_code == 422 and r.json()["error"]["details"]["password"]
    assert not User.objects.filter(username="weak").exists()


def test_revoke_role_and_deactivate(tree, district_admin, make_user):
    staff = make_user(RoleCode.UNIT_STAFF, tree["A1"])
    ra = RoleAssignment.objects.get(user=staff)
    assert district_admin.delete(f"/api/v1/roles/{ra.pk}").status_code == 204
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    r = district_admin.patch(f"/api/v1/users/{staff.pk}", {"is_active": False}, content_type="application/json")
    assert r.status_code == 200 and User.objects.get(pk=staff.pk).is_active is False
