"""Peak relief demand from Sphere Handbook minimum standards: water, covered space, tents, toilets, food.

Water and food are totals over ``days``; shelter and toilets are standing needs (not per day).
Every rate is a parameter whose default is the Sphere figure.
"""

import math
from decimal import Decimal
from fractions import Fraction

from ._data import load_table
from ._numbers import exact_decimal, to_count, to_decimal, to_fraction
from .errors import InvalidQuantity

__all__ = [
    "demand",
    "WATER_L_PER_PERSON_DAY",
    "WATER_SURVIVAL_L_PER_PERSON_DAY",
    "COVERED_M2_PER_PERSON",
    "PEOPLE_PER_TOILET_INITIAL",
    "PEOPLE_PER_TOILET_MEDIUM",
    "KCAL_PER_PERSON_DAY",
]


def _indicator(key: str) -> object:
    """The value of one indicator row of sphere.json (the Sphere Handbook figures, with their sources)."""
    return next(row["value"] for row in load_table("sphere")["indicators"] if row["key"] == key)


WATER_L_PER_PERSON_DAY = Decimal(str(_indicator("water_lpd")))  # water supply standard 1
# Lower end of the 7.5–15 L survival breakdown (drinking + hygiene + cooking).
WATER_SURVIVAL_L_PER_PERSON_DAY = Decimal(_indicator("water_survival_breakdown")["total"].split("–")[0])
COVERED_M2_PER_PERSON = Decimal(str(_indicator("covered_living_space")))  # shelter standard 3
PEOPLE_PER_TOILET_INITIAL = int(_indicator("toilets_initial"))  # first phase of a rapid-onset crisis
PEOPLE_PER_TOILET_MEDIUM = int(_indicator("toilets_medium_term"))  # medium term
KCAL_PER_PERSON_DAY = Decimal(str(_indicator("energy_kcal")))  # food security standard 1


def _rate(value: object, zh: str, en: str) -> Fraction:
    number = to_decimal(value, zh, en)
    if number == 0:
        raise InvalidQuantity(f"{zh}必须大于 0：{value!r}（{en} must be positive）")
    return to_fraction(number)


def demand(
    people: int,
    days: int = 1,
    tent_area_m2: Decimal | None = None,
    *,
    water_l_per_person_day: object = WATER_L_PER_PERSON_DAY,
    water_survival_l_per_person_day: object = WATER_SURVIVAL_L_PER_PERSON_DAY,
    covered_m2_per_person: object = COVERED_M2_PER_PERSON,
    people_per_toilet_initial: object = PEOPLE_PER_TOILET_INITIAL,
    people_per_toilet_medium: object = PEOPLE_PER_TOILET_MEDIUM,
    kcal_per_person_day: object = KCAL_PER_PERSON_DAY,
) -> dict[str, Decimal | int | None]:
    """Needs of ``people`` over ``days``. ``tents`` is None when no ``tent_area_m2`` is given.

    Keys: water_l, water_survival_floor_l, kcal (totals, Decimal); covered_area_m2 (Decimal);
    tents, toilets_initial, toilets_medium (whole units rounded up, int).
    """
    n = Fraction(to_count(people, "人数", "people"))
    d = Fraction(to_count(days, "天数", "days"))
    area = n * _rate(covered_m2_per_person, "人均遮蔽面积", "covered_m2_per_person")
    tents = None  # math.ceil on a Fraction is exact
    if tent_area_m2 is not None:
        tents = math.ceil(area / _rate(tent_area_m2, "单顶帐篷面积", "tent_area_m2"))
    per_toilet_initial = _rate(people_per_toilet_initial, "每厕位人数（初期）", "people_per_toilet_initial")
    per_toilet_medium = _rate(people_per_toilet_medium, "每厕位人数（中期）", "people_per_toilet_medium")
    return {
        "water_l": exact_decimal(
            n * d * _rate(water_l_per_person_day, "人均日供水", "water_l_per_person_day")
        ),
        "water_survival_floor_l": exact_decimal(
            n
            * d
            * _rate(water_survival_l_per_person_day, "人均日最低水量", "water_survival_l_per_person_day")
        ),
        "covered_area_m2": exact_decimal(area),
        "tents": tents,
        "toilets_initial": math.ceil(n / per_toilet_initial),
        "toilets_medium": math.ceil(n / per_toilet_medium),
        "kcal": exact_decimal(n * d * _rate(kcal_per_person_day, "人均日热量", "kcal_per_person_day")),
    }
