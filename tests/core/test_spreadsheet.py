"""Formula-like text is quoted for spreadsheets and restored on import; numbers stay numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yingji.core.spreadsheet import restore_cell, safe_cell


@pytest.mark.parametrize("text", ["=1+2", "+86 139", "-2+3", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")",
                                  "=cmd|' /C calc'!A0"])
def test_formula_like_text_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-5, 3.5, -3.5, Decimal("-12.50"), 0, True, None, "", "普通文本", "a=b",
                                   dt.date(2026, 1, 2), "'quoted text"])
def test_numbers_and_plain_values_are_unchanged(value):
    assert safe_cell(value) == value and type(safe_cell(value)) is type(value)


def test_a_value_that_already_looks_escaped_is_quoted_again():
    assert safe_cell("'=x") == "''=x"
    assert restore_cell(safe_cell("'=x")) == "'=x"


@given(st.text(alphabet="=+-@'\t\rab1 ", max_size=8))
def test_restore_undoes_safe(text):
    assert restore_cell(safe_cell(text)) == text
    out = safe_cell(text)
    assert not out.startswith(("=", "+", "-", "@", "\t", "\r"))
