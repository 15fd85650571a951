"""Text the system writes onto a warning and keeps (headlines, descriptions, proposal reasons, timeline summaries,
the notifications sent out) is Chinese, whoever clicked: it goes into the CAP zh-CN info block and to other systems,
and an English commander's click must not store English there. Error messages stay in the user's language: only
the stored text is generated under `LANGUAGE`."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation

from yingji.core import timeline

__all__ = ["LANGUAGE", "text", "note", "chinese"]

LANGUAGE = "zh-hans"


def chinese():
    """`with stored.chinese():` — the block generates stored text."""
    return translation.override(LANGUAGE)


def text(make: Callable[[], object]) -> str:
    """`make()` evaluated in Chinese, e.g. `text(lambda: _("起草预警：%(h)s") % {...})`."""
    with translation.override(LANGUAGE):
        return str(make())


def note(actor, subject, kind: str, make: Callable[[], object] | str, data: dict | None = None):
    """A timeline entry whose summary is written in Chinese."""
    return timeline.add(actor, subject, kind, make if isinstance(make, str) else text(make), data)
