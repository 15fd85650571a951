"""Due-date arithmetic (month-end clamping, drill/review rules) and Sphere demand estimates."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.domain.standards import InvalidDate, InvalidQuantity, UnknownRule, schedule, sphere


@pytest.mark.parametrize(
    ("last", "months", "due"),
    [
        (date(2024, 8, 31), 6, date(2025, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 5, 15), 6, date(2024, 11, 15)),
        (date(2024, 12, 31), 1, date(2025, 1, 31)),
        (date(2024, 7, 1), 6, date(2025, 1, 1)),
        (date(2024, 1, 1), 36, date(2027, 1, 1)),
    ],
)
def test_next_due_clamps_to_month_end(last, months, due):
    assert schedule.next_due(last_done=last, interval_months=months) == due


def test_next_due_accepts_datetime_and_returns_a_date():
    assert schedule.next_due(datetime(2024, 8, 31, 23, 59), 6) == date(2025, 2, 28)


@pytest.mark.parametrize("months", [0, -1, 1.5, "x", True, None])
def test_next_due_bad_interval(months):
    with pytest.raises(InvalidQuantity):
        schedule.next_due(date(2024, 1, 1), months)


@pytest.mark.parametrize("last", ["2024-01-01", None, 20240101])
def test_next_due_bad_date(last):
    with pytest.raises(InvalidDate):
        schedule.next_due(last, 6)


def test_next_due_out_of_range():
    with pytest.raises(InvalidDate):
        schedule.next_due(date(9999, 12, 1), 1)


@given(
    st.dates(min_value=date(1900, 1, 1), max_value=date(2500, 12, 31)),
    st.integers(min_value=1, max_value=600),
)
def test_next_due_properties(last, months):
    due = schedule.next_due(last, months)
    assert (due.year * 12 + due.month) - (last.year * 12 + last.month) == months
    assert due.day <= last.day
    assert (
        due.day == last.day or (due + (date(2000, 1, 2) - date(2000, 1, 1))).day == 1
    )  # clamped to month end


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        ("comprehensive", date(2025, 1, 31)),
        ("综合", date(2025, 1, 31)),
        ("special", date(2025, 1, 31)),
        ("onsite", date(2024, 7, 31)),
        ("现场处置方案", date(2024, 7, 31)),
        ("high_risk", date(2024, 7, 31)),
        ("government", date(2026, 1, 31)),
        ("government_special", date(2027, 1, 31)),
        ("部门", date(2027, 1, 31)),
    ],
)
def test_drill_due(rule, due):
    assert schedule.drill_due(date(2024, 1, 31), rule) == due


def test_drill_due_default_is_the_yearly_enterprise_drill():
    assert schedule.drill_due(date(2024, 2, 29)) == date(2025, 2, 28)


def test_plan_review_due():
    assert schedule.plan_review_due(date(2024, 2, 29)) == date(2027, 2, 28)
    assert schedule.plan_review_due(date(2024, 2, 29), "government") == date(2027, 2, 28)


@pytest.mark.parametrize("rule", ["weekly", "", None, 12, ["onsite"]])
def test_unknown_schedule_rules(rule):
    with pytest.raises(UnknownRule):
        schedule.drill_due(date(2024, 1, 1), rule)
    with pytest.raises(UnknownRule):
        schedule.plan_review_due(date(2024, 1, 1), rule)


def test_is_overdue_only_after_the_due_day():
    due = date(2025, 2, 28)
    assert not schedule.is_overdue(due, date(2025, 2, 27))
    assert not schedule.is_overdue(due, due)
    assert schedule.is_overdue(due, date(2025, 3, 1))
    with pytest.raises(InvalidDate):
        schedule.is_overdue(due, "2025-03-01")


# --- Sphere -------------------------------------------------------------------------------------


def test_sphere_example_from_the_issue():
    d = sphere.demand(people=10000, days=3, tent_area_m2=Decimal("12"))
    assert d == {
        "water_l": Decimal(450000),
        "water_survival_floor_l": Decimal(225000),
        "covered_area_m2": Decimal(35000),
        "tents": 2917,  # ceil(35000 / 12)
        "toilets_initial": 200,
        "toilets_medium": 500,
        "kcal": Decimal(63000000),
    }


@pytest.mark.parametrize(
    ("people", "initial", "medium"),
    [(0, 0, 0), (1, 1, 1), (20, 1, 1), (21, 1, 2), (50, 1, 3), (51, 2, 3), (100, 2, 5), (101, 3, 6)],
)
def test_sphere_toilets_round_up(people, initial, medium):
    d = sphere.demand(people)
    assert (d["toilets_initial"], d["toilets_medium"]) == (initial, medium)
    assert d["tents"] is None


@pytest.mark.parametrize(
    ("people", "area", "tents"), [(24, "12", 7), (12, "42", 1), (24, "42", 2), (1, "3.5", 1), (2, "3.5", 2)]
)
def test_sphere_tents_are_a_ceiling(people, area, tents):
    assert sphere.demand(people, 1, Decimal(area))["tents"] == tents


def test_sphere_totals_scale_with_days_and_rates_are_configurable():
    one = sphere.demand(7, 1)
    assert one["water_survival_floor_l"] == Decimal("52.5")
    assert sphere.demand(7, 10)["water_l"] == one["water_l"] * 10 == Decimal(1050)
    cold = sphere.demand(10, 1, 12, covered_m2_per_person="5.5", people_per_toilet_initial=25)
    assert cold["covered_area_m2"] == Decimal(55) and cold["tents"] == 5 and cold["toilets_initial"] == 1


@pytest.mark.parametrize(
    "kwargs",
    [
        {"people": -1},
        {"people": 10.5},
        {"people": True},
        {"people": 10, "days": -1},
        {"people": 10, "tent_area_m2": 0},
        {"people": 10, "tent_area_m2": "-12"},
        {"people": 10, "water_l_per_person_day": 0},
        {"people": "x"},
    ],
)
def test_sphere_bad_input(kwargs):
    with pytest.raises(InvalidQuantity):
        sphere.demand(**kwargs)
