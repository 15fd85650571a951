"""Strict, exact conversion of caller input to Decimal or int, and of exact fractions back to Decimal.

Accepted: int, Decimal, str (full-width digits allowed) and float, which goes through ``str`` so
``0.072`` means exactly ``Decimal("0.072")``. Rejected: bool, NaN, infinities, anything else.
"""

import unicodedata
from decimal import Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction

from .errors import InvalidQuantity

__all__ = ["to_decimal", "to_count", "to_fraction", "exact_decimal", "normalise_text"]

# Results are rounded only when a quotient does not terminate (e.g. 1/0.3); 28 digits is
# far beyond any table value, and a fixed context keeps a caller's global context out of it.
_CONTEXT = Context(prec=28)


def normalise_text(text: str) -> str:
    """Fold full-width forms (NFKC), drop all whitespace and case-fold, for lookups."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(folded.split()).casefold()


def to_decimal(value: object, zh: str, en: str, *, allow_negative: bool = False) -> Decimal:
    """Return ``value`` as an exact Decimal, or raise InvalidQuantity naming the field and value."""
    if isinstance(value, bool):
        # bool is an int subclass; True tonnes is always a caller bug.
        raise InvalidQuantity(f"{zh}不能是布尔值：{value!r}（{en} must be a number, not a bool）")
    if value is None:
        raise InvalidQuantity(f"缺少{zh}（{en} is required）")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr() gives the shortest decimal that round-trips, i.e. what the caller typed.
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidQuantity(f"{zh}不是数值：{value!r}（{en} is not a number）") from None
    else:
        raise InvalidQuantity(f"{zh}不是数值：{value!r}（{en} is not a number）")
    if not number.is_finite():
        raise InvalidQuantity(f"{zh}必须是有限数值：{value!r}（{en} must be finite）")
    if number < 0 and not allow_negative:
        raise InvalidQuantity(f"{zh}不能为负数：{value!r}（{en} must not be negative）")
    return number + 0 if number.is_zero() else number  # + 0 turns -0 into 0


def to_count(value: object, zh: str, en: str) -> int:
    """Return a non-negative whole number (people, deaths…) as int; 3.0 is fine, 2.5 is not."""
    number = to_decimal(value, zh, en)
    if number != number.to_integral_value():
        raise InvalidQuantity(f"{zh}必须是整数：{value!r}（{en} must be a whole number）")
    return int(number)


def to_fraction(number: Decimal) -> Fraction:
    """Exact rational value of a Decimal, so sums of quotients like q/Q never round."""
    return Fraction(number)


def exact_decimal(value: Fraction) -> Decimal:
    """Convert an exact fraction to Decimal; exact whenever the quotient terminates."""
    with localcontext(_CONTEXT):
        return Decimal(value.numerator) / Decimal(value.denominator)
