"""No writer waits on a writer of another subject: each object's audit chain has its own head row."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from yingji.core import audit
from yingji.core import services as core
from yingji.resources.models import Warehouse

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time by design (docs/decisions/0004); the claim is PostgreSQL's")


def test_unrelated_write_commits_while_a_long_import_is_open():
    city = core.create_unit(None, parent=None, code="990100", name="示范市", kind="city")
    town = core.create_unit(None, parent=city, code="990101001", name="镇", kind="town")
    other = core.create_unit(None, parent=city, code="990102001", name="另一镇", kind="town")
    imported, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def long_import():
        try:
            with transaction.atomic():
                from yingji.core import crud

                rows = [Warehouse(owner_unit=town, code=f"W{i:04d}", name=f"库{i}") for i in range(2000)]
                crud.bulk_create(None, rows)  # 2,000 rows, each audited
                imported.set()
                release.wait(timeout=60)  # the import's transaction stays open until the other write is done
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            imported.set()
            connection.close()

    def unrelated_edit():
        try:
            core.update_unit(None, other, {"name": "另一镇（改）"})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    importer = threading.Thread(target=long_import)
    importer.start()
    assert imported.wait(timeout=120)
    editor = threading.Thread(target=unrelated_edit)
    editor.start()
    editor.join(timeout=60)
    finished_while_import_open = not editor.is_alive() and importer.is_alive()
    release.set()
    importer.join(timeout=60)
    editor.join(timeout=5)
    assert not errors, errors
    assert finished_while_import_open, "the unrelated edit waited for the import's transaction"
    assert audit.verify().ok
