"""Chinese emergency-management standards as exact, pure-Python rules (GB 18218, 493号令, LEC, risk
matrix, CMA warning signals, drill/review schedules, Sphere). See docs/standards.md for sources.
"""

from . import accidents, gb18218, lec, risk_matrix, schedule, sphere, weather
from .errors import (
    AmbiguousChemical,
    InvalidDate,
    InvalidFactor,
    InvalidHolding,
    InvalidObservation,
    InvalidQuantity,
    MissingInput,
    StandardsError,
    UnknownCategory,
    UnknownChemical,
    UnknownHazard,
    UnknownRule,
)

__all__ = [
    "accidents",
    "gb18218",
    "lec",
    "risk_matrix",
    "schedule",
    "sphere",
    "weather",
    "StandardsError",
    "InvalidQuantity",
    "UnknownChemical",
    "AmbiguousChemical",
    "UnknownCategory",
    "InvalidHolding",
    "MissingInput",
    "InvalidFactor",
    "UnknownHazard",
    "InvalidObservation",
    "UnknownRule",
    "InvalidDate",
]
