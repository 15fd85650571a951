"""GB 18218-2018 Tables 1–4 as typed records, and lookup of a chemical by sequence number, CAS or name.

Lookups fold full-width forms, whitespace and case; a name shared by several rows (硝化棉, 硝酸铵)
is reported as ambiguous rather than guessed.
"""

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ._data import load_table
from ._numbers import normalise_text
from .errors import AmbiguousChemical, UnknownCategory, UnknownChemical

__all__ = [
    "Chemical",
    "Category",
    "ToxicGas",
    "chemicals",
    "categories",
    "toxic_gases",
    "find_chemical",
    "find_category",
    "match_table1",
    "match_table3",
    "cas_is_valid",
]

_CAS = re.compile(r"^(\d{2,7})-(\d{2})-(\d)$")
_ANNOTATION = re.compile(r"\(.*\)$")  # "74-82-8(甲烷)" → "74-82-8"


@dataclass(frozen=True)
class Chemical:
    """One row of Table 1; ``beta`` is its Table 3 β, or None if Table 3 does not list it."""

    seq: int
    name: str
    aliases: tuple[str, ...]
    cas: tuple[str, ...]
    critical_quantity: Decimal
    beta: Decimal | None
    notes: str | None


@dataclass(frozen=True)
class Category:
    """One row of Table 2 with its Table 4 β (hazard symbol J1…W11)."""

    symbol: str
    group: str
    category: str
    description: str
    critical_quantity: Decimal
    beta: Decimal


@dataclass(frozen=True)
class ToxicGas:
    """One row of Table 3 (named toxic gases and their β)."""

    name: str
    beta: Decimal
    table1_seq: int | None
    cas: tuple[str, ...]


def cas_is_valid(cas: str) -> bool:
    """True if ``cas`` has the CAS shape and its check digit is right."""
    match = _CAS.match(cas)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    total = sum(int(d) * weight for weight, d in enumerate(digits, start=1))
    return total % 10 == int(match.group(3))


@cache
def toxic_gases() -> tuple[ToxicGas, ...]:
    """Table 3, in the standard's order."""
    rows = load_table("gb18218_beta")["table3_toxic_gases"]
    return tuple(ToxicGas(r["name_zh"], Decimal(r["beta"]), r["table1_seq"], tuple(r["cas"])) for r in rows)


@cache
def chemicals() -> tuple[Chemical, ...]:
    """Table 1, 85 rows in sequence order; β is taken from Table 3 via its row links."""
    table3 = {g.table1_seq: g.beta for g in toxic_gases() if g.table1_seq is not None}
    return tuple(
        Chemical(
            seq=r["seq"],
            name=r["name_zh"],
            aliases=tuple(r["aliases_zh"]),
            cas=tuple(_ANNOTATION.sub("", c) for c in r["cas"]),
            critical_quantity=Decimal(r["critical_quantity_t"]),
            beta=table3.get(r["seq"]),
            notes=r["notes"],
        )
        for r in load_table("gb18218_chemicals")["rows"]
    )


@cache
def categories() -> dict[str, Category]:
    """Tables 2 and 4 keyed by hazard symbol, in the standard's order."""
    return {
        r["symbol"]: Category(
            symbol=r["symbol"],
            group=r["group"],
            category=r["category"],
            description=r["description"],
            critical_quantity=Decimal(r["critical_quantity_t"]),
            beta=Decimal(r["beta_table4"]),
        )
        for r in load_table("gb18218_categories")["rows"]
    }


def _base(name: str) -> str:
    """The name before its qualifier in brackets: 甲醛(含量>90%) → 甲醛."""
    return re.split(r"[(\[]", name, maxsplit=1)[0]


@cache
def _index() -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]], dict[str, str]]:
    """(exact names+CAS → rows, bare names → rows, normalised key → display text)."""
    exact: dict[str, set[int]] = defaultdict(set)
    base: dict[str, set[int]] = defaultdict(set)
    display: dict[str, str] = {}
    extras = {r["seq"]: r["names_zh"] for r in load_table("gb18218_lookup_extras")["rows"]}
    for chem in chemicals():
        names = [chem.name, *chem.aliases, *extras.get(chem.seq, [])]
        for text in [*names, *chem.cas]:
            key = normalise_text(text)
            exact[key].add(chem.seq)
            display.setdefault(key, text)
        for text in names:
            key = normalise_text(_base(normalise_text(text)))
            if key:
                base[key].add(chem.seq)
                display.setdefault(key, _base(text))
    return _freeze(exact), _freeze(base), display


def _freeze(index: dict[str, set[int]]) -> dict[str, frozenset[int]]:
    return {key: frozenset(seqs) for key, seqs in index.items()}


def _rows_for(key: str) -> frozenset[int]:
    exact, base, _ = _index()
    return exact.get(key) or base.get(key) or frozenset()


def _suggestions(key: str) -> list[str]:
    """Display names close to ``key``: difflib neighbours first, then names containing it."""
    _, _, display = _index()
    close = difflib.get_close_matches(key, display.keys(), n=5, cutoff=0.5)
    containing = [k for k in display if key and (key in k or k in key) and len(k) > 1]
    seen: dict[str, None] = {}
    for k in [*close, *containing]:
        seen.setdefault(display[k], None)
    return list(seen)[:6]


def _describe(seqs: frozenset[int]) -> str:
    rows = {c.seq: c for c in chemicals()}
    return "、".join(f"第{s}项 {rows[s].name}（Q={rows[s].critical_quantity} t）" for s in sorted(seqs))


def match_table1(text: str) -> frozenset[int]:
    """Table 1 rows whose name, alias or CAS equals ``text`` after normalisation (maybe empty)."""
    return _rows_for(normalise_text(text))


def match_table3(text: str) -> ToxicGas | None:
    """The Table 3 gas named (or CAS-numbered) ``text``, if any."""
    key = normalise_text(text)
    for gas in toxic_gases():
        if key == normalise_text(gas.name) or key in gas.cas:
            return gas
    return None


def _unknown(ref: object, key: str) -> UnknownChemical:
    if key.upper() in categories():
        return UnknownChemical(
            f"{ref!r} 是表2危险性类别符号而非化学品：请用 category={key.upper()!r} 或 category_quantity()"
            f"（a Table 2 symbol, not a chemical）"
        )
    gas = match_table3(key) if key else None
    if gas is not None:
        return UnknownChemical(
            f"化学品 {ref!r} 不在 GB 18218-2018 表1中，但列于表3（β={gas.beta}）：请按表2填写 "
            f"category 并注明 name（not in Table 1; give its Table 2 category）"
        )
    if _CAS.match(key) and not cas_is_valid(key):
        return UnknownChemical(f"CAS 号 {ref!r} 校验位不正确（invalid CAS check digit）")
    hints = _suggestions(key)
    if hints:
        return UnknownChemical(f"未知化学品 {ref!r}；您是否指：{', '.join(hints)}？（unknown chemical）")
    return UnknownChemical(
        f"未知化学品 {ref!r}：不在 GB 18218-2018 表1中，请按表2危险性类别填写 category（unknown chemical）"
    )


def find_chemical(ref: int | str) -> Chemical:
    """Table 1 row by sequence number (1–85, int or digit string), CAS number, name or alias."""
    rows = chemicals()
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise UnknownChemical(f"无法识别的化学品标识：{ref!r}（give a sequence number, CAS or name）")
    key = normalise_text(str(ref))
    if not key:
        raise UnknownChemical(f"化学品标识为空：{ref!r}（empty chemical reference）")
    if isinstance(ref, int) or key.isdigit():
        seq = int(key)
        if not 1 <= seq <= len(rows):
            raise UnknownChemical(f"表1序号 {ref!r} 不存在，应为 1–{len(rows)}（no such Table 1 row）")
        return rows[seq - 1]
    seqs = _rows_for(key)
    if not seqs:
        raise _unknown(ref, key)
    if len(seqs) > 1:
        raise AmbiguousChemical(
            f"{ref!r} 对应表1中多项：{_describe(seqs)}；请用序号指定（ambiguous: give the Table 1 number）"
        )
    return rows[next(iter(seqs)) - 1]


def find_category(symbol: str) -> Category:
    """Table 2/4 row by hazard symbol; case and full-width forms are folded (ｗ５．３ → W5.3)."""
    table = categories()
    if not isinstance(symbol, str):
        raise UnknownCategory(f"危险性类别符号必须是文本：{symbol!r}（hazard symbol must be a string）")
    key = normalise_text(symbol).upper()
    if key in table:
        return table[key]
    near = [s for s in table if s.startswith(key)] if key else []
    near = near or difflib.get_close_matches(key, table.keys(), n=4, cutoff=0.5)
    hint = f"；您是否指：{', '.join(near)}？" if near else f"；应为 {', '.join(table)} 之一"
    raise UnknownCategory(f"未知危险性类别 {symbol!r}{hint}（unknown GB 18218 Table 2 category）")
