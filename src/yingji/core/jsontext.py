"""JSON text from users, read safely: one `loads` for every place that parses what a person or a device sent.

The standard library's `json.loads` raises more than `JSONDecodeError` on hostile input: a document nested
100,000 levels deep is a `RecursionError`, a number of 5,000 digits a plain `ValueError` (Python's limit on
integer string conversion). Both were 500s. `loads` refuses them, text over a size limit and text nested deeper
than a limit, with one error type (`JsonTextError`, a ValueError) whose message is in the user's language.
"""

from __future__ import annotations

import json
from typing import Any

from django.utils.translation import gettext as _

__all__ = ["JsonTextError", "loads", "MAX_DEPTH"]

MAX_DEPTH = 64  # rules, geometries and reading batches need a handful of levels; 64 leaves room for any schema


class JsonTextError(ValueError):
    """Text that is not JSON we accept; `message` says why in the active language (line and column for syntax)."""

    def __init__(self, message: str, code: str = "bad_json"):
        super().__init__(message)
        self.message = message
        self.code = code


def _deeper_than(value: Any, max_depth: int) -> bool:
    """Whether lists and objects nest deeper than `max_depth` (a walk with its own stack, stopping early)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = item.values()
        elif not isinstance(item, list):
            continue
        if depth > max_depth:
            return True
        stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))
    return False


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_chars: int | None = None) -> Any:
    """`json.loads(text)`, or JsonTextError: not UTF-8, longer than `max_chars`, nested deeper than `max_depth`,
    a syntax error, or a number Python will not convert."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JsonTextError(_("不是有效的 UTF-8 文本（第 %(pos)d 字节）") % {"pos": exc.start + 1}) from None
    if max_chars is not None and len(text) > max_chars:
        raise JsonTextError(_("JSON 过长（最多 %(n)s 个字符）") % {"n": max_chars}, "json_too_long")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonTextError(_("JSON 格式错误：第 %(l)d 行第 %(c)d 列") % {"l": exc.lineno, "c": exc.colno}) from None
    except RecursionError:  # the parser's own stack: a thousand levels and more
        raise JsonTextError(_("JSON 嵌套过深（最多 %(n)s 层）") % {"n": max_depth}, "json_too_deep") from None
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        raise JsonTextError(_("JSON 中的数字过长"), "json_number_too_long") from None
    if _deeper_than(value, max_depth):
        raise JsonTextError(_("JSON 嵌套过深（最多 %(n)s 层）") % {"n": max_depth}, "json_too_deep")
    return value
