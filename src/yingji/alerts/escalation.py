"""A warning escalates into an incident in one step, through the incidents module's link
`incidents.open_from_warning`, carrying its area, hazard type, level and centre. Without an incidents module
the step is refused with a clear message (the button is disabled and says why)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yingji.alerts import stored
from yingji.alerts.models import State, Warning
from yingji.core import crud, links
from yingji.core.errors import Conflict
from yingji.core.roles import Action

__all__ = ["to_incident"]


def to_incident(actor, warning: Warning) -> dict:
    fn = links.get("incidents.open_from_warning")
    if fn is None:
        raise Conflict(_("未安装突发事件模块，无法转为事件"), code="no_incidents")
    with transaction.atomic():
        w = crud.get_for(actor, Warning, warning.pk, Action.CHANGE, lock=True)
        if w.state != State.PUBLISHED:
            raise Conflict(_("只有已发布的预警可以转为事件"), code="bad_state")
        if w.incident_ref:
            return w.incident_ref
        ref = fn(actor, title=w.headline, hazard_type=w.hazard_type, lat=w.lat, lng=w.lng, area=w.boundary,
                 level=w.level, is_exercise=w.is_exercise, source_ref=f"alerts.warning:{w.pk}:{w.identifier}",
                 description="\n".join(t for t in (w.description, w.instruction) if t))
        ref = {"id": ref["id"], "url": ref["url"]}
        w = crud.update(actor, w, {"incident_ref": ref})
        stored.note(actor, w, "escalated", lambda: _("转为突发事件"), ref)
    return ref
