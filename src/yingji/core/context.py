"""Per-request context (request id) carried in a contextvar so services can log it without a request."""

from __future__ import annotations

import contextvars
import uuid

__all__ = ["current_request_id", "set_request_id", "new_request_id"]

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("yingji_request_id", default="")


def new_request_id() -> str:
    return uuid.uuid4().hex


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def current_request_id() -> str:
    return _request_id.get()
