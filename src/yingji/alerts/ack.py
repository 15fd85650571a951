"""签收: every town inside a published warning's area acknowledges each message (Alert or Update) through the
notifications service; a town that has not signed by the level's deadline is escalated by the notifications
job (unit_admin at the town and its parent). One message key per CAP message, so re-publishing never
double-asks."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.alerts import conf, stored
from yingji.core.errors import Conflict
from yingji.core.models import OrgUnit

__all__ = ["KIND", "key_of", "request", "rows", "acknowledge", "current_message"]

KIND = "alerts.published"


def key_of(msg) -> str:
    return f"alerts:ack:{msg.identifier}"


def request(actor, w, msg) -> None:
    from yingji.notifications import services as notifications
    from yingji.notifications.services import Recipient

    towns = list(OrgUnit.objects.filter(pk__in=w.area_units or []).order_by("path"))
    if not towns:
        return
    deadline = msg.sent + dt.timedelta(minutes=conf.ack_minutes(w.level))
    notifications.notify(
        KIND, key=key_of(msg), recipients=[Recipient.of_unit(t, ["unit_admin", "unit_staff"]) for t in towns],
        title=stored.text(lambda: _("请签收%(l)s预警：%(h)s") % {"l": w.get_level_display(), "h": w.headline[:120]}),
        body=stored.text(lambda: _("%(d)s 有效期 %(a)s 至 %(b)s。") % {
            "d": w.area_desc[:200], "a": timezone.localtime(w.onset).strftime("%m-%d %H:%M"),
            "b": timezone.localtime(w.expires).strftime("%m-%d %H:%M")}),
        url=f"/warnings/{w.pk}/", subject=w, needs_signoff=True, sign_deadline=deadline,
        sender_unit=w.owner_unit, actor=actor)


def current_message(w):
    return w.messages.exclude(msg_type="Cancel").order_by("-sent", "-pk").first()


def rows(w) -> dict:
    """Who has and hasn't acknowledged the current message: [{unit, signed_by, signed_at, escalated_at, late}]."""
    from yingji.notifications.models import Message, SignOff

    msg = current_message(w)
    if msg is None:
        return {"message": None, "rows": [], "deadline": None, "signed": 0, "total": 0}
    m = Message.objects.filter(key=key_of(msg)).first()
    if m is None:
        return {"message": msg, "rows": [], "deadline": None, "signed": 0, "total": 0}
    now = timezone.now()
    out = []
    for so in SignOff.objects.filter(message=m).select_related("unit", "signed_by").order_by("unit__path"):
        late = so.signed_at is None and m.sign_deadline and m.sign_deadline < now
        out.append({"id": so.pk, "unit": so.unit, "signed_by": so.signed_by, "signed_at": so.signed_at,
                    "escalated_at": so.escalated_at, "late": bool(late),
                    "late_signed": bool(so.signed_at and m.sign_deadline and so.signed_at > m.sign_deadline)})
    return {"message": msg, "rows": out, "deadline": m.sign_deadline,
            "signed": sum(1 for r in out if r["signed_at"]), "total": len(out)}


def acknowledge(user, w):
    """The user signs for their unit: the in-app item of the current message that reached them."""
    from yingji.notifications import selectors as ntf
    from yingji.notifications import services as notifications

    msg = current_message(w)
    if msg is None or w.state != "published":
        raise Conflict(_("只有已发布的预警需要签收"), code="bad_state")
    mine = ntf.inbox(user).filter(message__key=key_of(msg)).first()
    if mine is None:
        raise Conflict(_("您所在单位不在预警区域内，无需签收"), code="not_recipient")
    before = ntf.signoff_for(mine)
    if before is not None and before.signed_at is not None:
        return before
    so = notifications.sign(user, mine)
    if so.signed_by_id == user.pk:
        stored.note(user, w, "acknowledged", lambda: _("%(u)s 签收") % {"u": so.unit or user},
                    {"unit": getattr(so.unit, "name", ""), "message": msg.identifier})
    return so
