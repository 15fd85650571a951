"""A dependency-free progress line on stderr: count, total and percentage, redrawn at most twice a second."""

from __future__ import annotations

import sys
import time
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Reports `label: done/total unit (pct%)`; silent when `enabled` is False."""

    def __init__(
        self, total: int, label: str, unit: str, enabled: bool = True, stream: TextIO | None = None
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.unit = unit
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        """Count `n` more items and redraw if half a second has passed."""
        self.done += n
        if self.enabled and time.monotonic() - self._last >= 0.5:
            self._draw()

    def finish(self) -> None:
        """Draw the final state and end the line."""
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        self._last = time.monotonic()
        pct = 100.0 * self.done / self.total if self.total else 100.0
        self.stream.write(
            f"\r{self.label}: {self.done:,}/{self.total:,} {self.unit} ({min(pct, 100.0):5.1f}%)"
        )
        self.stream.flush()
