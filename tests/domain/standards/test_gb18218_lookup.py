"""Finding GB 18218 Table 1 rows by sequence number, CAS, name or alias, and Table 2 symbols."""

from collections import Counter
from decimal import Decimal

import pytest

from yingji.domain.standards import (
    AmbiguousChemical,
    StandardsError,
    UnknownCategory,
    UnknownChemical,
    gb18218,
)

ROWS = gb18218.chemicals()
CAS_COUNT = Counter(cas for chem in ROWS for cas in chem.cas)
ALIAS_COUNT = Counter(alias for chem in ROWS for alias in {*chem.aliases})


@pytest.mark.parametrize("chem", ROWS, ids=lambda c: str(c.seq))
def test_every_row_is_found_by_number_name_and_unshared_cas_and_aliases(chem):
    assert gb18218.find_chemical(chem.seq) is chem
    assert gb18218.find_chemical(str(chem.seq)) is chem
    assert gb18218.find_chemical(chem.name) is chem
    assert gb18218.critical_quantity(chem.name) == chem.critical_quantity
    for cas in chem.cas:
        if CAS_COUNT[cas] == 1:
            assert gb18218.find_chemical(cas) is chem
            assert gb18218.critical_quantity(cas) == chem.critical_quantity
        else:
            with pytest.raises(AmbiguousChemical):
                gb18218.find_chemical(cas)
    for alias in chem.aliases:
        if ALIAS_COUNT[alias] == 1:
            assert gb18218.find_chemical(alias) is chem
        else:
            with pytest.raises(AmbiguousChemical):
                gb18218.find_chemical(alias)


@pytest.mark.parametrize(
    ("ref", "seq"),
    [
        ("氯", 12),
        ("氯气", 12),
        ("液氯", 12),
        ("7782-50-5", 12),
        (" 液 氯 ", 12),  # whitespace anywhere
        ("\u3000氯气\t", 12),  # ideographic space
        ("７７８２－５０－５", 12),  # full-width CAS
        ("１２", 12),  # full-width digits mean the sequence number
        ("tdi", 23),
        ("ＴＤＩ", 23),
        ("TNT", 35),
        ("光气", 6),
        ("液氨", 1),
        ("氨气", 1),
        ("甲醛", 8),  # bare name before the (含量>90%) qualifier
        ("甲醛（含量＞90%）", 8),
        ("氯化氢", 11),
        ("氯化氢(无水)", 11),
        ("煤气", 13),
        ("氧", 56),
        ("氧气", 56),
        ("硝酸", 81),
        ("发烟硝酸", 80),
        ("硝酸铵肥料", 45),
        ("硝化纤维素溶液", 42),
        ("硝化棉溶液", 42),
        ("甲烷", 49),
        ("天然气", 49),
        ("8006-14-2", 49),
        ("74-82-8", 49),
        ("液化石油气", 52),
        ("丙烷", 52),
        ("74-98-6", 52),
        ("汽油", 66),
        ("乙醇汽油", 66),
        ("86290-81-5", 66),
        ("环氧氯丙烷", 21),
        ("3-氯-1,2-环氧丙烷", 21),
        ("1,3-丁二烯", 47),
        ("酒精", 67),
        ("电石", 83),
        ("金属钠", 85),
    ],
)
def test_lookup_by_name_alias_cas_with_normalisation(ref, seq):
    assert gb18218.find_chemical(ref).seq == seq


@pytest.mark.parametrize("ref", ["硝酸铵", "6484-52-2", "硝化纤维素", "硝化棉", "9004-70-0"])
def test_names_shared_by_several_rows_are_ambiguous_and_list_the_rows(ref):
    with pytest.raises(AmbiguousChemical) as err:
        gb18218.critical_quantity(ref)
    assert "第" in str(err.value) and "序号" in str(err.value)
    assert isinstance(err.value, StandardsError)


def test_ambiguous_ammonium_nitrate_names_both_rows():
    with pytest.raises(AmbiguousChemical, match="第43项.*第44项"):
        gb18218.find_chemical("硝酸铵")


@pytest.mark.parametrize("ref", [0, 86, -1, "0", "86", 1000])
def test_sequence_number_out_of_range(ref):
    with pytest.raises(UnknownChemical, match="1–85"):
        gb18218.find_chemical(ref)


@pytest.mark.parametrize("ref", [True, None, 4.0, Decimal("4"), ["氯"]])
def test_non_reference_types_are_rejected(ref):
    with pytest.raises(UnknownChemical):
        gb18218.find_chemical(ref)


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownChemical) as err:
        gb18218.find_chemical("氯汽")
    message = str(err.value)
    assert "未知化学品 '氯汽'" in message and "您是否指" in message
    assert "氯气" in message and "unknown chemical" in message


def test_unknown_name_without_neighbours_points_to_table_2():
    with pytest.raises(UnknownChemical, match="category"):
        gb18218.find_chemical("xyzzy")


@pytest.mark.parametrize("ref", ["", "   "])
def test_empty_reference(ref):
    with pytest.raises(UnknownChemical, match="空"):
        gb18218.find_chemical(ref)


def test_cas_with_wrong_check_digit_is_reported_as_such():
    with pytest.raises(UnknownChemical, match="校验位"):
        gb18218.find_chemical("7782-50-6")


def test_valid_but_unlisted_cas_is_unknown():
    with pytest.raises(UnknownChemical, match="7732-18-5"):
        gb18218.find_chemical("7732-18-5")  # water


@pytest.mark.parametrize("ref", ["一氧化碳", "630-08-0"])
def test_table3_only_gas_is_not_table1_and_says_how_to_enter_it(ref):
    with pytest.raises(UnknownChemical, match="表3"):
        gb18218.find_chemical(ref)


@pytest.mark.parametrize(
    ("ref", "symbol"), [("J1", "J1"), ("j1", "J1"), (" w5.3 ", "W5.3"), ("Ｗ５．３", "W5.3")]
)
def test_category_lookup_normalises(ref, symbol):
    assert gb18218.find_category(ref).symbol == symbol


def test_unknown_category_suggests_subdivisions():
    with pytest.raises(UnknownCategory, match="W5.1, W5.2, W5.3, W5.4"):
        gb18218.find_category("W5")


@pytest.mark.parametrize("ref", ["X1", "", "W12", 5])
def test_unknown_category(ref):
    with pytest.raises(UnknownCategory):
        gb18218.find_category(ref)


def test_critical_quantity_and_category_quantity():
    assert gb18218.critical_quantity("氯") == Decimal("5")
    assert gb18218.critical_quantity(6) == Decimal("0.3")
    assert gb18218.critical_quantity("7782-50-5") == Decimal("5")
    assert gb18218.category_quantity("W5.4") == Decimal("5000")
    assert gb18218.category_quantity("w3") == Decimal("150")


def test_a_table2_symbol_given_as_a_chemical_points_to_category():
    with pytest.raises(UnknownChemical, match="category='W5.3'"):
        gb18218.critical_quantity("w5.3")
