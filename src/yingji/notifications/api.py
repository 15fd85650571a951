"""Notifications API: my inbox, mark read, sign (签收), channel preferences."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from yingji.core.api_utils import ERROR_RESPONSES, PageParams, page_of, paginate
from yingji.notifications import channels, kinds, selectors, services
from yingji.notifications.schemas import (
    NotificationFilter,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    SignOffOut,
)

router = Router(tags=["notifications"])


def _with_signoffs(items):
    signoffs = selectors.signoffs_for(items)
    for n in items:
        n.signoff = signoffs.get(n.pk)
    return items


@router.get("", response={200: page_of(NotificationOut), **ERROR_RESPONSES}, summary="My notifications, unread first")
def list_notifications(request: HttpRequest, filters: Query[NotificationFilter], page: Query[PageParams]):
    qs = selectors.inbox(request.auth, unread=filters.unread, kind=filters.kind)
    result = paginate(qs, page, {"created": "created_at"})
    _with_signoffs(result["items"])
    return result


@router.post("/{pk}/read", response={200: NotificationOut, **ERROR_RESPONSES}, summary="Mark one read")
def read(request: HttpRequest, pk: int):
    n = services.mark_read(request.auth, selectors.own(request.auth, pk))
    return _with_signoffs([n])[0]


@router.post("/{pk}/sign", response={200: SignOffOut, **ERROR_RESPONSES}, summary="Sign for it (签收)")
def sign(request: HttpRequest, pk: int):
    return services.sign(request.auth, selectors.own(request.auth, pk))


def _preferences(user) -> dict:
    contact = selectors.contact(user)
    return {
        "channels": selectors.preferences(user),
        "webhook_url": contact.webhook_url if contact else "",
        "kinds": [{"code": k.code, "label": str(k.label), "default_channels": list(k.default_channels)}
                  for k in kinds.all_kinds()],
        "available_channels": [{"code": c.code, "label": str(c.label)} for c in channels.channels().values()],
    }


@router.get("/preferences", response={200: PreferencesOut, **ERROR_RESPONSES}, summary="My channels per kind")
def get_preferences(request: HttpRequest):
    return _preferences(request.auth)


@router.put("/preferences", response={200: PreferencesOut, **ERROR_RESPONSES}, summary="Choose channels per kind")
def put_preferences(request: HttpRequest, data: PreferencesIn):
    services.set_preferences(request.auth, data.channels, data.webhook_url)
    return _preferences(request.auth)
