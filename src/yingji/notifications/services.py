"""The one notification service every module calls, and every write of this app (each audited).

`notify()` records a message once per event key, one inbox copy per recipient user, one sign-off row per
recipient unit when it needs 签收, and one delivery per chosen channel; deliveries go out after the commit,
through jobs. Sending is idempotent per (event, recipient, channel): a delivery is claimed by a conditional
UPDATE, so a retried or duplicated job finds it taken or sent and sends nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core import audit, jobs
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.models import OrgUnit, RoleAssignment, User
from yingji.core.roles import RoleCode
from yingji.notifications import channels as channel_registry
from yingji.notifications import kinds, selectors
from yingji.notifications.models import (
    ContactSettings,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Message,
    Notification,
    Preference,
    SignOff,
    scope_of,
)

__all__ = ["Recipient", "notify", "mark_read", "mark_all_read", "sign", "set_preferences", "escalate_overdue",
           "attempt_delivery", "deliver_due", "backoff_s", "DELIVER_JOB"]

log = logging.getLogger("yingji.notifications")
DELIVER_JOB = "notifications.deliver"


@dataclass(frozen=True)
class Recipient:
    """A user, or a unit: the users holding roles at that unit (optionally only some roles)."""

    user: User | None = None
    unit: OrgUnit | None = None
    roles: tuple[str, ...] = ()

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        return cls(user=user)

    @classmethod
    def of_unit(cls, unit: OrgUnit, roles: Iterable[str] = ()) -> Recipient:
        return cls(unit=unit, roles=tuple(roles))

    def users(self) -> list[User]:
        if self.user is not None:
            return [self.user] if self.user.is_active else []
        ras = RoleAssignment.objects.filter(unit=self.unit, user__is_active=True)
        if self.roles:
            ras = ras.filter(role__in=self.roles)
        ids = set(ras.values_list("user_id", flat=True))
        return list(User.objects.filter(pk__in=ids).order_by("pk"))


def _check_url(url: str) -> None:
    if not url or (url.startswith("/") and not url.startswith("//")):
        return
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed(details={"url": [_("链接应为站内路径或 http(s) 地址")]}) from None


def _delivery_key(message_key: str, user_id: int, channel: str) -> str:
    return hashlib.sha256(f"{message_key}\x1f{user_id}\x1f{channel}".encode()).hexdigest()


def notify(kind: str, *, key: str, recipients: Iterable[Recipient], title: str, body: str = "", url: str = "",
           subject: models.Model | None = None, needs_signoff: bool = False,
           sign_deadline: dt.datetime | None = None, sender_unit: OrgUnit | None = None, actor=None) -> Message:
    """Notify `recipients` of event `key` once: a second call with the same key returns the first message."""
    if kinds.get(kind) is None:
        raise ValidationFailed(details={"kind": [_("未知的通知类别：%(k)s") % {"k": kind}]})
    if not key or not title:
        raise ValidationFailed(details={"key" if not key else "title": [_("不能为空")]})
    if needs_signoff and sign_deadline is None:
        raise ValidationFailed(details={"sign_deadline": [_("需要签收的通知必须有签收期限")]})
    _check_url(url)
    existing = Message.objects.filter(key=key).first()
    if existing is not None:
        return existing
    recipients = list(recipients)
    try:
        with transaction.atomic():
            message, pending = _record(kind, key, recipients, title, body, url, subject, needs_signoff,
                                       sign_deadline, sender_unit, actor)
    except IntegrityError:
        # The same event notified concurrently: the other call won; its message is the one.
        return Message.objects.get(key=key)
    transaction.on_commit(lambda: _enqueue(pending))
    return message


def _record(kind, key, recipients, title, body, url, subject, needs_signoff, sign_deadline, sender_unit, actor):
    message = Message.objects.create(
        key=key, kind=kind, title=title[:200], body=body, url=url,
        subject_type=ContentType.objects.get_for_model(subject) if subject is not None else None,
        subject_id=str(subject.pk) if subject is not None else "",
        needs_signoff=needs_signoff, sign_deadline=sign_deadline if needs_signoff else None,
        sender_unit=sender_unit, created_by=actor if getattr(actor, "pk", None) else None,
    )
    changes = [audit.Change.of("create", message, None, audit.snapshot(message))]
    seen: set[int] = set()
    copies: list[Notification] = []
    signoffs: dict[str, SignOff] = {}
    for r in recipients:
        if needs_signoff:
            scope = scope_of(r.unit.pk if r.unit else None, r.user.pk if r.user else None)
            signoffs.setdefault(scope, SignOff(message=message, scope=scope, unit=r.unit or None))
        for user in r.users():
            if user.pk not in seen:
                seen.add(user.pk)
                copies.append(Notification(message=message, user=user, via_unit=r.unit))
    copies = Notification.objects.bulk_create(copies)
    created_signoffs = SignOff.objects.bulk_create(list(signoffs.values()))
    deliveries = _deliveries(message, copies)
    changes += [audit.Change.of("create", o, None, audit.snapshot(o))
                for o in [*copies, *created_signoffs, *deliveries]]
    audit.record_many(changes, actor)
    return message, [d.pk for d in deliveries if d.status == DeliveryStatus.PENDING]


def _deliveries(message: Message, copies: list[Notification]) -> list[Delivery]:
    if not copies:
        return []
    users = [n.user for n in copies]
    chosen = {(p.user_id): p.channels for p in Preference.objects.filter(user__in=users, kind=message.kind)}
    contacts = {c.user_id: c for c in ContactSettings.objects.filter(user__in=users)}
    default = kinds.get(message.kind).default_channels
    available = channel_registry.channels()
    out = []
    for n in copies:
        for code in chosen.get(n.user_id, default):
            channel = available.get(code)
            if channel is None:
                continue
            address = channel.address(n.user, contacts.get(n.user_id))
            out.append(Delivery(
                notification=n, channel=code, key=_delivery_key(message.key, n.user_id, code), address=address,
                status=DeliveryStatus.PENDING if address else DeliveryStatus.SKIPPED,
                last_error="" if address else _("没有该渠道的联系地址"),
            ))
    return Delivery.objects.bulk_create(out)


def _enqueue(delivery_ids: list[int]) -> None:
    for pk in delivery_ids:
        try:
            jobs.enqueue(DELIVER_JOB, pk)
        except Exception:  # noqa: BLE001 — a queue outage must not fail the request; the sweep retries
            log.exception("could not queue delivery %s; the periodic sweep will send it", pk)


def mark_read(user, notification: Notification) -> Notification:
    """Mark the user's own notification read (once; reading it again changes nothing)."""
    n = selectors.own(user, notification.pk)
    if n.read_at is None:
        with transaction.atomic():
            before = audit.snapshot(n)
            now = timezone.now()
            if Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=now):
                n.read_at = now
                audit.record("read", n, before, audit.snapshot(n), user)
            else:
                n.refresh_from_db()
    return n


def mark_all_read(user) -> int:
    with transaction.atomic():
        unread = list(selectors.restrict(user).filter(read_at__isnull=True).select_for_update())
        if not unread:
            return 0
        now = timezone.now()
        Notification.objects.filter(pk__in=[n.pk for n in unread]).update(read_at=now)
        changes = []
        for n in unread:
            before = audit.snapshot(n)
            n.read_at = now
            changes.append(audit.Change.of("read", n, before, audit.snapshot(n)))
        audit.record_many(changes, user)
    return len(unread)


def sign(user, notification: Notification) -> SignOff:
    """签收: record that `user` signed for their unit (or themselves). Idempotent and safe under concurrency:
    the first signer of a unit is recorded, later calls return that same sign-off."""
    n = selectors.own(user, notification.pk)
    if not n.message.needs_signoff:
        raise Conflict(_("这条通知不需要签收"), code="no_signoff")
    with transaction.atomic():
        so = SignOff.objects.filter(message_id=n.message_id, scope=n.signoff_scope).first()
        if so is None:
            raise Conflict(_("这条通知不需要签收"), code="no_signoff")
        before = audit.snapshot(so)
        now = timezone.now()
        # The conditional UPDATE is the lock: of two signers, the second matches no row (PostgreSQL re-checks
        # the WHERE after the first commits; SQLite serialises writers), so exactly one sign-off is recorded.
        if SignOff.objects.filter(pk=so.pk, signed_at__isnull=True).update(signed_by=user, signed_at=now):
            so.refresh_from_db()
            audit.record("sign", so, before, audit.snapshot(so), user)
    if n.read_at is None:
        mark_read(user, n)
    return SignOff.objects.select_related("signed_by", "unit").get(pk=so.pk)


def set_preferences(user, choices: dict[str, list[str]], webhook_url: str | None = None) -> dict[str, list[str]]:
    """Set the user's channels per kind (kinds not named keep theirs); all-or-nothing, audited."""
    errors: dict[str, list[str]] = {}
    available = channel_registry.channels()
    clean: dict[str, list[str]] = {}
    for kind, codes in (choices or {}).items():
        if kinds.get(kind) is None:
            errors.setdefault(kind, []).append(_("未知的通知类别：%(k)s") % {"k": kind})
            continue
        bad = [c for c in codes if c not in available]
        if bad:
            errors.setdefault(kind, []).append(_("未知的渠道：%(c)s") % {"c": ", ".join(map(str, bad))})
        clean[kind] = sorted(set(codes) - set(bad))
    if webhook_url:
        try:
            URLValidator(schemes=["http", "https"])(webhook_url)
        except ValidationError:
            errors["webhook_url"] = [_("Webhook 地址应为 http(s) 地址")]
    if errors:
        raise ValidationFailed(details=errors)
    with transaction.atomic():
        changes = []
        for kind, codes in clean.items():
            pref = Preference.objects.select_for_update().filter(user=user, kind=kind).first()
            if pref is None:
                pref = Preference.objects.create(user=user, kind=kind, channels=codes)
                changes.append(audit.Change.of("create", pref, None, audit.snapshot(pref)))
            elif sorted(pref.channels) != codes:
                before = audit.snapshot(pref)
                pref.channels = codes
                pref.save(update_fields=["channels"])
                changes.append(audit.Change.of("update", pref, before, audit.snapshot(pref)))
        if webhook_url is not None:
            contact, created = ContactSettings.objects.select_for_update().get_or_create(user=user)
            before = None if created else audit.snapshot(contact)
            if created or contact.webhook_url != webhook_url:
                contact.webhook_url = webhook_url
                contact.save(update_fields=["webhook_url"])
                changes.append(audit.Change.of("create" if created else "update", contact, before,
                                               audit.snapshot(contact)))
        audit.record_many(changes, user)
    return selectors.preferences(user)


def escalate_overdue(now: dt.datetime | None = None, limit: int = 500) -> int:
    """Notify the leadership (unit_admin at the unit and its parent) of each sign-off past its deadline, once."""
    now = now or timezone.now()
    done = 0
    for so in selectors.overdue_signoffs(now)[:limit]:
        with transaction.atomic():
            if not SignOff.objects.filter(pk=so.pk, signed_at__isnull=True, escalated_at__isnull=True) \
                    .update(escalated_at=now):
                continue  # signed or escalated meanwhile
            before = audit.snapshot(so)
            so.escalated_at = now
            audit.record("escalate", so, before, audit.snapshot(so), None)
            unit = so.unit or _user_unit(so.scope)
            targets = [Recipient.of_unit(u, [RoleCode.UNIT_ADMIN])
                       for u in ([unit, unit.parent] if unit and unit.parent_id else [unit]) if u is not None]
            msg = so.message
            notify(kinds.ESCALATION, key=f"escalation:{so.pk}", recipients=targets,
                   title=_("签收超时：%(t)s") % {"t": msg.title},
                   body=_("%(who)s 未在 %(when)s 前签收。") % {
                       "who": unit.name if unit else so.scope,
                       "when": timezone.localtime(msg.sign_deadline).strftime("%Y-%m-%d %H:%M")},
                   url=msg.url, sender_unit=unit)
        done += 1
    return done


def _user_unit(scope: str) -> OrgUnit | None:
    if not scope.startswith("user:"):
        return None
    user = User.objects.select_related("unit").filter(pk=int(scope[5:])).first()
    return user.unit if user else None


def backoff_s(attempts: int) -> int:
    """Seconds before retry number `attempts` (1, 2, …): base × 2^(attempts-1)."""
    return int(settings.YINGJI_NOTIFY["RETRY_BASE_S"]) * 2 ** max(attempts - 1, 0)


def attempt_delivery(delivery_id: int, now: dt.datetime | None = None) -> Delivery | None:
    """Try one delivery if it is due and nobody else holds it; log the attempt; schedule a retry with back-off.

    Returns None when there was nothing to do (already sent, failed for good, not due, or claimed elsewhere)."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=10)
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    with transaction.atomic():
        if not Delivery.objects.filter(due | Q(status=DeliveryStatus.SENDING, claimed_at__lt=stale), pk=delivery_id) \
                .update(status=DeliveryStatus.SENDING, claimed_at=now):
            return None
    d = Delivery.objects.select_related("notification__message", "notification__user").get(pk=delivery_id)
    before = audit.snapshot(d)
    msg = d.notification.message
    url = msg.url if not msg.url.startswith("/") else settings.YINGJI_NOTIFY["SITE_URL"] + msg.url
    out = channel_registry.Outgoing(key=d.key, address=d.address, kind=msg.kind, title=msg.title, body=msg.body,
                                    url=url, payload={"event": msg.key, "recipient": d.notification.user.username})
    channel = channel_registry.get(d.channel)
    attempt = DeliveryAttempt(delivery=d)
    try:
        if channel is None:
            raise channel_registry.SendError(f"channel {d.channel!r} is not configured", temporary=False)
        result = channel.send(out)
    except channel_registry.SendError as exc:
        attempt.ok, attempt.status_code, attempt.detail = False, exc.status_code, exc.detail
        d.attempts += 1
        d.last_error = exc.detail
        if exc.temporary and d.attempts < settings.YINGJI_NOTIFY["MAX_ATTEMPTS"]:
            d.status, d.next_attempt_at = DeliveryStatus.PENDING, now + dt.timedelta(seconds=backoff_s(d.attempts))
        else:
            d.status, d.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        attempt.ok, attempt.status_code, attempt.detail = True, result.status_code, result.detail[:500]
        d.attempts += 1
        d.status, d.sent_at, d.next_attempt_at, d.last_error = DeliveryStatus.SENT, now, None, ""
    with transaction.atomic():
        d.claimed_at = None
        d.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_at", "sent_at", "last_error"])
        attempt.save()
        audit.record_many([audit.Change.of("deliver", d, before, audit.snapshot(d)),
                           audit.Change.of("create", attempt, None, audit.snapshot(attempt))], None)
    if d.status == DeliveryStatus.PENDING:
        try:
            jobs.enqueue(DELIVER_JOB, d.pk, delay=backoff_s(d.attempts))
        except Exception:  # noqa: BLE001 — the sweep picks it up at next_attempt_at
            log.exception("could not schedule the retry of delivery %s", d.pk)
    return d


def deliver_due(now: dt.datetime | None = None, limit: int = 500) -> int:
    """The sweep: try every delivery that is due (retries, lost jobs, stuck claims). Returns how many were tried."""
    tried = 0
    for pk in selectors.due_deliveries(now).values_list("pk", flat=True)[:limit]:
        if attempt_delivery(pk, now) is not None:
            tried += 1
    return tried
