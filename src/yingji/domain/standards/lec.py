"""LEC job-hazard evaluation (作业条件危险性评价法): D = L × E × C, banded 1 (极其危险) … 5 (稍有危险).

Industry practice, not a national standard. Band edges at D = 70 and D = 20 differ between
sources, so the convention is a parameter (default upper-inclusive, as lec.json recommends).
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ._data import load_table
from ._numbers import exact_decimal, to_decimal, to_fraction
from .errors import InvalidFactor

__all__ = ["LecResult", "assess", "allowed_values", "band_for", "BAND_EDGES", "Boundary"]

# Band n covers (BAND_EDGES[n-1], BAND_EDGES[n-2]] when upper-inclusive; the edges come from lec.json.
BAND_EDGES = tuple(Decimal(row["lower_edge"]) for row in load_table("lec")["D_bands"] if row["lower_edge"])
Boundary = Literal["upper_inclusive", "lower_inclusive"]
_FACTORS = {"L": "L_likelihood", "E": "E_exposure", "C": "C_consequence"}
_NAMES_ZH = {"L": "事故发生的可能性 L", "E": "暴露于危险环境的频繁程度 E", "C": "事故后果 C"}


@dataclass(frozen=True)
class LecResult:
    """The factors, D = L×E×C (exact), band 1…5, and the band's meaning."""

    l: Decimal  # noqa: E741 - the method's own letter
    e: Decimal
    c: Decimal
    d: Decimal
    band: int
    label: str


def allowed_values(factor: str) -> tuple[Decimal, ...]:
    """The table values of factor "L", "E" or "C", largest first."""
    return tuple(Decimal(row["value"]) for row in load_table("lec")[_FACTORS[factor]])


def _factor(value: object, factor: str) -> Decimal:
    number = to_decimal(value, _NAMES_ZH[factor], factor, allow_negative=True)
    allowed = allowed_values(factor)
    if number not in allowed:  # Decimal("3.0") == Decimal("3"), so trailing zeros are fine
        listing = ", ".join(str(v) for v in allowed)
        raise InvalidFactor(
            f"{_NAMES_ZH[factor]} 的取值 {value!r} 不在表中，应为 {listing} 之一（{factor} not in the LEC table）"
        )
    return allowed[allowed.index(number)]


def band_for(d: object, boundary: Boundary = "upper_inclusive") -> int:
    """Band of a D value: upper-inclusive D>320 | 160<D≤320 | 70<D≤160 | 20<D≤70 | D≤20."""
    value = to_decimal(d, "危险性分值 D", "D")
    if boundary not in ("upper_inclusive", "lower_inclusive"):
        raise InvalidFactor(
            f"未知边界约定：{boundary!r}（boundary must be upper_inclusive or lower_inclusive）"
        )
    for band, edge in enumerate(BAND_EDGES, start=1):
        if value > edge or (boundary == "lower_inclusive" and value == edge):
            return band
    return len(BAND_EDGES) + 1


def assess(l: object, e: object, c: object, *, boundary: Boundary = "upper_inclusive") -> LecResult:  # noqa: E741
    """Evaluate one job: each factor must be one of the table's values."""
    lv, ev, cv = _factor(l, "L"), _factor(e, "E"), _factor(c, "C")
    d = exact_decimal(to_fraction(lv) * to_fraction(ev) * to_fraction(cv))  # immune to the caller's context
    band = band_for(d, boundary)
    label = load_table("lec")["D_bands"][band - 1]["desc"]
    return LecResult(lv, ev, cv, d, band, label)
