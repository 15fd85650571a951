"""Writes for meetings (a decision becomes a supervised task in one step) and versioned responsibility lists.
Kept beside services.py because they compose its task workflow; every write is audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import crud, timeline
from yingji.core.errors import ValidationFailed
from yingji.core.models import OrgUnit
from yingji.core.roles import Action
from yingji.supervision import services
from yingji.supervision.models import Decision, Meeting, ResponsibilityList, Source

__all__ = ["decide", "publish_list"]


def decide(actor, meeting: Meeting, *, text: str, lead: tuple[OrgUnit, dt.date],
           co: Iterable[tuple[OrgUnit, dt.date]] = (), requester: OrgUnit | None = None,
           at: dt.datetime | None = None, notify: bool = True) -> Decision:
    """Record a decision of the meeting and, in the same transaction, the supervised task that carries it out,
    assigned to its lead and co-handling units. Any fault: nothing is written."""
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(_("议定事项不能为空"), details={"text": [_("议定事项不能为空")]})
    with transaction.atomic():
        meeting = crud.get_for(actor, Meeting, meeting.pk, Action.CHANGE, lock=True)
        task = services.create_task(actor, owner_unit=meeting.owner_unit, requester_unit=requester or meeting.owner_unit,
                                    title=text[:300], description=_("%(m)s 议定事项") % {"m": meeting.title},
                                    source=Source.MEETING, source_type="supervision.meeting", source_id=meeting.pk,
                                    at=at)
        services.assign(actor, task, lead=lead, co=co, at=at, notify=notify)
        decision = crud.create(actor, Decision(meeting=meeting, text=text, task=task, owner_unit=meeting.owner_unit))
        timeline.add(actor, task, "decision", _("来源：%(m)s") % {"m": meeting.title}, {"meeting": meeting.pk})
    return decision


def publish_list(actor, unit: OrgUnit, *, title: str, items: str, effective_from: dt.date | None = None
                 ) -> ResponsibilityList:
    """A new version of `unit`'s responsibility list; the previous one stays, no longer current."""
    lines = [line.strip() for line in (items or "").splitlines() if line.strip()]
    if not lines:
        raise ValidationFailed(_("责任事项不能为空"), details={"items": [_("责任事项不能为空")]})
    with transaction.atomic():
        current = ResponsibilityList.objects.select_for_update().filter(owner_unit=unit, is_current=True).first()
        version = (ResponsibilityList.objects.filter(owner_unit=unit).order_by("-version")
                   .values_list("version", flat=True).first() or 0) + 1
        if current is not None:
            crud.update(actor, current, {"is_current": False})
        return crud.create(actor, ResponsibilityList(
            owner_unit=unit, version=version, title=(title or "").strip() or _("%(u)s责任清单") % {"u": unit.name},
            items="\n".join(lines), effective_from=effective_from or timezone.localdate(), is_current=True))
