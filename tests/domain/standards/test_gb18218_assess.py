"""GB 18218-2018 identification (S = Σ q/Q) and grading (R = α Σ β q/Q), exact at every boundary."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.domain.standards import (
    InvalidHolding,
    InvalidQuantity,
    MissingInput,
    StandardsError,
    UnknownCategory,
    UnknownChemical,
    gb18218,
)

H = gb18218.Holding
D = Decimal


def test_example_from_the_issue():
    h1 = H(chemical=4, tonnes=D("200"))
    h2 = H(chemical="7782-50-5", tonnes=D("3"))
    h3 = H(chemical=65, tonnes=D("200"), symbol="W5.3")
    h4 = H(category="J1", tonnes=D("4"), name="某剧毒气体")
    r = gb18218.assess([h1, h2, h3, h4], offsite_population=60)
    assert r.s == D("11.8") and r.is_major
    assert r.alpha == D("1.5")
    assert r.r == D("39")  # 1.5 × (2×10 + 4×0.6 + 1×0.4 + 4×0.8)
    assert r.grade == 3 and r.grade_label == "三级"
    assert [line.Q for line in r.lines] == [D(20), D(5), D(500), D(5)]
    assert [line.ratio for line in r.lines] == [D(10), D("0.6"), D("0.4"), D("0.8")]
    assert [line.beta for line in r.lines] == [D(2), D(4), D(1), D(4)]
    assert [line.beta_source for line in r.lines] == ["表3", "表3", "表4 W5.3", "表4 J1"]
    assert [line.weighted for line in r.lines] == [D(20), D("2.4"), D("0.4"), D("3.2")]
    assert r.lines[0].holding is h1 and r.lines[3].name == "某剧毒气体"


# --- SOURCES.md worked examples -----------------------------------------------------------------


def test_worked_example_so2_200t_60_people():
    r = gb18218.assess([H(chemical="二氧化硫", tonnes=200)], offsite_population=60)
    assert (r.s, r.alpha, r.r, r.grade) == (D(10), D("1.5"), D(30), 3)


def test_worked_example_chlorine_and_ammonia_120_people():
    r = gb18218.assess([H(chemical="氯", tonnes=30), H(chemical="氨", tonnes=50)], offsite_population=120)
    assert (r.s, r.alpha, r.r, r.grade) == (D(11), D("2.0"), D(68), 2)


def test_worked_example_methanol_and_toluene_not_major():
    r = gb18218.assess([H(chemical="甲醇", tonnes=200), H(chemical="甲苯", tonnes=100)])
    assert r.s == D("0.6") and not r.is_major
    assert r.r is None and r.grade is None and r.grade_label is None
    # Grading is not needed, so the missing hazard symbols are not an error here.
    assert [line.beta for line in r.lines] == [None, None]


@pytest.mark.parametrize("convert", [D, str, float], ids=["Decimal", "str", "float"])
def test_float_trap_sums_to_exactly_one(convert):
    # In IEEE floats 0.072/0.3 + 0.57/0.75 = 0.9999999999999999 and would wrongly be "not major".
    r = gb18218.assess(
        [H(chemical="碳酰氯", tonnes=convert("0.072")), H(chemical="异氰酸甲酯", tonnes=convert("0.57"))],
        offsite_population=0,
    )
    assert r.s == D(1) and r.is_major
    assert r.lines[0].ratio == D("0.24") and r.lines[1].ratio == D("0.76")
    assert r.r == D(10) and r.grade == 3  # 0.5 × 20 × 1 = 10, the inclusive lower bound of 三级


def test_non_terminating_ratios_still_sum_exactly():
    # 0.1/0.3 three times is exactly 1; Decimal division alone would give 0.999…
    r = gb18218.assess([H(chemical=6, tonnes="0.1")] * 3, offsite_population=0)
    assert r.s == D(1) and r.is_major
    assert r.r == D(10) and r.grade == 3


# --- identification boundaries ------------------------------------------------------------------


@pytest.mark.parametrize("chem", gb18218.chemicals(), ids=lambda c: str(c.seq))
def test_holding_exactly_q_is_major_and_just_below_is_not(chem):
    at = gb18218.assess(
        H(chemical=chem.seq, tonnes=chem.critical_quantity, symbol="W2"), offsite_population=0
    )
    assert at.lines[0].ratio == D(1) and at.s == D(1) and at.is_major
    below = chem.critical_quantity - D("0.000001")
    assert not gb18218.assess(H(chemical=chem.seq, tonnes=below)).is_major


@pytest.mark.parametrize("symbol", list(gb18218.categories()))
def test_table2_holding_exactly_q_is_major(symbol):
    q = gb18218.category_quantity(symbol)
    assert gb18218.assess(H(category=symbol, tonnes=q), offsite_population=0).is_major
    assert not gb18218.assess(H(category=symbol, tonnes=q - D("0.001"))).is_major


def test_zero_tonnes_is_allowed_and_contributes_nothing():
    r = gb18218.assess([H(chemical=1, tonnes=0), H(chemical=1, tonnes=10)], offsite_population=0)
    assert r.s == D(1) and r.lines[0].ratio == D(0)


# --- grading boundaries (Table 6, Table 5) -----------------------------------------------------


@pytest.mark.parametrize(
    ("tonnes", "grade"),
    [
        # SO2: β = 2, Q = 20; 100+ people: α = 2 → R = q / 5
        ("500", 1),
        ("499.999", 2),
        ("250", 2),
        ("249.999", 3),
        ("50", 3),
        ("49.999", 4),
        ("20", 4),
        ("100000", 1),
    ],
)
def test_grade_boundaries_are_inclusive_below(tonnes, grade):
    r = gb18218.assess([H(chemical=4, tonnes=tonnes)], offsite_population=100)
    assert r.r == D(tonnes) / 5
    assert r.grade == grade


@pytest.mark.parametrize(
    ("r", "grade"), [("100", 1), ("99.99", 2), ("50", 2), ("49.99", 3), ("10", 3), ("9.99", 4), ("0", 4)]
)
def test_grade_for(r, grade):
    assert gb18218.grade_for(r) == grade


@pytest.mark.parametrize(
    ("people", "alpha"),
    [
        (0, "0.5"),
        (1, "1.0"),
        (29, "1.0"),
        (30, "1.2"),
        (49, "1.2"),
        (50, "1.5"),
        (99, "1.5"),
        (100, "2.0"),
        (10**7, "2.0"),
    ],
)
def test_alpha_bands(people, alpha):
    assert gb18218.alpha_for(people) == D(alpha)
    assert gb18218.assess(H(chemical=4, tonnes=20), offsite_population=people).alpha == D(alpha)


@pytest.mark.parametrize("people", [-1, "-5", D("10.5"), True, "many", None])
def test_bad_population(people):
    with pytest.raises(InvalidQuantity):
        gb18218.alpha_for(people)


def test_negative_population_is_rejected_even_when_not_major():
    with pytest.raises(InvalidQuantity, match="-1"):
        gb18218.assess(H(chemical=4, tonnes=1), offsite_population=-1)


def test_missing_population_only_matters_when_grading():
    assert gb18218.assess(H(chemical=4, tonnes=1)).alpha is None
    with pytest.raises(MissingInput, match="offsite_population"):
        gb18218.assess(H(chemical=4, tonnes=20))


# --- β selection --------------------------------------------------------------------------------


def test_table3_beta_wins_over_a_given_symbol():
    r = gb18218.assess(H(chemical="氯", tonnes=5, symbol="W2"), offsite_population=0)
    assert r.lines[0].beta == D(4) and r.lines[0].beta_source == "表3"


def test_missing_symbol_raises_only_when_the_unit_is_major():
    assert gb18218.assess(H(chemical="甲醇", tonnes=499), offsite_population=10).lines[0].beta is None
    with pytest.raises(MissingInput) as err:
        gb18218.assess([H(chemical="甲醇", tonnes=500)], offsite_population=10)
    assert "甲醇" in str(err.value) and "symbol" in str(err.value)


def test_missing_symbol_names_every_offending_holding():
    with pytest.raises(MissingInput, match="甲醇.*甲苯"):
        gb18218.assess([H(chemical="甲醇", tonnes=500), H(chemical="甲苯", tonnes=1)], offsite_population=1)


def test_table2_holding_named_as_a_table3_gas_takes_table3_beta():
    r = gb18218.assess(H(category="W2", tonnes=10, name="一氧化碳"), offsite_population=1)
    assert r.lines[0].beta == D(2) and r.lines[0].beta_source == "表3"


def test_several_hazards_take_the_lowest_q():
    h = H(category=["J3", "W2"], tonnes=10, name="某易燃有毒气体")
    assert h.critical_quantity == D(10)
    assert H(category="J3, W2", tonnes=1).critical_quantity == D(10)
    assert H(category="J3、W2", tonnes=1).critical_quantity == D(10)


def test_several_hazards_beta_rule_is_configurable():
    h = H(category=["J3", "W2"], tonnes=10)  # J3: Q 50 β 2; W2: Q 10 β 1.5
    assert gb18218.assess(h, offsite_population=1).lines[0].beta == D(2)
    lowest_q = gb18218.assess(h, offsite_population=1, multi_symbol_beta="lowest_q").lines[0]
    assert lowest_q.beta == D("1.5") and lowest_q.beta_source == "表4 W2"
    with pytest.raises(InvalidHolding, match="beta"):
        gb18218.assess(h, offsite_population=1, multi_symbol_beta="mean")


# --- holding validation -------------------------------------------------------------------------


def test_holding_normalises_tonnes_to_decimal():
    assert H(chemical=1, tonnes="１２.５").tonnes == D("12.5")
    assert H(chemical=1, tonnes=0.1).tonnes == D("0.1")
    assert H(chemical=1, tonnes=3).tonnes == D(3)
    assert H(1, 3).tonnes == D(3)


@pytest.mark.parametrize(
    "tonnes", [-1, "-0.001", D("-5"), "abc", "", None, True, False, float("nan"), "Infinity", [1]]
)
def test_bad_tonnes(tonnes):
    with pytest.raises(InvalidQuantity) as err:
        H(chemical=1, tonnes=tonnes)
    assert "tonnes" in str(err.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tonnes": 1},
        {"chemical": 1, "category": "J1", "tonnes": 1},
        {"category": "J1", "symbol": "W2", "tonnes": 1},
        {"category": [], "tonnes": 1},
        {"category": 5, "tonnes": 1},
        {"category": "J1", "tonnes": 1, "name": "液氯"},
        {"category": "W5.3", "tonnes": 1, "name": "硝酸铵"},
    ],
)
def test_inconsistent_holdings(kwargs):
    with pytest.raises(InvalidHolding):
        H(**kwargs)


def test_unknown_chemical_and_category_in_holdings():
    with pytest.raises(UnknownChemical, match="您是否指"):
        H(chemical="氯汽", tonnes=1)
    with pytest.raises(UnknownCategory):
        H(category="J9", tonnes=1)
    with pytest.raises(UnknownCategory):
        H(chemical=65, tonnes=1, symbol="W5")


@pytest.mark.parametrize("holdings", [[], (), ["氯"], [None]])
def test_bad_holding_lists(holdings):
    with pytest.raises(InvalidHolding):
        gb18218.assess(holdings)


def test_every_error_is_a_standards_error():
    for exc in (InvalidHolding, InvalidQuantity, MissingInput, UnknownCategory, UnknownChemical):
        assert issubclass(exc, StandardsError) and issubclass(exc, ValueError)


# --- properties ---------------------------------------------------------------------------------

TONNES = st.decimals(min_value=0, max_value=100000, places=3, allow_nan=False, allow_infinity=False)
GRADABLE = st.one_of(
    st.sampled_from([c.seq for c in gb18218.chemicals()]).map(lambda s: {"chemical": s, "symbol": "W2"}),
    st.sampled_from(list(gb18218.categories())).map(lambda s: {"category": s}),
)


@given(
    st.lists(st.tuples(GRADABLE, TONNES), min_size=1, max_size=6),
    st.data(),
    TONNES,
    st.integers(min_value=0, max_value=500),
)
def test_more_tonnes_never_lowers_s_or_r(items, data, extra, people):
    holdings = [H(tonnes=t, **kw) for kw, t in items]
    i = data.draw(st.integers(min_value=0, max_value=len(holdings) - 1))
    more = list(holdings)
    kw, t = items[i]
    more[i] = H(tonnes=t + extra, **kw)
    before = gb18218.assess(holdings, offsite_population=people)
    after = gb18218.assess(more, offsite_population=people)
    assert after.s >= before.s
    assert after.is_major or not before.is_major
    if before.is_major:
        assert after.r >= before.r
        assert after.grade <= before.grade  # 1 is the most severe


@given(st.lists(st.tuples(GRADABLE, TONNES), min_size=1, max_size=6), st.integers(min_value=0, max_value=500))
def test_s_is_the_sum_of_the_lines_and_r_follows_its_formula(items, people):
    r = gb18218.assess([H(tonnes=t, **kw) for kw, t in items], offsite_population=people)
    exact = sum((Fraction(line.q) / Fraction(line.Q) for line in r.lines), Fraction(0))
    # The Decimal shown is rounded only when some q/Q does not terminate (Q = 0.3, 0.75, 75, 150).
    assert abs(Fraction(r.s) - exact) <= Fraction(1, 10**20) * max(1, exact)
    assert r.is_major == (exact >= 1)
    if r.is_major:
        weighted = sum(
            (Fraction(line.beta) * Fraction(line.q) / Fraction(line.Q) for line in r.lines), Fraction(0)
        )
        r_exact = Fraction(r.alpha) * weighted
        assert abs(Fraction(r.r) - r_exact) <= Fraction(1, 10**20) * max(1, r_exact)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_more_offsite_people_never_lowers_alpha(a, b):
    low, high = sorted((a, b))
    assert gb18218.alpha_for(low) <= gb18218.alpha_for(high)


def test_holdings_are_hashable_and_compare_by_value():
    a = H(category=["J3", "W2"], tonnes="10")
    b = H(category=("J3", "W2"), tonnes=D("10.0"))
    assert a == b and hash(a) == hash(b)
    assert H(category="W2, w2", tonnes=1).symbols == (gb18218.find_category("W2"),)


def test_holding_name_must_be_text():
    with pytest.raises(InvalidHolding):
        H(category="J1", tonnes=1, name=5)
