"""Errors raised by the dispatch package; catch `AllocationError` to handle them all."""

from __future__ import annotations

__all__ = ["AllocationError", "InvalidDispatchInput", "SolverFailed"]


class AllocationError(Exception):
    """Base class of every error raised by `yingji.domain.dispatch`."""


class InvalidDispatchInput(AllocationError, ValueError):
    """Demands, resources or travel times are malformed (duplicate ids, wrong matrix shape, negative values)."""


class SolverFailed(AllocationError):
    """The optimisation solver did not return an optimal solution (a bug or numerical trouble, not infeasibility)."""
