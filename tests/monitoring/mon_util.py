"""Helpers the monitoring tests import (a module name of its own: `conftest` is ambiguous across test folders)."""

from __future__ import annotations

import time


def now_ms() -> int:
    return int(time.time() * 1000)
