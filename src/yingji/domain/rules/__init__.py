"""Monitoring rules (pure, numpy): JSON definitions (`spec`), the vectorised kernel (`kernel`), a plain-Python
oracle with the same meaning (`oracle`) and templates from the meteorological signal standard (`templates`)."""

from .kernel import Evaluation, Readings, evaluate
from .spec import Rule, RuleError, lookback_ms, parse

__all__ = ["Evaluation", "Readings", "evaluate", "Rule", "RuleError", "lookback_ms", "parse"]
