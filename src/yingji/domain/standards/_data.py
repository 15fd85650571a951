"""Load the reference tables shipped in ``data/`` (package data, never the shared folder).

Tables are parsed once and cached; callers must treat the returned objects as read-only.
"""

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_table"]


@cache
def load_table(name: str) -> Any:
    """Return the parsed JSON table ``data/<name>.json``."""
    text = resources.files(__package__).joinpath("data", f"{name}.json").read_text(encoding="utf-8")
    return json.loads(text)
