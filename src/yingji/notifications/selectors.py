"""Reads of notifications. A notification is private to its recipient: every read here is narrowed to the
user's own rows (that is this app's `restrict`), and another user's id answers NotFound, as for anything
invisible."""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.utils import timezone

from yingji.core.errors import NotFound
from yingji.notifications import kinds
from yingji.notifications.models import (
    ContactSettings,
    Delivery,
    DeliveryStatus,
    Notification,
    Preference,
    SignOff,
)

__all__ = ["restrict", "inbox", "own", "unread_count", "badge_version", "signoff_for", "signoffs_for",
           "preferences", "contact", "due_deliveries", "overdue_signoffs"]


def restrict(user) -> QuerySet[Notification]:
    """The notifications `user` may see: their own; nothing for anonymous or inactive users."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def inbox(user, *, unread: bool | None = None, kind: str | None = None) -> QuerySet[Notification]:
    """The user's inbox: unread first, newest first."""
    qs = restrict(user).select_related("message", "via_unit")
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    if kind:
        qs = qs.filter(message__kind=kind)
    return qs.annotate(
        unread=Case(When(read_at__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    ).order_by("-unread", "-created_at", "-pk")


def own(user, pk) -> Notification:
    try:
        return restrict(user).select_related("message").get(pk=int(pk))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def unread_count(user) -> int:
    return restrict(user).filter(read_at__isnull=True).count()


def badge_version(user) -> str:
    """A cheap fingerprint of the inbox for the badge's ETag: it changes when a notification arrives or is read."""
    row = restrict(user).aggregate(last=Max("pk"), unread=Count("pk", filter=Q(read_at__isnull=True)))
    return f"{row['last'] or 0}:{row['unread']}"


def signoff_for(notification: Notification) -> SignOff | None:
    """The sign-off row this copy signs (its recipient unit's, or the user's own), if the message needs one."""
    if not notification.message.needs_signoff:
        return None
    return (SignOff.objects.select_related("signed_by", "unit")
            .filter(message_id=notification.message_id, scope=notification.signoff_scope).first())


def signoffs_for(notifications) -> dict[int, SignOff]:
    """{notification id: sign-off} for a page of notifications, in one query."""
    items = [n for n in notifications if n.message.needs_signoff]
    if not items:
        return {}
    rows = SignOff.objects.select_related("signed_by").filter(message_id__in={n.message_id for n in items})
    by_key = {(s.message_id, s.scope): s for s in rows}
    return {n.pk: by_key.get((n.message_id, n.signoff_scope)) for n in items}


def preferences(user) -> dict[str, list[str]]:
    """The user's channels for every registered kind: their choice, or the kind's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "channels"))
    return {k.code: list(chosen.get(k.code, k.default_channels)) for k in kinds.all_kinds()}


def contact(user) -> ContactSettings | None:
    return ContactSettings.objects.filter(user=user).first()


def due_deliveries(now=None, fresh_grace_s: int = 60, stale_claim_s: int = 600) -> QuerySet[Delivery]:
    """Deliveries a sweep should (re)try: retries now due, fresh ones whose job seems lost, stuck claims."""
    now = now or timezone.now()
    return Delivery.objects.filter(
        Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=DeliveryStatus.PENDING, next_attempt_at__isnull=True,
            notification__created_at__lt=now - timezone.timedelta(seconds=fresh_grace_s))
        | Q(status=DeliveryStatus.SENDING, claimed_at__lt=now - timezone.timedelta(seconds=stale_claim_s))
    ).order_by("pk")


def overdue_signoffs(now=None) -> QuerySet[SignOff]:
    """Sign-offs past their message's deadline, unsigned and not yet escalated."""
    now = now or timezone.now()
    return (SignOff.objects.select_related("message", "unit")
            .filter(signed_at__isnull=True, escalated_at__isnull=True, message__needs_signoff=True,
                    message__sign_deadline__lt=now)
            .order_by("message__sign_deadline", "pk"))
