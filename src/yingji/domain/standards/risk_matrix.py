"""The common 5×5 risk matrix (风险矩阵法): R = likelihood × severity, graded 1 重大 … 4 低.

A widespread convention (PARTIAL), not a national standard, so the banding is a parameter: the
default is R ≥ 20 重大, 15–16 较大, 9–12 一般, ≤ 8 低; ``ALTERNATIVE_BANDS`` is the other one in use.
"""

from dataclasses import dataclass

from ._data import load_table
from ._numbers import to_count
from .errors import InvalidFactor, InvalidQuantity

__all__ = ["Band", "RiskResult", "assess", "DEFAULT_BANDS", "ALTERNATIVE_BANDS"]

_COLOURS = {"红": ("red", "红色"), "橙": ("orange", "橙色"), "黄": ("yellow", "黄色"), "蓝": ("blue", "蓝色")}


@dataclass(frozen=True)
class Band:
    """A level and the smallest R that reaches it (bands are tried from level 1 down)."""

    level: int
    min_r: int
    label: str
    colour: str
    colour_zh: str
    action: str


@dataclass(frozen=True)
class RiskResult:
    likelihood: int
    severity: int
    r: int
    level: int
    label: str
    colour: str
    colour_zh: str
    action: str


def _default_bands() -> tuple[Band, ...]:
    bands = []
    for row in load_table("risk_matrix")["levels"]:
        colour, colour_zh = _COLOURS[row["colour"]]
        bands.append(Band(row["level"], min(row["R_values"]), row["label"], colour, colour_zh, row["action"]))
    return tuple(bands)


DEFAULT_BANDS = _default_bands()
# 1–3 低 | 4–9 一般 | 10–16 较大 | 20–25 重大 (seen in one source; see risk_matrix.json).
ALTERNATIVE_BANDS = tuple(
    Band(b.level, low, b.label, b.colour, b.colour_zh, b.action)
    for b, low in zip(DEFAULT_BANDS, (20, 10, 4, 1), strict=True)
)


def _score(value: object, zh: str, en: str) -> int:
    try:
        score = to_count(value, zh, en)
    except InvalidQuantity as exc:  # one error type for "not a 1–5 score", whatever the cause
        raise InvalidFactor(f"{zh}必须是 1–5 的整数：{value!r}（{en} must be an integer 1–5）") from exc
    if not 1 <= score <= 5:
        raise InvalidFactor(f"{zh}必须是 1–5 的整数：{value!r}（{en} must be an integer 1–5）")
    return score


def assess(likelihood: object, severity: object, *, bands: tuple[Band, ...] = DEFAULT_BANDS) -> RiskResult:
    """Score one risk; likelihood and severity are integers 1–5."""
    lv = _score(likelihood, "可能性 L", "likelihood")
    sv = _score(severity, "严重程度 S", "severity")
    r = lv * sv
    for band in sorted(bands, key=lambda b: b.min_r, reverse=True):
        if r >= band.min_r:
            return RiskResult(lv, sv, r, band.level, band.label, band.colour, band.colour_zh, band.action)
    raise InvalidFactor(f"风险分级表未覆盖 R={r}（the bands given do not cover R={r}）")
