"""LEC (D = L×E×C, five bands) and the 5×5 risk matrix, on every reachable value."""

from decimal import Decimal
from itertools import product

import pytest

from yingji.domain.standards import InvalidFactor, InvalidQuantity, StandardsError, lec, risk_matrix

D = Decimal


def test_lec_example_from_the_issue():
    r = lec.assess(D("3"), D("6"), D("15"))
    assert r.d == D(270) and r.band == 2 and r.label == "高度危险，要立即整改"
    assert (r.l, r.e, r.c) == (D(3), D(6), D(15))


def _expected_band(d):
    if d > 320:
        return 1
    if d > 160:
        return 2
    if d > 70:
        return 3
    if d > 20:
        return 4
    return 5


@pytest.mark.parametrize("lv,ev,cv", list(product(*(lec.allowed_values(f) for f in "LEC"))))
def test_lec_every_combination(lv, ev, cv):
    r = lec.assess(lv, ev, cv)
    assert r.d == lv * ev * cv
    assert r.band == _expected_band(r.d)


@pytest.mark.parametrize(
    ("d", "upper", "lower"),
    [
        ("320.0001", 1, 1),
        ("320", 2, 1),
        ("319.9999", 2, 2),
        ("160.0001", 2, 2),
        ("160", 3, 2),
        ("159.9999", 3, 3),
        ("70.0001", 3, 3),
        ("70", 4, 3),
        ("69.9999", 4, 4),
        ("20.0001", 4, 4),
        ("20", 5, 4),
        ("19.9999", 5, 5),
        ("0", 5, 5),
    ],
)
def test_lec_band_edges_under_both_conventions(d, upper, lower):
    assert lec.band_for(d) == upper
    assert lec.band_for(d, "upper_inclusive") == upper
    assert lec.band_for(d, "lower_inclusive") == lower


def test_lec_reachable_edges():
    assert lec.assess(1, 10, 7).band == 4  # D = 70
    assert lec.assess(1, 10, 7, boundary="lower_inclusive").band == 3
    assert lec.assess(10, 2, 1).band == 5  # D = 20
    assert lec.assess(10, 2, 1, boundary="lower_inclusive").band == 4
    assert lec.assess(10, 10, 100).band == 1
    assert lec.assess("0.1", "0.5", "1").d == D("0.05")


def test_lec_accepts_str_float_and_trailing_zeros():
    assert lec.assess("3", 6.0, "15.00").d == D(270)
    assert lec.assess(0.5, 0.5, 1).d == D("0.25")


@pytest.mark.parametrize(
    "args", [(4, 6, 15), (3, 5, 15), (3, 6, 16), (0, 6, 15), (-3, 6, 15), (3, 6, 1000), (0.3, 6, 15)]
)
def test_lec_values_not_in_the_tables(args):
    with pytest.raises(InvalidFactor) as err:
        lec.assess(*args)
    assert "不在表中" in str(err.value)


@pytest.mark.parametrize("args", [("x", 6, 15), (True, 6, 15), (None, 6, 15), (3, float("nan"), 15)])
def test_lec_non_numbers(args):
    with pytest.raises(StandardsError):
        lec.assess(*args)


def test_lec_unknown_boundary_convention():
    with pytest.raises(InvalidFactor):
        lec.band_for(70, "both")


def test_lec_negative_d():
    with pytest.raises(InvalidQuantity):
        lec.band_for(-1)


# --- risk matrix --------------------------------------------------------------------------------


def test_risk_matrix_example_from_the_issue():
    r = risk_matrix.assess(likelihood=4, severity=5)
    assert r.r == 20 and r.level == 1 and r.label == "重大风险"
    assert r.colour == "red" and r.colour_zh == "红色"


def _expected_level(r):
    if r >= 20:
        return 1
    if r >= 15:
        return 2
    if r >= 9:
        return 3
    return 4


@pytest.mark.parametrize("lv,sv", list(product(range(1, 6), repeat=2)))
def test_risk_matrix_every_cell(lv, sv):
    r = risk_matrix.assess(lv, sv)
    assert r.r == lv * sv and r.level == _expected_level(r.r)
    assert r.label == {1: "重大风险", 2: "较大风险", 3: "一般风险", 4: "低风险"}[r.level]


@pytest.mark.parametrize(
    ("lv", "sv", "level"), [(4, 5, 1), (4, 4, 2), (3, 5, 2), (3, 4, 3), (3, 3, 3), (2, 4, 4)]
)
def test_risk_matrix_edges(lv, sv, level):
    assert risk_matrix.assess(lv, sv).level == level


def test_risk_matrix_alternative_banding():
    alt = risk_matrix.ALTERNATIVE_BANDS
    assert [
        risk_matrix.assess(a, b, bands=alt).level for a, b in [(5, 4), (4, 4), (2, 5), (3, 3), (2, 2), (1, 3)]
    ] == [
        1,
        2,
        2,
        3,
        3,
        4,
    ]


@pytest.mark.parametrize(
    "args", [(0, 3), (6, 3), (3, 0), (3, 6), (2.5, 3), ("x", 3), (True, 3), (None, 3), (-1, 3)]
)
def test_risk_matrix_bad_scores(args):
    with pytest.raises(InvalidFactor):
        risk_matrix.assess(*args)


def test_risk_matrix_accepts_integral_strings_and_decimals():
    assert risk_matrix.assess("4", D("5")).r == 20
