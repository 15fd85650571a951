"""Errors raised by the standards module for bad input.

Every message is Chinese first, then a short English gloss, and names the offending value, so it
can be shown to a user unchanged.
"""

__all__ = [
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


class StandardsError(ValueError):
    """Base class: the input cannot be judged against the standard.

    It subclasses ValueError so callers that already guard numeric parsing keep working.
    """


class InvalidQuantity(StandardsError):
    """A number is missing, not numeric, negative, not whole where it must be, or a bool."""


class UnknownChemical(StandardsError, LookupError):
    """No GB 18218 Table 1 row matches the given sequence number, CAS number or name."""


class AmbiguousChemical(StandardsError, LookupError):
    """A name or CAS number matches several Table 1 rows (e.g. 硝酸铵 rows 43 and 44)."""


class UnknownCategory(StandardsError, LookupError):
    """A GB 18218 Table 2/4 hazard symbol (J1…W11) that does not exist."""


class InvalidHolding(StandardsError):
    """A GB 18218 holding described inconsistently (both or neither of chemical and category…)."""


class MissingInput(StandardsError):
    """Something needed for this particular case was not given (hazard symbol, population…)."""


class InvalidFactor(StandardsError):
    """A LEC factor or risk-matrix score that is not one of the table's values."""


class UnknownHazard(StandardsError, LookupError):
    """A weather hazard that is unknown, or known but not implemented because unverified."""


class InvalidObservation(StandardsError):
    """A weather observation name that the chosen signal does not take, or none given at all."""


class UnknownRule(StandardsError, LookupError):
    """A schedule rule (drill or review interval) that the sources do not define."""


class InvalidDate(StandardsError):
    """A value that should be a calendar date is not one."""
