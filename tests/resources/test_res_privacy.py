"""A team member's mobile number: in full for those who call them out or keep their record, masked for others.

The rule is yingji.core.privacy.may_see_contacts; here as a matrix (role × where it is held), then through
the API (list, detail, export) and the pages (list, team detail, member detail)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from yingji.core import privacy
from yingji.core.roles import ROLES, RoleCode
from yingji.resources import services
from yingji.resources.models import Team

pytestmark = pytest.mark.django_db
MOBILE, MASKED = "13912345678", "139****5678"
API = "/api/v1/resources"

R = RoleCode
# role → may see when held at: the team's own unit (A1), the city above it, another district (B)
MATRIX = {
    R.SYSTEM_ADMIN: (True, True, False),
    R.COMMANDER: (True, True, False),
    R.DUTY_OFFICER: (True, True, False),
    R.UNIT_ADMIN: (True, True, False),
    R.UNIT_STAFF: (True, True, False),
    R.TEAM_LEADER: (True, True, False),
    R.GRID_OFFICER: (False, False, False),
    R.EXPERT: (False, False, False),
    R.VIEWER: (False, False, False),
}


@pytest.fixture
def member(tree):
    team = services.create(None, Team, {"owner_unit": tree["A1"], "code": "DW-1", "name": "甲一抢险队",
                                        "kind": "professional", "specialty": "flood", "duty_phone": "0999-110"})
    return services.add_member(None, team, name="张三", phone=MOBILE)


def test_matrix_covers_every_role():
    assert set(MATRIX) == set(ROLES)


@pytest.mark.parametrize("role", list(MATRIX))
def test_who_sees_a_members_mobile(tree, make_user, member, role):
    for where, expected in zip(("A1", "city", "B"), MATRIX[role], strict=True):
        user = make_user(role, tree[where])
        assert privacy.may_see_contacts(user, member) is expected, (role, where)


def test_masking():
    assert privacy.mask_phone(MOBILE) == MASKED
    assert privacy.mask_phone("+86 13912345678") == "+86****5678"
    assert privacy.mask_phone("0999-12") == "*******"
    assert privacy.mask_phone("") == ""


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_api_list_detail_and_export_mask_for_a_viewer(tree, make_user, member):
    c = _client(make_user(RoleCode.VIEWER, tree["city"]))
    assert c.get(f"{API}/members").json()["items"][0]["phone"] == MASKED
    assert c.get(f"{API}/members/{member.pk}").json()["phone"] == MASKED
    expert = _client(make_user(RoleCode.EXPERT, tree["city"]))  # experts may export
    text = expert.get(f"{API}/members/export?format=csv").content.decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(text)))
    assert dict(zip(header, row, strict=True))["电话"] == MASKED
    assert MOBILE not in text


def test_api_shows_the_number_to_a_duty_officer(tree, make_user, member):
    c = _client(make_user(RoleCode.DUTY_OFFICER, tree["city"]))
    assert c.get(f"{API}/members").json()["items"][0]["phone"] == MOBILE
    assert c.get(f"{API}/members/{member.pk}").json()["phone"] == MOBILE
    assert MOBILE in c.get(f"{API}/members/export?format=csv").content.decode("utf-8-sig")


def test_pages_mask_for_another_districts_staff(tree, make_user, member):
    outsider = _client(make_user(RoleCode.UNIT_STAFF, tree["B"]))
    insider = _client(make_user(RoleCode.UNIT_STAFF, tree["A1"]))
    for url in ("/resources/members/", f"/resources/teams/{member.team_id}/", f"/resources/members/{member.pk}/"):
        page = outsider.get(url)
        assert page.status_code == 200, url
        assert MOBILE not in page.content.decode() and MASKED in page.content.decode(), url
        assert MOBILE in insider.get(url).content.decode(), url
    # the team's duty phone is an organisational number, not personal: everyone sees it
    assert "0999-110" in outsider.get(f"/resources/teams/{member.team_id}/").content.decode()
