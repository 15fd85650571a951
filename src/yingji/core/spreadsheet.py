"""Spreadsheet cells that cannot run: text that a spreadsheet would read as a formula gets a leading quote.

The OWASP CSV-injection rule: a text cell starting with = + - @ tab or carriage return is prefixed with a single
quote, so Excel, WPS and LibreOffice show it as text instead of evaluating it (`=HYPERLINK(…)`, `=cmd|…`).
Real numbers stay numbers. `restore_cell` undoes it on import, so an exported file re-imports unchanged.
"""

from __future__ import annotations

import re

__all__ = ["safe_cell", "restore_cell"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Text that is quotes followed by a formula start: what safe_cell produced (one more quote than the value had).
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")


def safe_cell(value):
    """`value` made safe for a spreadsheet cell: formula-like text quoted; numbers, dates, None unchanged."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_START) or _ESCAPED.match(value):
        return "'" + value
    return value


def restore_cell(value):
    """The value `safe_cell` was given: one leading quote dropped from quoted formula-like text."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return value[1:]
    return value
