"""The permission matrix: role × scope × action, through the API and the pages alike."""

from __future__ import annotations

import pytest

from yingji.core import permissions
from yingji.core.models import AuditEntry, OrgUnit, User
from yingji.core.roles import ROLES, Action, RoleCode

pytestmark = pytest.mark.django_db

# role held at district A → may it change town A1? town B1? see users of A1? the audit log?
MATRIX = [
    # role,                  change A1, change B1, add under A, view users A1, audit A1
    (RoleCode.SYSTEM_ADMIN, True, False, True, True, True),
    (RoleCode.COMMANDER, False, False, False, False, True),
    (RoleCode.DUTY_OFFICER, False, False, False, False, False),
    (RoleCode.UNIT_ADMIN, True, False, True, True, True),
    (RoleCode.UNIT_STAFF, False, False, False, False, False),
    (RoleCode.TEAM_LEADER, False, False, False, False, False),
    (RoleCode.GRID_OFFICER, False, False, False, False, False),
    (RoleCode.EXPERT, False, False, False, False, False),
    (RoleCode.VIEWER, False, False, False, False, False),
]


def test_matrix_covers_every_role():
    assert {row[0] for row in MATRIX} == set(ROLES)


@pytest.mark.parametrize("role,change_a1,change_b1,add_under_a,view_users,audit", MATRIX)
def test_role_matrix_at_district(tree, make_user, role, change_a1, change_b1, add_under_a, view_users, audit):
    user = make_user(role, tree["A"])
    staff_a1 = make_user(None, tree["A1"], username="someone_in_a1")
    assert permissions.can(user, Action.CHANGE, tree["A1"]) is change_a1
    assert permissions.can(user, Action.CHANGE, tree["B1"]) is change_b1
    assert permissions.can(user, Action.ADD, OrgUnit, unit=tree["A"]) is add_under_a
    assert (staff_a1 in User.objects.restrict(user)) is view_users
    assert permissions.can(user, Action.AUDIT, AuditEntry, unit=tree["A1"]) is audit
    # the unit tree itself is a shared registry: everyone with a role reads all of it
    assert OrgUnit.objects.restrict(user).count() == OrgUnit.objects.count()


def test_no_role_sees_nothing(tree, make_user):
    user = make_user(None, tree["A1"])
    assert OrgUnit.objects.restrict(user).count() == 0
    assert not permissions.can(user, Action.VIEW, tree["A1"])


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert OrgUnit.objects.restrict(AnonymousUser()).count() == 0


def test_subtree_scope_is_one_prefix_query(tree, make_user, django_assert_max_num_queries):
    user = make_user(RoleCode.UNIT_ADMIN, tree["A"])
    permissions.grants(user)  # warm the per-request cache
    with django_assert_max_num_queries(1):
        names = set(OrgUnit.objects.restrict(user, Action.CHANGE).values_list("name", flat=True))
    assert names == {"甲区", "甲一街道", "甲二镇", "某化工有限公司"}


def test_roles_at_two_units_combine(tree, make_user):
    from yingji.core import services

    user = make_user(RoleCode.UNIT_ADMIN, tree["A1"])
    services.assign_role(None, user, RoleCode.UNIT_ADMIN, tree["B1"])
    user = User.objects.get(pk=user.pk)
    changeable = set(OrgUnit.objects.restrict(user, Action.CHANGE).values_list("code", flat=True))
    assert changeable == {tree["A1"].code, tree["E1"].code, tree["B1"].code}


def test_inactive_user_has_no_rights(tree, make_user):
    user = make_user(RoleCode.SYSTEM_ADMIN, tree["city"])
    user.is_active = False
    assert OrgUnit.objects.restrict(user).count() == 0


# ---- through the API -------------------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [
    (RoleCode.UNIT_ADMIN, 200),
    (RoleCode.UNIT_STAFF, 403),
    (RoleCode.VIEWER, 403),
])
def test_api_patch_follows_matrix(tree, make_user, client_for, role, status):
    c = client_for(make_user(role, tree["A"]))
    r = c.patch(f"/api/v1/units/{tree['A1'].pk}", {"name": "新名字"}, content_type="application/json")
    assert r.status_code == status
    expected = "新名字" if status == 200 else "甲一街道"
    assert OrgUnit.objects.get(pk=tree["A1"].pk).name == expected


def test_api_unit_admin_cannot_touch_other_district(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    r = c.patch(f"/api/v1/units/{tree['B1'].pk}", {"name": "x"}, content_type="application/json")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "permission_denied"
    r = c.post("/api/v1/units", {"parent_id": tree["B"].pk, "code": "990102009", "name": "新镇", "kind": "town"},
               content_type="application/json")
    assert r.status_code == 403
    assert not OrgUnit.objects.filter(code="990102009").exists()


def test_api_unit_admin_cannot_move_unit_out_of_own_tree(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    r = c.patch(f"/api/v1/units/{tree['A1'].pk}", {"parent_id": tree["B"].pk}, content_type="application/json")
    assert r.status_code == 403
    assert OrgUnit.objects.get(pk=tree["A1"].pk).parent_id == tree["A"].pk


def test_api_audit_list_is_scoped(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.UNIT_ADMIN, tree["B"]))
    r = c.get("/api/v1/audit?object_type=core.orgunit&limit=500")
    assert r.status_code == 200
    ids = {e["object_id"] for e in r.json()["items"]}
    assert str(tree["B1"].pk) in ids and str(tree["A1"].pk) not in ids
    viewer = client_for(make_user(RoleCode.VIEWER, tree["city"]))
    assert viewer.get("/api/v1/audit").json()["count"] == 0


# ---- through the pages -----------------------------------------------------------------------------

@pytest.mark.parametrize("role,sees_audit_nav,can_edit_a1", [
    (RoleCode.SYSTEM_ADMIN, True, True),
    (RoleCode.UNIT_ADMIN, True, True),
    (RoleCode.COMMANDER, True, False),
    (RoleCode.UNIT_STAFF, False, False),
    (RoleCode.VIEWER, False, False),
])
def test_pages_follow_matrix(tree, make_user, client_for, role, sees_audit_nav, can_edit_a1):
    c = client_for(make_user(role, tree["A"]))
    home = c.get("/").content.decode()
    assert ('data-nav="audit"' in home) is sees_audit_nav
    assert c.get("/audit/").status_code == (200 if sees_audit_nav else 403)
    detail = c.get(f"/units/{tree['A1'].pk}/").content.decode()
    assert ('data-testid="edit-unit"' in detail) is can_edit_a1
    assert c.get(f"/units/{tree['A1'].pk}/edit/").status_code == (200 if can_edit_a1 else 403)


def test_page_edit_writes_through_service(tree, make_user, client_for):
    c = client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    r = c.post(f"/units/{tree['A1'].pk}/edit/", {"name": "甲一街道（新）", "code": tree["A1"].code, "kind": "town",
                                                 "lat": "23.1", "lng": "113.3", "is_active": "on"})
    assert r.status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(tree["A1"].pk), action="update").get()
    assert '"甲一街道（新）"' in entry.after and '"甲一街道"' in entry.before


def test_pages_require_login(tree, client):
    r = client.get("/map/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_people_tab_only_for_those_who_may_see_users(tree, make_user, client_for):
    make_user(RoleCode.UNIT_STAFF, tree["A1"], username="worker_a1")
    admin = client_for(make_user(RoleCode.UNIT_ADMIN, tree["A"]))
    page = admin.get(f"/units/{tree['A1'].pk}/?tab=people").content.decode()
    assert 'data-testid="people"' in page and "worker_a1" in page
    viewer = client_for(make_user(RoleCode.VIEWER, tree["A"]))
    page = viewer.get(f"/units/{tree['A1'].pk}/?tab=people").content.decode()
    assert 'data-testid="people-tab"' not in page and "worker_a1" not in page
