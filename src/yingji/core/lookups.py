"""Lookups that keep out-of-range integers away from the database.

Django already answers `exact`, `gt`, `lt` … on an integer column with a value no such column can hold as "no
rows". `in` it sends as is: SQLite raises OverflowError and PostgreSQL DataError (bigint out of range). That
made every model choice field a 500 for a tampered id (`towns=999999999999999999999`): ModelChoiceField and
ModelMultipleChoiceField check the ids with `pk__in`. With `WithinRangeIn` registered for every integer field
(`CoreConfig.ready`), such values simply match nothing, so every form in every module says "not a valid
choice" in the user's language, and API filters by ids behave the same on both databases (decision 0020).
"""

from __future__ import annotations

from django.db import models
from django.db.models.lookups import In

__all__ = ["WithinRangeIn", "register"]


class WithinRangeIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(self.lhs.output_field.get_internal_type())
            self.rhs = [v for v in self.rhs if not isinstance(v, int) or (
                (low is None or v >= low) and (high is None or v <= high))]
        return super().process_rhs(compiler, connection)  # nothing left: no rows (EmptyResultSet)


def register() -> None:
    models.IntegerField.register_lookup(WithinRangeIn)
