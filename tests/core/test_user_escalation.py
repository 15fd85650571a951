"""Nobody acts on an account holding a role beyond their reach, or grants a role they could not hold."""

from __future__ import annotations

import itertools

import pytest
from django.apps import apps

from yingji.core import permissions, services
from yingji.core.errors import PermissionDenied
from yingji.core.models import AuditEntry, RoleAssignment, User
from yingji.core.roles import ROLES, Action, RoleCode

pytestmark = pytest.mark.django_db


@pytest.fixture
def district_admin(tree, make_user):
    return make_user(RoleCode.UNIT_ADMIN, tree["A"], username="district_admin")


@pytest.fixture
def city_sysadmin_in_a1(tree, make_user):
    """A city-wide system administrator whose home unit happens to be town A1 (in district A)."""
    user = make_user(None, tree["A1"], username="city_root")
    services.assign_role(None, user, RoleCode.SYSTEM_ADMIN, tree["city"])
    services.assign_role(None, user, RoleCode.VIEWER, tree["A1"])
    return user


def test_unit_admin_cannot_edit_or_deactivate_a_city_wide_admin(tree, district_admin, city_sysadmin_in_a1,
                                                                client_for):
    c = client_for(district_admin)
    before = AuditEntry.objects.count()
    for change in ({"is_active": False}, {"display_name": "x", "email": "evil@example.com"}):
        r = c.patch(f"/api/v1/users/{city_sysadmin_in_a1.pk}", change, content_type="application/json")
        assert r.status_code == 403, r.content
    fresh = User.objects.get(pk=city_sysadmin_in_a1.pk)
    assert fresh.is_active and fresh.display_name == "" and fresh.email == ""
    assert AuditEntry.objects.count() == before


def test_unit_admin_cannot_grant_or_revoke_roles_of_a_city_wide_admin(tree, district_admin, city_sysadmin_in_a1,
                                                                     client_for):
    c = client_for(district_admin)
    r = c.post(f"/api/v1/users/{city_sysadmin_in_a1.pk}/roles", {"role": "unit_staff", "unit_id": tree["A1"].pk},
               content_type="application/json")
    assert r.status_code == 403
    local = RoleAssignment.objects.get(user=city_sysadmin_in_a1, role=RoleCode.VIEWER)
    assert c.delete(f"/api/v1/roles/{local.pk}").status_code == 403
    assert set(RoleAssignment.objects.filter(user=city_sysadmin_in_a1).values_list("role", flat=True)) == {
        RoleCode.SYSTEM_ADMIN, RoleCode.VIEWER}


def test_unit_admin_cannot_act_on_a_superuser_of_their_district(tree, district_admin, make_user):
    su = make_user(None, tree["A1"], username="su")
    User.objects.filter(pk=su.pk).update(is_superuser=True)
    su.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.update_user(district_admin, su, {"is_active": False})
    with pytest.raises(PermissionDenied):
        services.assign_role(district_admin, su, RoleCode.VIEWER, tree["A1"])
    assert User.objects.get(pk=su.pk).is_active


@pytest.mark.parametrize("role", [RoleCode.COMMANDER, RoleCode.DUTY_OFFICER, RoleCode.SYSTEM_ADMIN])
def test_unit_admin_cannot_grant_itself_a_role_it_could_not_hold(tree, district_admin, client_for, role):
    r = client_for(district_admin).post(f"/api/v1/users/{district_admin.pk}/roles",
                                        {"role": role, "unit_id": tree["A"].pk}, content_type="application/json")
    assert r.status_code == 403
    assert list(RoleAssignment.objects.filter(user=district_admin).values_list("role", flat=True)) == ["unit_admin"]


def test_unit_admin_still_manages_its_own_people(tree, district_admin, make_user, client_for):
    staff = make_user(RoleCode.UNIT_STAFF, tree["A1"])
    c = client_for(district_admin)
    for role in (RoleCode.TEAM_LEADER, RoleCode.VIEWER, RoleCode.UNIT_ADMIN):
        r = c.post(f"/api/v1/users/{staff.pk}/roles", {"role": role, "unit_id": tree["A1"].pk},
                   content_type="application/json")
        assert r.status_code == 201, r.content
    r = c.patch(f"/api/v1/users/{staff.pk}", {"is_active": False}, content_type="application/json")
    assert r.status_code == 200 and not User.objects.get(pk=staff.pk).is_active


def _all_object_types() -> list[str]:
    """Every real type, plus types of apps still to come and one nobody names: the oracle's universe."""
    real = [f"{m._meta.app_label}.{m._meta.model_name}" for m in apps.get_models()]
    future = ["incidents.incident", "dispatch.order", "warnings.warning", "monitoring.report", "monitoring.sensor",
              "risk.hazard", "plans.plan", "zzz.unknown"]
    return real + future


def _rights(role: str) -> set[tuple[str, str]]:
    return {(t, a) for t in _all_object_types() for a in Action.values if ROLES[role].allows(t, a)}


@pytest.mark.parametrize("held,wanted", list(itertools.product(ROLES, ROLES)))
def test_may_grant_matches_brute_force_subset_of_rights(tree, make_user, held, wanted):
    """Oracle: a role is grantable exactly when its rights are a subset of the holder's (and the holder may
    manage role assignments at all); system administrators only by superusers."""
    actor = make_user(held, tree["A"])
    manages = permissions.can(actor, Action.ADD, RoleAssignment, unit=tree["A1"])
    expected = manages and wanted != RoleCode.SYSTEM_ADMIN and _rights(wanted) <= _rights(held)
    assert services.may_grant(actor, wanted, tree["A1"]) is expected
