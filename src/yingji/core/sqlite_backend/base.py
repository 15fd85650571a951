"""SQLite, validating integers as PostgreSQL stores them.

SQLite keeps any 64-bit integer in any integer column, so Django's model validation lets 3,000,000,000 into an
IntegerField there, while PostgreSQL's `integer` refuses it. With the portable ranges (those of Django's base
operations, which PostgreSQL uses) both databases give the same 422 for the same input, and lookups with an
out-of-range value behave alike.
"""

from __future__ import annotations

from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.sqlite3 import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    def integer_field_range(self, internal_type):
        return BaseDatabaseOperations.integer_field_ranges[internal_type]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
