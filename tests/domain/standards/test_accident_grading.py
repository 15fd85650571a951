"""国务院令第493号 art. 3 accident levels: 以上 includes, 以下 excludes; the worst criterion decides."""

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.domain.standards import InvalidQuantity, StandardsError, accidents

LABELS = {1: "特别重大事故", 2: "重大事故", 3: "较大事故", 4: "一般事故"}


def test_example_from_the_issue():
    g = accidents.grade(deaths=2, serious_injuries=12, direct_loss_wan_yuan=Decimal("800"))
    assert g.level == 3 and g.label == "较大事故"
    assert g.deciding == ("serious_injuries",)
    assert g.criterion_levels == {"deaths": 4, "serious_injuries": 3, "direct_loss_wan_yuan": 4}
    d = g.report_deadlines
    assert d.unit_report == timedelta(hours=1)
    assert d.escalation_per_level == timedelta(hours=2)
    assert "省级" in d.escalate_to
    assert d.casualty_update_window == timedelta(days=30)
    assert d.investigation_report == timedelta(days=60)
    assert d.approval == timedelta(days=15) and d.approval_extension_max is None


@pytest.mark.parametrize(
    ("key", "value", "level"),
    [
        ("deaths", 0, 4),
        ("deaths", 2, 4),
        ("deaths", 3, 3),
        ("deaths", 9, 3),
        ("deaths", 10, 2),
        ("deaths", 29, 2),
        ("deaths", 30, 1),
        ("deaths", 1000, 1),
        ("serious_injuries", 9, 4),
        ("serious_injuries", 10, 3),
        ("serious_injuries", 49, 3),
        ("serious_injuries", 50, 2),
        ("serious_injuries", 99, 2),
        ("serious_injuries", 100, 1),
        ("direct_loss_wan_yuan", Decimal("999.99"), 4),
        ("direct_loss_wan_yuan", 1000, 3),
        ("direct_loss_wan_yuan", Decimal("4999.9999"), 3),
        ("direct_loss_wan_yuan", 5000, 2),
        ("direct_loss_wan_yuan", Decimal("9999.99"), 2),
        ("direct_loss_wan_yuan", 10000, 1),  # 1亿元
        ("direct_loss_wan_yuan", "0", 4),
    ],
)
def test_each_threshold_on_both_sides(key, value, level):
    g = accidents.grade(**{key: value})
    assert g.level == level and g.label == LABELS[level]
    assert key in g.deciding


def test_the_most_severe_criterion_wins_and_ties_are_all_reported():
    g = accidents.grade(deaths=30, serious_injuries=0, direct_loss_wan_yuan=0)
    assert g.level == 1 and g.deciding == ("deaths",)
    g = accidents.grade(deaths=3, serious_injuries=10, direct_loss_wan_yuan=1000)
    assert g.level == 3 and g.deciding == accidents.CRITERIA
    g = accidents.grade(deaths=0, serious_injuries=0, direct_loss_wan_yuan=5000)
    assert g.level == 2 and g.deciding == ("direct_loss_wan_yuan",)


def test_defaults_are_zero_and_positional_arguments_work():
    assert accidents.grade().level == 4
    assert accidents.grade().deciding == accidents.CRITERIA
    assert accidents.grade(10, 0, 0).level == 2


def test_deadlines_by_level():
    most = accidents.grade(deaths=30).report_deadlines
    assert most.approval == timedelta(days=30) and most.approval_extension_max == timedelta(days=30)
    assert "国务院" in most.escalate_to and "国务院" in most.investigated_by
    assert "国务院" in accidents.grade(deaths=10).report_deadlines.escalate_to
    assert "省级" in accidents.grade(deaths=10).report_deadlines.investigated_by
    general = accidents.grade(deaths=1).report_deadlines
    assert "设区的市" in general.escalate_to and "县级" in general.investigated_by
    assert general.approval == timedelta(days=15)


def test_road_traffic_and_fire_have_a_7_day_casualty_window():
    g = accidents.grade(deaths=1, road_traffic_or_fire=True)
    assert g.report_deadlines.casualty_update_window == timedelta(days=7)


def test_missing_persons_are_counted_only_when_asked():
    assert accidents.grade(deaths=2, missing=1).level == 4
    assert accidents.grade(deaths=2, missing=1, count_missing_as_deaths=True).level == 3


def test_float_and_string_inputs_are_exact():
    assert accidents.grade(direct_loss_wan_yuan=999.99).level == 4
    assert accidents.grade(direct_loss_wan_yuan=1000.0).level == 3
    assert accidents.grade(deaths="3").level == 3
    assert accidents.grade(deaths=3.0).level == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"deaths": -1},
        {"serious_injuries": -1},
        {"direct_loss_wan_yuan": "-0.01"},
        {"deaths": 2.5},
        {"deaths": Decimal("2.5")},
        {"deaths": True},
        {"deaths": "三"},
        {"deaths": None},
        {"serious_injuries": float("inf")},
        {"missing": -1},
    ],
)
def test_bad_input(kwargs):
    with pytest.raises(InvalidQuantity) as err:
        accidents.grade(**kwargs)
    assert isinstance(err.value, StandardsError)
    assert next(iter(kwargs)) in str(err.value)


COUNTS = st.integers(min_value=0, max_value=500)
LOSS = st.decimals(min_value=0, max_value=50000, places=2, allow_nan=False, allow_infinity=False)


@given(COUNTS, COUNTS, LOSS, COUNTS, COUNTS, LOSS)
def test_more_harm_never_lowers_the_level(d, i, loss, dd, di, dloss):
    before = accidents.grade(deaths=d, serious_injuries=i, direct_loss_wan_yuan=loss)
    after = accidents.grade(deaths=d + dd, serious_injuries=i + di, direct_loss_wan_yuan=loss + dloss)
    assert after.level <= before.level  # 1 is the most severe


@given(COUNTS, COUNTS, LOSS)
def test_level_is_the_worst_single_criterion(d, i, loss):
    g = accidents.grade(deaths=d, serious_injuries=i, direct_loss_wan_yuan=loss)
    singles = [
        accidents.grade(deaths=d).level,
        accidents.grade(serious_injuries=i).level,
        accidents.grade(direct_loss_wan_yuan=loss).level,
    ]
    assert g.level == min(singles)
    assert g.deciding and all(g.criterion_levels[k] == g.level for k in g.deciding)
