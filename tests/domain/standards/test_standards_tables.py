"""The shipped reference tables load, keep their provenance and are internally consistent."""

import json
from decimal import Decimal
from importlib import resources
from itertools import product

import pytest

from yingji.domain.standards import gb18218, lec, risk_matrix, schedule
from yingji.domain.standards._data import load_table

DATA_FILES = sorted(
    p.name
    for p in resources.files("yingji.domain.standards").joinpath("data").iterdir()
    if p.name.endswith(".json")
)


def test_all_expected_tables_are_shipped():
    expected = {
        "accident_grading.json",
        "alpha.json",
        "emergency_plan_structure.json",
        "gb18218_beta.json",
        "gb18218_categories.json",
        "gb18218_chemicals.json",
        "gb18218_grades.json",
        "gb18218_lookup_extras.json",
        "lec.json",
        "risk_matrix.json",
        "rainstorm_signals.json",
        "sphere.json",
        "warning_levels.json",
        "weather_signals.json",
    }
    assert expected <= set(DATA_FILES)


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_table_is_valid_json_and_keeps_its_provenance(name):
    text = resources.files("yingji.domain.standards").joinpath("data", name).read_text(encoding="utf-8")
    table = json.loads(text)
    # Every table says where it comes from and how sure we are (somewhere in its text).
    assert any(k in text for k in ('"cited"', '"source', '"standard"', '"normative_status"')), name
    assert any(k in text for k in ("verification", "status")), name
    assert isinstance(table, dict)


# --- GB 18218 Table 1 ---------------------------------------------------------------------------


def test_table1_has_85_rows_in_sequence():
    rows = gb18218.chemicals()
    assert len(rows) == 85
    assert [c.seq for c in rows] == list(range(1, 86))
    assert all(c.critical_quantity > 0 for c in rows)


def test_every_cas_number_has_a_valid_check_digit():
    for chem in gb18218.chemicals():
        for cas in chem.cas:
            assert gb18218.cas_is_valid(cas), (chem.seq, cas)


def test_rows_without_cas_are_exactly_those_the_standard_leaves_blank():
    assert [c.seq for c in gb18218.chemicals() if not c.cas] == [13, 45, 74]


@pytest.mark.parametrize(
    ("cas", "valid"),
    [
        ("7664-41-7", True),
        ("7782-50-5", True),
        ("7782-50-4", False),
        ("50-00-0", True),
        ("1-00-0", False),
        ("abc", False),
    ],
)
def test_cas_check_digit(cas, valid):
    assert gb18218.cas_is_valid(cas) is valid


# Sample from SOURCES.md §1 (seq → CAS, Q).
SOURCES_SAMPLE = {
    1: ("7664-41-7", "10"),
    2: ("7783-41-7", "1"),
    3: ("10102-44-0", "1"),
    4: ("7446-09-5", "20"),
    5: ("7782-41-4", "1"),
    6: ("75-44-5", "0.3"),
    7: ("75-21-8", "10"),
    8: ("50-00-0", "5"),
    9: ("7803-51-2", "1"),
    10: ("7783-06-4", "5"),
    11: ("7647-01-0", "20"),
    12: ("7782-50-5", "5"),
    13: (None, "20"),
    17: ("74-83-9", "10"),
    20: ("7664-39-3", "1"),
    23: ("26471-62-5", "100"),
    25: ("74-90-8", "1"),
    26: ("7446-11-9", "75"),
    30: ("624-83-9", "0.75"),
    35: ("118-96-7", "5"),
    43: ("6484-52-2", "5"),
    44: ("6484-52-2", "50"),
    45: (None, "200"),
    46: ("7757-79-1", "1000"),
    47: ("106-99-0", "5"),
    49: ("74-82-8", "50"),
    50: ("75-01-4", "50"),
    51: ("1333-74-0", "5"),
    52: ("68476-85-7", "50"),
    54: ("74-86-2", "1"),
    55: ("74-85-1", "50"),
    56: ("7782-44-7", "200"),
    57: ("71-43-2", "50"),
    64: ("108-88-3", "500"),
    65: ("67-56-1", "500"),
    66: ("86290-81-5", "200"),
    67: ("64-17-5", "500"),
    68: ("60-29-7", "10"),
    81: ("7697-37-2", "100"),
    83: ("75-20-7", "100"),
    85: ("7440-23-5", "10"),
}


@pytest.mark.parametrize(("seq", "expected"), sorted(SOURCES_SAMPLE.items()))
def test_table1_matches_the_sources_sample(seq, expected):
    cas, q = expected
    chem = gb18218.chemicals()[seq - 1]
    assert chem.critical_quantity == Decimal(q)
    assert (cas is None and not chem.cas) or chem.cas[0] == cas


def test_row_2_is_oxygen_difluoride_not_nitrogen_dioxide():
    # A widely copied OCR table gets this wrong (SOURCES.md caveat).
    assert gb18218.chemicals()[1].name == "二氟化氧"
    assert gb18218.chemicals()[2].cas == ("10102-44-0",)


def test_lookup_extras_only_repeat_text_of_their_own_row():
    for row in load_table("gb18218_lookup_extras")["rows"]:
        raw = next(r for r in load_table("gb18218_chemicals")["rows"] if r["seq"] == row["seq"])
        text = json.dumps(raw, ensure_ascii=False)
        for name in row["names_zh"]:
            assert name in text, (row["seq"], name)


# --- Tables 2–6 ---------------------------------------------------------------------------------

TABLE2 = {
    "J1": ("5", "4"),
    "J2": ("50", "1"),
    "J3": ("50", "2"),
    "J4": ("50", "2"),
    "J5": ("500", "1"),
    "W1.1": ("1", "2"),
    "W1.2": ("10", "2"),
    "W1.3": ("50", "2"),
    "W2": ("10", "1.5"),
    "W3": ("150", "1"),
    "W4": ("50", "1"),
    "W5.1": ("10", "1.5"),
    "W5.2": ("50", "1"),
    "W5.3": ("1000", "1"),
    "W5.4": ("5000", "1"),
    "W6.1": ("10", "1.5"),
    "W6.2": ("50", "1"),
    "W7.1": ("10", "1.5"),
    "W7.2": ("50", "1"),
    "W8": ("50", "1"),
    "W9.1": ("50", "1"),
    "W9.2": ("200", "1"),
    "W10": ("200", "1"),
    "W11": ("200", "1"),
}


def test_tables_2_and_4_match_sources():
    cats = gb18218.categories()
    assert list(cats) == list(TABLE2)
    for symbol, (q, beta) in TABLE2.items():
        assert cats[symbol].critical_quantity == Decimal(q)
        assert cats[symbol].beta == Decimal(beta)


def test_table4_in_beta_file_agrees_with_categories_file():
    table4 = {r["symbol"]: Decimal(r["beta"]) for r in load_table("gb18218_beta")["table4_by_symbol"]}
    assert table4 == {s: c.beta for s, c in gb18218.categories().items()}


TABLE3 = {
    "一氧化碳": "2",
    "二氧化硫": "2",
    "氨": "2",
    "环氧乙烷": "2",
    "氯化氢": "3",
    "溴甲烷": "3",
    "氯": "4",
    "硫化氢": "5",
    "氟化氢": "5",
    "二氧化氮": "10",
    "氰化氢": "10",
    "碳酰氯": "20",
    "磷化氢": "20",
    "异氰酸甲酯": "20",
}


def test_table3_matches_sources_and_links_to_table1():
    gases = gb18218.toxic_gases()
    assert {g.name: g.beta for g in gases} == {k: Decimal(v) for k, v in TABLE3.items()}
    rows = gb18218.chemicals()
    for gas in gases:
        if gas.table1_seq is None:
            assert gas.name == "一氧化碳"
            continue
        chem = rows[gas.table1_seq - 1]
        assert chem.cas == gas.cas
        assert chem.name.startswith(gas.name)
        assert chem.beta == gas.beta
    assert sum(c.beta is not None for c in rows) == 13


def test_table5_bands_are_contiguous_from_zero():
    bands = sorted(load_table("alpha")["bands"], key=lambda b: b["population_min"])
    assert bands[0]["population_min"] == 0
    for low, high in zip(bands, bands[1:], strict=False):
        assert high["population_min"] == low["population_max"] + 1
    assert bands[-1]["population_max"] is None
    assert [Decimal(b["alpha"]) for b in bands] == [Decimal(x) for x in ("0.5", "1.0", "1.2", "1.5", "2.0")]


def test_table6_grade_bounds_are_contiguous():
    grades = load_table("gb18218_grades")["grades"]
    assert [g["grade"] for g in grades] == [1, 2, 3, 4]
    assert grades[0]["r_max_exclusive"] is None and grades[-1]["r_min_inclusive"] is None
    for upper, lower in zip(grades, grades[1:], strict=False):
        assert lower["r_max_exclusive"] == upper["r_min_inclusive"]


def test_accident_criteria_are_contiguous():
    levels = load_table("accident_grading")["levels"]
    for key in (
        "deaths",
        "serious_injuries_incl_acute_industrial_poisoning",
        "direct_economic_loss_wan_yuan",
    ):
        assert levels[-1][key]["min_inclusive"] == 0
        assert levels[0][key]["max_exclusive"] is None
        for upper, lower in zip(levels, levels[1:], strict=False):
            assert lower[key]["max_exclusive"] == upper[key]["min_inclusive"]


# --- LEC and risk matrix ------------------------------------------------------------------------


def test_lec_tables():
    assert lec.allowed_values("L") == tuple(Decimal(x) for x in ("10", "6", "3", "1", "0.5", "0.2", "0.1"))
    assert lec.allowed_values("E") == tuple(Decimal(x) for x in ("10", "6", "3", "2", "1", "0.5"))
    assert lec.allowed_values("C") == tuple(Decimal(x) for x in ("100", "40", "15", "7", "3", "1"))
    bands = load_table("lec")["D_bands"]
    assert [b["band"] for b in bands] == [1, 2, 3, 4, 5]
    # Edges strictly decreasing: the bands are contiguous and do not overlap.
    assert list(lec.BAND_EDGES) == sorted(lec.BAND_EDGES, reverse=True)
    assert len(lec.BAND_EDGES) == len(bands) - 1


def test_lec_d_cannot_hit_320_or_160_but_can_hit_70_and_20():
    ds = {lv * ev * cv for lv, ev, cv in product(*(lec.allowed_values(f) for f in "LEC"))}
    assert Decimal(320) not in ds and Decimal(160) not in ds
    assert Decimal(70) in ds and Decimal(20) in ds


def test_risk_matrix_levels_partition_every_possible_product():
    products = {a * b for a, b in product(range(1, 6), repeat=2)}
    listed = [v for row in load_table("risk_matrix")["levels"] for v in row["R_values"]]
    assert sorted(listed) == sorted(products)
    assert [b.min_r for b in risk_matrix.DEFAULT_BANDS] == [20, 15, 9, 1]


# --- Weather and schedule constants agree with their tables -------------------------------------


def test_rainstorm_thresholds_in_table_are_those_implemented():
    levels = {
        r["level"]: (r["window_h"], r["threshold_mm"]) for r in load_table("rainstorm_signals")["levels"]
    }
    assert levels == {1: (3, 100), 2: (3, 50), 3: (6, 50), 4: (12, 50)}


def test_wind_thresholds_in_table_are_those_implemented():
    also = load_table("rainstorm_signals")["also"]
    colours = {"红色": 1, "橙色": 2, "黄色": 3, "蓝色": 4}
    gale = {
        colours[r["colour"]]: (r["window_h"], r["mean_beaufort_min"], r["gust_beaufort_min"])
        for r in also["大风"]
    }
    typhoon = {
        colours[r["colour"]]: (r["window_h"], r["mean_beaufort_min"], r["gust_beaufort_min"])
        for r in also["台风"]
    }
    assert gale == {4: (24, 6, 7), 3: (12, 8, 9), 2: (6, 10, 11), 1: (6, 12, 13)}
    assert typhoon == {4: (24, 6, 8), 3: (24, 8, 10), 2: (12, 10, 12), 1: (6, 12, 14)}


def test_weather_signals_table_has_the_14_types():
    assert len(load_table("weather_signals")["signals"]) == 14


def test_schedule_intervals_come_from_the_plan_rules():
    assert schedule.DRILL_RULES["comprehensive"].interval_months == 12
    assert schedule.DRILL_RULES["special"].interval_months == 12
    assert schedule.DRILL_RULES["onsite"].interval_months == 6
    assert schedule.DRILL_RULES["high_risk"].interval_months == 6
    assert schedule.DRILL_RULES["government"].interval_months == 24
    assert schedule.DRILL_RULES["government_special"].interval_months == 36
    assert schedule.REVIEW_RULES["enterprise"].interval_months == 36
    assert schedule.REVIEW_RULES["government"].interval_months == 36
    for rule in [*schedule.DRILL_RULES.values(), *schedule.REVIEW_RULES.values()]:
        assert rule.basis and rule.description


def test_the_usage_example_in_the_docs_runs():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[3] / "docs" / "standards.md"
    text = doc.read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, str(doc), "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["r"].grade == 3 and namespace["g"].label == "较大事故"


def test_the_package_is_pure_python_and_exports_what_it_lists():
    import subprocess
    import sys

    probe = (
        "import sys, yingji.domain.standards as s\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'ninja') or m.startswith('yingji.core')]\n"
        "assert not bad, bad\n"
        "for mod in (s, s.gb18218, s.accidents, s.lec, s.risk_matrix, s.weather, s.schedule, s.sphere):\n"
        "    assert mod.__doc__ and all(hasattr(mod, n) for n in mod.__all__), mod\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
