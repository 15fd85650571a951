"""The capability vocabulary and the GB/T 38565 catalogue: structure, honesty about code status, idempotence."""

from __future__ import annotations

import pytest

from yingji.core.errors import ValidationFailed
from yingji.resources import catalogue, services
from yingji.resources.models import Capability, CodeStatus, MaterialItem, Team


def test_catalogue_has_four_levels_and_seven_digit_codes(world):
    items = MaterialItem.objects.filter(level=4)
    assert items.count() >= 100
    for m in MaterialItem.objects.select_related("parent"):
        assert len(m.code) == 7 and m.code.isdigit()
        assert m.level == MaterialItem.level_of(m.code)
        if m.level > 1:
            assert m.parent.code == MaterialItem.parent_code(m.code)
    tops = set(MaterialItem.objects.filter(level=1).values_list("code", "name"))
    assert ("1000000", "基本生活保障物资") in tops and ("3000000", "工程材料与机械加工设备") in tops
    # Only the top classes come from the standard's table; the rest is declared local.
    assert set(MaterialItem.objects.filter(code_status=CodeStatus.STANDARD).values_list("level", flat=True)) == {1}
    assert all(i.unit_of_measure for i in items)


def test_seeding_twice_creates_nothing(world):
    before = (Capability.objects.count(), MaterialItem.objects.count())
    assert catalogue.seed_catalogue(world.city) == (0, 0)
    assert (Capability.objects.count(), MaterialItem.objects.count()) == before


def test_pumping_capability_has_a_quantity_unit(world):
    assert Capability.objects.get(code="pumping").quantity_unit == "m³/h"


def test_duplicate_item_code_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create(None, MaterialItem, {"owner_unit": world.city, "code": "1020201", "name": "重复", "level": 4,
                                             "parent": MaterialItem.objects.get(code="1020200"),
                                             "unit_of_measure": "箱"})
    assert "code" in exc.value.details


def test_item_needs_its_parent_class(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create(None, MaterialItem, {"owner_unit": world.city, "code": "1020299", "name": "其他饮用水",
                                             "level": 4, "parent": MaterialItem.objects.get(code="1010100"),
                                             "unit_of_measure": "箱"})
    assert "1020200" in str(exc.value.details["parent"])


def test_unknown_capability_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        services.create(world.staff_a, Team, {"owner_unit": world.town_a, "code": "T1", "name": "长安镇救援队",
                                              "kind": "professional", "specialty": "flood",
                                              "capabilities": {"pumping": "2000", "teleport": None}})
    assert "teleport" in str(exc.value.details["capabilities"])
    assert not Team.objects.exists()


def test_team_capability_with_quantity_is_stored_and_indexed(world):
    team = services.create(world.staff_a, Team, {"owner_unit": world.town_a, "code": "T1", "name": "长安镇救援队",
                                                 "kind": "professional", "specialty": "flood",
                                                 "capabilities": {"pumping": 2000, "water_rescue": None}})
    team.refresh_from_db()
    assert team.capabilities == {"pumping": "2000", "water_rescue": None}
    assert Team.objects.filter(capability_index__contains=",pumping,").get() == team
