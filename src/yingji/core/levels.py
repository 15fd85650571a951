"""Level: one family for every graded thing, 1 always the most severe, with one colour map for every page.

Event levels (特别重大/重大/较大/一般, Ⅰ–Ⅳ), warning colours (红/橙/黄/蓝), response levels (Ⅰ–Ⅳ级响应) and risk
levels (重大/较大/一般/低) share the integers 1–4 and the colours red, orange, yellow, blue.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

__all__ = ["EventLevel", "WarningLevel", "ResponseLevel", "RiskLevel", "COLOURS", "colour_of", "LEVEL_FAMILIES"]


class EventLevel(models.IntegerChoices):
    # In context: the bare words (一般 is also a priority, "Normal") need the event grade's own translation.
    I = 1, pgettext_lazy("事件级别", "特别重大")  # noqa: E741 — the standard's own numerals
    II = 2, pgettext_lazy("事件级别", "重大")
    III = 3, pgettext_lazy("事件级别", "较大")
    IV = 4, pgettext_lazy("事件级别", "一般")


class WarningLevel(models.IntegerChoices):
    # In context: the bare colour words are lower-case adjectives elsewhere ("red" in a sentence); as a level's
    # name on a badge or in a picker they are capitalised.
    RED = 1, pgettext_lazy("预警级别", "红色")
    ORANGE = 2, pgettext_lazy("预警级别", "橙色")
    YELLOW = 3, pgettext_lazy("预警级别", "黄色")
    BLUE = 4, pgettext_lazy("预警级别", "蓝色")


class ResponseLevel(models.IntegerChoices):
    I = 1, _("Ⅰ级响应")  # noqa: E741
    II = 2, _("Ⅱ级响应")
    III = 3, _("Ⅲ级响应")
    IV = 4, _("Ⅳ级响应")


class RiskLevel(models.IntegerChoices):
    MAJOR = 1, _("重大风险")
    LARGE = 2, _("较大风险")
    GENERAL = 3, _("一般风险")
    LOW = 4, _("低风险")


# The same colour for the same level everywhere: pages, badges, the map. Hex values meet WCAG AA as
# backgrounds with the text colour given.
# app.css carries the same values as --yj-level-N (a test keeps the two equal); the map uses these.
COLOURS = {
    1: {"name": "red", "bg": "#c62828", "fg": "#ffffff"},
    2: {"name": "orange", "bg": "#f57c00", "fg": "#212529"},  # white on orange fails AA for badge text
    3: {"name": "yellow", "bg": "#f9c80e", "fg": "#212529"},
    4: {"name": "blue", "bg": "#1565c0", "fg": "#ffffff"},
}

LEVEL_FAMILIES = {"event": EventLevel, "warning": WarningLevel, "response": ResponseLevel, "risk": RiskLevel}


def colour_of(level: int | None) -> dict:
    return COLOURS.get(int(level), {"name": "grey", "bg": "#757575", "fg": "#ffffff"}) if level else \
        {"name": "grey", "bg": "#757575", "fg": "#ffffff"}
