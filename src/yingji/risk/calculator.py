"""The GB 18218 calculator: holdings as the API and the holdings table give them → `gb18218.assess` → a plain
result whose every fractional number is a decimal string exactly as the standards library computed it.

Bad input names the holding it is in (`holdings[2]（液氯）：储存量不能为负数`) and the field, so a page or an
enterprise's system can point at it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from yingji.core.errors import ValidationFailed
from yingji.domain.standards import StandardsError, gb18218

__all__ = ["BadHolding", "dec", "holding_of", "assess", "as_json", "evaluate", "MAX_HOLDINGS"]

MAX_HOLDINGS = 500
_FIELDS = ("chemical", "category", "name", "symbol", "tonnes")


class BadHolding(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def dec(value: Decimal | None) -> str | None:
    """A Decimal as a plain decimal string (never a float, never an exponent): Decimal('1E+1') → '10'."""
    return None if value is None else format(value, "f")


def _field_of(exc: StandardsError, data: Mapping) -> str:
    """Which input field an error of the library is about (by its type; a bad symbol vs a bad category by
    which of the two was given)."""
    from yingji.domain.standards import errors as e

    if isinstance(exc, e.InvalidQuantity):
        return "tonnes"
    if isinstance(exc, (e.UnknownChemical, e.AmbiguousChemical)):
        return "chemical"
    if isinstance(exc, e.UnknownCategory):
        return "category" if data.get("category") not in (None, "") else "symbol"
    text = str(exc)
    if "symbol" in text and data.get("symbol") not in (None, ""):
        return "symbol"
    if ("name" in text or "表1" in text) and data.get("name") not in (None, "") and data.get("category"):
        return "name"
    return "chemical" if data.get("chemical") not in (None, "") else "category"


def holding_of(data: Mapping) -> gb18218.Holding:
    """One holding from {chemical | category, tonnes, name?, symbol?}; BadHolding names the field at fault."""
    unknown = sorted(set(data) - set(_FIELDS))
    if unknown:
        raise BadHolding(unknown[0], _("不支持的字段：%(f)s") % {"f": "、".join(unknown)})
    chemical, category = data.get("chemical"), data.get("category")
    if isinstance(chemical, bool) or not isinstance(chemical, (int, str, type(None))):
        raise BadHolding("chemical", _("chemical 应为表1序号、CAS 号或名称"))
    if isinstance(category, bool) or not isinstance(category, (str, list, tuple, type(None))):
        raise BadHolding("category", _("category 应为表2危险性类别代码"))
    tonnes = data.get("tonnes")
    if tonnes is None or tonnes == "":
        raise BadHolding("tonnes", _("请填写设计最大量（吨）"))
    if isinstance(tonnes, float):
        tonnes = Decimal(repr(tonnes))  # what the caller typed; the library does the same
    _check_size(tonnes)
    kwargs = {"tonnes": tonnes}
    for name in ("chemical", "category", "name", "symbol"):
        value = data.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, "", [], ()):
            kwargs[name] = value
    try:
        return gb18218.Holding(**kwargs)
    except StandardsError as exc:
        raise BadHolding(_field_of(exc, kwargs), str(exc)) from None
    except (TypeError, AttributeError, ValueError):
        raise BadHolding("chemical", _("危险化学品描述有误")) from None


MAX_DIGITS = 30


def _check_size(tonnes) -> None:
    """Quantities a plant can hold: at most 30 digits and exponents within ±15 (a '1e999999' would make the
    exact rational arithmetic enormous). Other faults are the library's to name."""
    import unicodedata
    from decimal import InvalidOperation

    if isinstance(tonnes, bool) or not isinstance(tonnes, (int, str, Decimal)):
        return
    try:
        value = Decimal(unicodedata.normalize("NFKC", tonnes).strip()) if isinstance(tonnes, str) else Decimal(tonnes)
    except (InvalidOperation, ValueError):
        return
    if value.is_finite() and not value.is_zero() and (
            len(value.as_tuple().digits) > MAX_DIGITS or not -15 <= value.adjusted() <= 15):
        raise BadHolding("tonnes", _("设计最大量超出可计算的范围"))


def _label(data: Mapping, index: int) -> str:
    name = data.get("name") or data.get("chemical") or data.get("category") or ""
    return f"holdings[{index}]" + (f"（{name}）" if name not in ("", None) else "")


def assess(holdings: Sequence[Mapping], offsite_population=None) -> gb18218.Assessment:
    """Check every holding (all faults reported together), then assess. ValidationFailed names each holding."""
    if not isinstance(holdings, Sequence) or isinstance(holdings, (str, bytes)) or not holdings:
        raise ValidationFailed(_("至少需要一项危险化学品"), details={"holdings": [_("至少需要一项危险化学品")]})
    if len(holdings) > MAX_HOLDINGS:
        raise ValidationFailed(details={"holdings": [_("最多 %(n)s 项") % {"n": MAX_HOLDINGS}]})
    parsed, details = [], {}
    for i, data in enumerate(holdings):
        if not isinstance(data, Mapping):
            details[f"holdings.{i}"] = [_("应为对象")]
            continue
        try:
            parsed.append(holding_of(data))
        except BadHolding as exc:
            details[f"holdings.{i}.{exc.field}"] = [f"{_label(data, i)}：{exc.message}"]
    if details:
        first = next(iter(details.values()))[0]
        raise ValidationFailed(first, details=details)
    if isinstance(offsite_population, bool):
        raise ValidationFailed(details={"offsite_population": [_("应为人数")]})
    try:
        return gb18218.assess(parsed, offsite_population)
    except StandardsError as exc:
        field = "offsite_population" if "offsite_population" in str(exc) else "holdings"
        if field == "holdings":
            missing = [i for i, h in enumerate(parsed) if h.beta() is None]
            if missing:
                details = {f"holdings.{i}.symbol": [f"{_label(holdings[i], i)}：{exc}"] for i in missing}
                raise ValidationFailed(str(exc), details=details) from None
        raise ValidationFailed(str(exc), details={field: [str(exc)]}) from None


def as_json(result: gb18218.Assessment) -> dict:
    """The assessment with every fraction as a decimal string: s, is_major, alpha, r, grade, grade_label, lines."""
    lines = []
    for line in result.lines:
        h = line.holding
        lines.append({
            "name": line.name,
            "chemical": h.entry.seq if h.entry is not None else None,
            "cas": list(h.entry.cas) if h.entry is not None else [],
            "category": "/".join(c.symbol for c in h.symbols) if h.entry is None else None,
            "symbol": "/".join(c.symbol for c in h.symbols) if h.entry is not None and h.symbols else None,
            "q": dec(line.q), "Q": dec(line.Q), "ratio": dec(line.ratio),
            "beta": dec(line.beta), "beta_source": line.beta_source, "weighted": dec(line.weighted),
        })
    return {"s": dec(result.s), "is_major": result.is_major, "alpha": dec(result.alpha), "r": dec(result.r),
            "grade": result.grade, "grade_label": result.grade_label, "lines": lines}


def evaluate(holdings: Sequence[Mapping], offsite_population=None) -> dict:
    return as_json(assess(holdings, offsite_population))
