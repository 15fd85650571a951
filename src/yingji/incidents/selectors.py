"""Reads: the incidents a user may see, the board of active ones, one incident's dashboard picture, its timeline
(with the timelines of reports merged into it) and the replay frames."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.utils import timezone

from yingji.core import crud, links, timeline, vocabulary
from yingji.core.levels import colour_of
from yingji.core.models import TimelineEntry
from yingji.core.roles import Action
from yingji.incidents import reporting
from yingji.incidents.models import ACTIVE_PHASES, OPEN_DISPATCH, Incident

__all__ = ["visible", "active", "board", "timeline_of", "dashboard", "version", "STATUS_COLOURS", "active_link"]

# Dispatched resources on the map, by status (the word is always shown beside the colour).
STATUS_COLOURS = {"dispatched": "#6c757d", "accepted": "#0d6efd", "en_route": "#fd7e14", "on_scene": "#198754",
                  "released": "#adb5bd", "declined": "#dc3545", "cancelled": "#adb5bd"}
STATUS_BADGES = {"dispatched": "text-bg-secondary", "accepted": "text-bg-primary", "en_route": "text-bg-warning",
                 "on_scene": "text-bg-success", "released": "text-bg-light", "declined": "text-bg-danger",
                 "cancelled": "text-bg-light"}


def visible(user):
    return Incident.objects.restrict(user).select_related("owner_unit", "town")


def active(user):
    return visible(user).filter(phase__in=ACTIVE_PHASES)


def board(user, limit: int = 50) -> list[dict]:
    names = vocabulary.hazard_names()
    rows = []
    for inc in active(user).order_by("level", "-reported_at")[:limit]:
        open_reports = reporting.countdown(inc)
        rows.append({"incident": inc, "hazard": names.get(inc.hazard_type, inc.hazard_type),
                     "open_dispatches": inc.dispatches.filter(status__in=OPEN_DISPATCH).count(),
                     "next_report": open_reports[0] if open_reports else None})
    return rows


def active_link(user) -> list[dict]:
    """Provider of `incidents.active` (docs/kernel.md)."""
    return [{"id": i.pk, "title": i.title, "level": i.level, "hazard_type": i.hazard_type, "lat": i.lat,
             "lng": i.lng, "phase": i.phase, "url": f"/incidents/{i.pk}/", "is_exercise": i.is_exercise}
            for i in active(user).order_by("-reported_at")[:500]]


def timeline_of(user, inc: Incident):
    """The incident's entries and those of the reports merged into it, oldest first (each chain stays whole)."""
    timeline.entries(user, inc)  # NotFound unless visible now
    ct = ContentType.objects.get_for_model(Incident)
    ids = [inc.pk, *Incident.objects.filter(merged_into=inc).values_list("pk", flat=True)]
    return TimelineEntry.objects.filter(subject_type=ct, subject_id__in=ids).order_by("at", "seq")


def version(request, pk) -> str:
    """A cheap version of everything the dashboard shows: the newest timeline entry of the incident."""
    ct = ContentType.objects.get_for_model(Incident)
    last = TimelineEntry.objects.filter(subject_type=ct, subject_id=pk).aggregate(m=Max("seq"))["m"]
    minute = timezone.now().strftime("%H%M")  # the countdown moves every minute
    return f"{pk}:{last}:{minute}"


def dashboard(user, pk) -> dict:
    inc = crud.get_for(user, Incident, pk, Action.VIEW)
    dispatches = list(inc.dispatches.select_related("resource_unit").order_by("dispatched_at"))
    for d in dispatches:
        d.badge = STATUS_BADGES.get(d.status, "text-bg-secondary")
    features = links.call("risk.features_near", inc.lat, inc.lng, 3000, default=[])
    pad = 0.05
    warnings = links.call("warnings.active", (inc.lng - pad, inc.lat - pad, inc.lng + pad, inc.lat + pad),
                          default=[])
    from yingji.incidents import nearby

    tasks = list(tasks_of(user, inc).exclude(state__in=("closed", "cancelled"))[:50])
    return {
        "incident": inc, "level_colour": colour_of(inc.level), "dispatches": dispatches,
        "hazards": features, "warnings": warnings, "places": nearby.places(user, inc),
        "reports": reporting.countdown(inc), "all_reports": list(inc.reports.all()),
        "tasks": tasks, "entries": list(timeline_of(user, inc).order_by("-at", "-seq")[:30]),
        "status_colours": STATUS_COLOURS,
    }


def tasks_of(user, inc: Incident):
    """Supervision's Tasks the user may see that were given for this incident, newest first."""
    from yingji.supervision import selectors as supervision

    return supervision.tasks(user).filter(source_type="incidents.incident", source_id=inc.pk)
