"""Named calls between modules, so that no module imports another module's models.

A module that offers something to the others provides it under a dotted name in its AppConfig's `ready()`;
a module that uses it asks for it by that name and copes when the provider is not installed:

    # risk/apps.py
    links.provide("risk.features_in_area", selectors.features_in_area)

    # warnings/chains.py
    features = links.call("risk.features_in_area", geometry, default=[])

The names, their arguments and what they return are the contract; `docs/kernel.md` lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["provide", "get", "call", "provided", "MISSING"]

_registry: dict[str, Callable[..., Any]] = {}


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def provide(name: str, fn: Callable[..., Any] | None = None):
    """Register `fn` under `name` (also usable as a decorator). Registering a different function under a
    name already taken is a programming error: two modules would answer the same question."""
    if "." not in name:
        raise ValueError(f"link names are '<module>.<what>', got {name!r}")

    def _register(f: Callable[..., Any]) -> Callable[..., Any]:
        existing = _registry.get(name)
        if existing is not None and existing is not f and getattr(existing, "__qualname__", None) != getattr(
                f, "__qualname__", None):
            raise ValueError(f"link {name!r} is already provided by {existing!r}")
        _registry[name] = f
        return f

    return _register(fn) if fn is not None else _register


def get(name: str) -> Callable[..., Any] | None:
    return _registry.get(name)


def call(name: str, *args: Any, default: Any = MISSING, **kwargs: Any) -> Any:
    """Call the function provided under `name`. Without a provider, return `default` if one is given;
    otherwise raise LookupError (the caller depends on the provider being installed)."""
    fn = _registry.get(name)
    if fn is None:
        if default is MISSING:
            raise LookupError(f"no module provides {name!r}")
        return default
    return fn(*args, **kwargs)


def provided() -> list[str]:
    return sorted(_registry)
