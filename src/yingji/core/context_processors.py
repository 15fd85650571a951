"""Template context every page of the shell needs."""

from __future__ import annotations

from django.conf import settings

from yingji.core import navigation


def shell(request) -> dict:
    user = getattr(request, "user", None)
    ctx = {"yingji_tiles": settings.YINGJI}
    if user is not None and user.is_authenticated:
        ctx["nav_items"] = navigation.items_for(user, getattr(request, "nav_key", ""))
    return ctx
