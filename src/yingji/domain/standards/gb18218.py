"""GB 18218-2018 危险化学品重大危险源辨识: identify a major hazard source (S = Σ q/Q ≥ 1) and grade it
(R = α Σ β q/Q, Table 6). Sums and comparisons are exact rationals, so S = 1 is exactly major.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal

from ._data import load_table
from ._gb18218_tables import (
    Category,
    Chemical,
    ToxicGas,
    cas_is_valid,
    categories,
    chemicals,
    find_category,
    find_chemical,
    match_table1,
    match_table3,
    toxic_gases,
)
from ._numbers import exact_decimal, to_count, to_decimal, to_fraction
from .errors import InvalidHolding, MissingInput

__all__ = [
    "Holding",
    "Line",
    "Assessment",
    "Chemical",
    "Category",
    "ToxicGas",
    "assess",
    "critical_quantity",
    "category_quantity",
    "alpha_for",
    "grade_for",
    "find_chemical",
    "find_category",
    "chemicals",
    "categories",
    "toxic_gases",
    "cas_is_valid",
]

BetaRule = Literal["max", "lowest_q"]
_GRADE_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def _parse_symbols(value: object, what: str) -> tuple[Category, ...]:
    """One symbol, a list of them, or "J3, W2"; several hazards are allowed (4.1.2 b)."""
    if isinstance(value, str):
        parts = [p for p in re.split(r"[,，、;；/\s]+", value) if p]
    elif isinstance(value, Iterable):
        parts = list(value)
    else:
        raise InvalidHolding(f"{what} 应为危险性类别符号（如 W5.3）：{value!r}（{what} must be a symbol）")
    if not parts:
        raise InvalidHolding(f"{what} 为空：{value!r}（{what} is empty）")
    found: dict[str, Category] = {}
    for part in parts:
        category = find_category(part)
        found.setdefault(category.symbol, category)  # "W2, w2" is one hazard, not two
    return tuple(found.values())


@dataclass(frozen=True)
class Holding:
    """The design maximum quantity q (t) of one dangerous chemical in a unit (4.2.2).

    Give ``chemical`` (Table 1 sequence number, CAS, name or alias) or ``category`` (Table 2
    symbol(s), for chemicals not in Table 1), not both. ``symbol`` is the Table 4 hazard symbol a
    Table 1 chemical outside Table 3 needs for grading. Input is checked on construction.
    """

    chemical: int | str | None = None
    tonnes: Decimal | int | str | None = None
    category: str | Iterable[str] | None = None
    symbol: str | Iterable[str] | None = None
    name: str | None = None
    entry: Chemical | None = field(init=False, repr=False, compare=False)
    symbols: tuple[Category, ...] = field(init=False, repr=False, compare=False)
    toxic_gas: ToxicGas | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Frozen dataclass: normalised and resolved values are stored with object.__setattr__.
        def set_(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        set_("tonnes", to_decimal(self.tonnes, "储存量", "tonnes"))
        if self.name is not None and not isinstance(self.name, str):
            raise InvalidHolding(f"name 必须是文本：{self.name!r}（name must be a string）")
        for attr in ("category", "symbol"):  # lists become tuples so a Holding stays hashable
            value = getattr(self, attr)
            if value is not None and not isinstance(value, str) and isinstance(value, Iterable):
                set_(attr, tuple(value))
        if (self.chemical is None) == (self.category is None):
            raise InvalidHolding(
                "请给出 chemical（表1）或 category（表2）二者之一（give exactly one of chemical or category）"
            )
        if self.chemical is not None:
            entry = find_chemical(self.chemical)
            set_("entry", entry)
            set_("toxic_gas", None)
            set_("symbols", () if self.symbol is None else _parse_symbols(self.symbol, "symbol"))
            return
        if self.symbol is not None:
            raise InvalidHolding(
                "表2物质的危险性类别已由 category 给出，不应再给 symbol（symbol is only for Table 1 chemicals）"
            )
        if self.name is not None:
            seqs = match_table1(self.name)
            if seqs:
                raise InvalidHolding(
                    f"{self.name!r} 属于表1（第{'、'.join(map(str, sorted(seqs)))}项），临界量应按表1确定："
                    f"请用 chemical=序号（Table 1 chemicals must use chemical=, 4.1.2 a）"
                )
        set_("entry", None)
        set_("toxic_gas", None if self.name is None else match_table3(self.name))
        set_("symbols", _parse_symbols(self.category, "category"))

    @property
    def critical_quantity(self) -> Decimal:
        """Q: Table 1 if listed there, else the lowest Table 2 Q of its hazards (4.1.2)."""
        if self.entry is not None:
            return self.entry.critical_quantity
        return min(c.critical_quantity for c in self.symbols)

    @property
    def label(self) -> str:
        """Human-readable name for reports and error messages."""
        if self.name:
            return self.name
        if self.entry is not None:
            return f"{self.entry.name}（表1第{self.entry.seq}项）"
        return "表2 " + "/".join(c.symbol for c in self.symbols)

    def beta(self, rule: BetaRule = "max") -> tuple[Decimal, str] | None:
        """(β, where it came from): Table 3 if the chemical is listed there, else Table 4 by symbol."""
        gas_beta = self.entry.beta if self.entry is not None else None
        if gas_beta is None and self.toxic_gas is not None:
            gas_beta = self.toxic_gas.beta
        if gas_beta is not None:
            return gas_beta, "表3"
        if not self.symbols:
            return None
        chosen = _pick_table4(self.symbols, rule)
        return chosen.beta, f"表4 {chosen.symbol}"


def _pick_table4(symbols: tuple[Category, ...], rule: BetaRule) -> Category:
    """β for several hazard symbols; the standard is silent, so this is a project convention."""
    if rule == "max":
        return max(symbols, key=lambda c: c.beta)
    if rule == "lowest_q":
        lowest = min(c.critical_quantity for c in symbols)
        return max((c for c in symbols if c.critical_quantity == lowest), key=lambda c: c.beta)
    raise InvalidHolding(f"未知的 β 取值规则：{rule!r}，应为 'max' 或 'lowest_q'（unknown beta rule）")


@dataclass(frozen=True)
class Line:
    """One holding's contribution: q, Q, q/Q and (when known) β and β·q/Q."""

    holding: Holding
    name: str
    q: Decimal
    critical_quantity: Decimal
    ratio: Decimal
    beta: Decimal | None
    beta_source: str | None

    @property
    def Q(self) -> Decimal:  # noqa: N802 - the standard's own symbol
        return self.critical_quantity

    @property
    def weighted(self) -> Decimal | None:
        """β·q/Q, or None when β is unknown (only allowed when no grading is needed)."""
        if self.beta is None:
            return None
        return exact_decimal(
            to_fraction(self.beta) * to_fraction(self.q) / to_fraction(self.critical_quantity)
        )


@dataclass(frozen=True)
class Assessment:
    """Result of :func:`assess`. ``r`` and ``grade`` are None when the unit is not a major hazard."""

    s: Decimal
    is_major: bool
    alpha: Decimal | None
    r: Decimal | None
    grade: int | None
    lines: tuple[Line, ...]

    @property
    def grade_label(self) -> str | None:
        """一级…四级, or None when not a major hazard source."""
        return None if self.grade is None else _GRADE_LABELS[self.grade]


def critical_quantity(name_or_cas: int | str) -> Decimal:
    """Table 1 critical quantity Q (t) by sequence number, CAS, name or alias."""
    return find_chemical(name_or_cas).critical_quantity


def category_quantity(symbol: str) -> Decimal:
    """Table 2 critical quantity Q (t) by hazard symbol (J1…W11)."""
    return find_category(symbol).critical_quantity


def alpha_for(offsite_population: object) -> Decimal:
    """Table 5 α from the resident population within 500 m outside the plant boundary."""
    people = to_count(offsite_population, "厂区边界外500 m范围内常住人口", "offsite_population")
    for band in load_table("alpha")["bands"]:
        upper = band["population_max"]
        if people >= band["population_min"] and (upper is None or people <= upper):
            return Decimal(band["alpha"])
    raise AssertionError(f"Table 5 does not cover {people}")  # the bands cover 0…∞; see tests


def grade_for(r: object) -> int:
    """Table 6 grade (1 most severe … 4) from R, with inclusive lower bounds."""
    return _grade_exact(to_fraction(to_decimal(r, "R 值", "R")))


def _grade_exact(r: Fraction) -> int:
    for row in load_table("gb18218_grades")["grades"]:
        low = row["r_min_inclusive"]
        if low is None or r >= to_fraction(Decimal(low)):
            return row["grade"]
    raise AssertionError(f"Table 6 does not cover R={r}")  # grade 4 has no lower bound


def assess(
    holdings: Holding | Iterable[Holding],
    offsite_population: int | None = None,
    *,
    multi_symbol_beta: BetaRule = "max",
) -> Assessment:
    """Identify (4.2.1) and, if major, grade (4.3) one production or storage unit.

    ``offsite_population`` is needed only when the unit is a major hazard source; so are the β
    values, and a Table 1 chemical outside Table 3 without a ``symbol`` raises MissingInput then.
    """
    items = [holdings] if isinstance(holdings, Holding) else list(holdings)
    if not items:
        raise InvalidHolding("至少需要一项危险化学品（no holdings given）")
    for item in items:
        if not isinstance(item, Holding):
            raise InvalidHolding(f"不是 Holding：{item!r}（expected gb18218.Holding）")
    alpha = None if offsite_population is None else alpha_for(offsite_population)

    ratios = [to_fraction(h.tonnes) / to_fraction(h.critical_quantity) for h in items]
    betas = [h.beta(multi_symbol_beta) for h in items]
    lines = tuple(
        Line(
            holding=h,
            name=h.label,
            q=h.tonnes,
            critical_quantity=h.critical_quantity,
            ratio=exact_decimal(ratio),
            beta=None if b is None else b[0],
            beta_source=None if b is None else b[1],
        )
        for h, ratio, b in zip(items, ratios, betas, strict=True)
    )
    s = sum(ratios, Fraction(0))
    if s < 1:
        return Assessment(exact_decimal(s), False, alpha, None, None, lines)

    missing = [h.label for h, b in zip(items, betas, strict=True) if b is None]
    if missing:
        raise MissingInput(
            f"该单元构成重大危险源，分级需要 β：{'、'.join(missing)} 不在表3中，请提供表4危险性类别符号 "
            f"symbol（如 symbol='W5.3'）（hazard symbol needed for grading）"
        )
    if alpha is None:
        raise MissingInput(
            "该单元构成重大危险源，分级需要厂区边界外500 m范围内常住人口 offsite_population"
            "（offsite_population needed for grading）"
        )
    weighted = sum(
        (to_fraction(b[0]) * ratio for b, ratio in zip(betas, ratios, strict=True) if b), Fraction(0)
    )
    r = to_fraction(alpha) * weighted
    # Grade on the exact rational: the Decimal shown is rounded when some q/Q does not terminate.
    return Assessment(exact_decimal(s), True, alpha, exact_decimal(r), _grade_exact(r), lines)
