"""Test settings: the product's, plus a sample module built on the kernel alone (tests/sample_app).

Under pytest-xdist each worker gets its own var directory (its SQLite files, media, audit checkpoints and job
queue); pytest-django gives each its own test database."""

import os
from pathlib import Path

_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    _base = Path(os.environ.get("YINGJI_VAR_DIR", "var")).resolve()
    if _base.name != _worker:
        os.environ["YINGJI_VAR_DIR"] = str(_base / _worker)

from yingji.config.settings import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.sample_app"]  # noqa: F405
