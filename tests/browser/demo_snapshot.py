"""The demo city, seeded for real once per test process and put back from a snapshot for every later test.

Seeding the whole demo city (every module's demo, through the services, audited) takes half a minute; the
browser tests each want it in a fresh transactional database. The first test that asks seeds it with
`seed_demo()` and snapshots the database; later tests get the same rows back in about a second:

- SQLite: the online backup API, into memory and back into the test database file;
- PostgreSQL: `COPY … TO STDOUT` of every table, and `COPY … FROM STDIN` after a truncate, foreign keys
  checked as a whole by the data being the snapshot of a consistent database (replica role), sequences reset.

The demo itself is tested where it is built (tests/resources/test_res_demo*.py seed it for real)."""

from __future__ import annotations

import sqlite3

from django.core.cache import cache
from django.core.management.color import no_style
from django.db import connection

_state: dict = {}


def demo_city():
    """The demo report (password, accounts) with the demo city in the test database."""
    from yingji.core import vocabulary
    from yingji.core.demo import seed_demo

    key = (connection.vendor, connection.settings_dict["NAME"])
    if _state.get("key") != key:
        report = seed_demo()
        _state.update(key=key, report=report, data=_take())
    else:
        _put_back(_state["data"])
        vocabulary.invalidate()
        cache.clear()
    return _state["report"]


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _take():
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        return copy
    data = {}
    with connection.cursor() as cur:
        for table in _tables():
            with cur.copy(f"COPY {connection.ops.quote_name(table)} TO STDOUT") as copy:
                data[table] = b"".join(bytes(chunk) for chunk in copy)
    return data


def _put_back(data) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        data.backup(connection.connection)
        return
    from django.apps import apps

    quote = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute(f"TRUNCATE {', '.join(quote(t) for t in data)} RESTART IDENTITY CASCADE")
        for table, rows in data.items():
            if rows:
                with cur.copy(f"COPY {quote(table)} FROM STDIN") as copy:
                    copy.write(rows)
        cur.execute("SET session_replication_role = DEFAULT")
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cur.execute(sql)
