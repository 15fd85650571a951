"""restrict() as a matrix: role × scope × participant × action, for list (restrict) and object (can) alike."""

from __future__ import annotations

import itertools

import pytest
from tests.kernel.helpers import user_at
from tests.sample_app.models import Hydrant

from yingji.core import participants, permissions
from yingji.core.models import ParticipantRole
from yingji.core.roles import Action, RoleCode

pytestmark = pytest.mark.django_db

ROLES = [RoleCode.UNIT_ADMIN, RoleCode.UNIT_STAFF, RoleCode.VIEWER, RoleCode.DUTY_OFFICER]
ACTIONS = [Action.VIEW, Action.CHANGE, Action.DELETE]


def expected(role, where, participant, action) -> bool:
    """The rule, written plainly: inside the owner's subtree a role's grants apply; a participant unit (or
    its superiors) may view only; elsewhere nothing."""
    from yingji.core.roles import role_grants

    grants = role_grants(role, "sample.hydrant", action)
    if where in ("owner", "above"):
        return grants
    if participant and action == Action.VIEW:
        return grants
    return False


@pytest.mark.parametrize(("role", "where", "participant"),
                         list(itertools.product(ROLES, ["owner", "above", "sibling"], [False, True])))
def test_matrix(world, role, where, participant):
    unit = {"owner": world.town_a, "above": world.district, "sibling": world.town_b}[where]
    user = user_at(unit, role, f"u_{role}_{where}_{participant}")
    h = Hydrant.objects.create(owner_unit=world.town_a, code="H-M", name="栓")
    Hydrant.objects.create(owner_unit=world.town_b, code="H-N", name="别的栓")
    if participant:
        participants.add(None, h, world.town_b, ParticipantRole.DISPATCHED)
    for action in ACTIONS:
        want = expected(role, where, participant, action)
        listed = Hydrant.objects.restrict(user, action).filter(pk=h.pk).exists()
        assert listed == want, (role, where, participant, action)
        assert permissions.can(user, action, h) == want, (role, where, participant, action)


def test_anonymous_sees_only_what_a_model_makes_public(world):
    from django.contrib.auth.models import AnonymousUser

    Hydrant.objects.create(owner_unit=world.town_a, code="H-P", name="栓")
    assert not Hydrant.objects.restrict(AnonymousUser()).exists()
    Hydrant.public_q = classmethod(lambda cls: __import__("django.db.models", fromlist=["Q"]).Q(working=True))
    try:
        assert Hydrant.objects.restrict(AnonymousUser()).count() == 1
        assert permissions.can(AnonymousUser(), Action.VIEW, Hydrant.objects.get())
        assert not permissions.can(AnonymousUser(), Action.CHANGE, Hydrant.objects.get())
    finally:
        del Hydrant.public_q
