"""Reading OSM way tags: is a way drivable by an emergency vehicle, and in which direction(s)."""

from __future__ import annotations

import enum
from collections.abc import Mapping

__all__ = ["Direction", "way_direction", "is_accessible"]

_YES = frozenset({"yes", "1", "true"})
_REVERSE = frozenset({"-1", "reverse"})
_NO = frozenset({"no", "0", "false"})
_CLOSED = frozenset({"no"})
# Implied one-way: roundabouts and motorways carry traffic one way even when `oneway` is not tagged.
_ONEWAY_JUNCTIONS = frozenset({"roundabout", "circular"})
_ONEWAY_HIGHWAYS = frozenset({"motorway"})


class Direction(enum.Enum):
    """Which way traffic may drive along a way's node order."""

    BOTH = "both"
    FORWARD = "forward"
    BACKWARD = "backward"


def way_direction(tags: Mapping[str, str]) -> Direction:
    """Direction of travel permitted on a way, from `oneway`, `junction` and `highway` tags.

    An explicit `oneway` wins ("yes"/"1"/"true" forward, "-1"/"reverse" backward, "no" both);
    otherwise roundabouts and motorways are one-way forward. "reversible" and "alternating" ways
    change direction during the day; they are kept in both directions because a dispatcher cannot
    know the current state and blocking them would hide real routes.
    """
    oneway = (tags.get("oneway") or "").strip().lower()
    if oneway in _YES:
        return Direction.FORWARD
    if oneway in _REVERSE:
        return Direction.BACKWARD
    if oneway in _NO:
        return Direction.BOTH
    if tags.get("junction") in _ONEWAY_JUNCTIONS or tags.get("highway") in _ONEWAY_HIGHWAYS:
        return Direction.FORWARD
    return Direction.BOTH


def is_accessible(tags: Mapping[str, str]) -> bool:
    """False when motor vehicles are barred and emergency vehicles are not explicitly let in.

    `access=private` stays open: fire engines and ambulances do enter gated compounds and campuses.
    `area=yes` highways (squares) are outlines, not streets, and are skipped.
    """
    if tags.get("area") == "yes":
        return False
    if tags.get("emergency") in {"yes", "designated"}:
        return True
    # Most specific key first: motorcar=yes overrides access=no.
    for key in ("motorcar", "motor_vehicle", "vehicle", "access"):
        value = tags.get(key)
        if value is not None:
            return value not in _CLOSED
    return True
