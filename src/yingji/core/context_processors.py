"""Template context every page of the shell needs."""

from __future__ import annotations

from django.conf import settings

from yingji.core import navigation


def shell(request) -> dict:
    user = getattr(request, "user", None)
    # Only what templates use: never the whole settings dict (it holds the audit key and broker URLs).
    cfg = settings.YINGJI
    ctx = {"yingji_tiles": {"TILE_URL": cfg["TILE_URL"], "TILE_ATTRIBUTION": cfg["TILE_ATTRIBUTION"],
                            "TILE_CRS": cfg["TILE_CRS"]}}
    if user is not None and user.is_authenticated:
        from yingji.core.modules import modules

        ctx["nav_items"] = navigation.items_for(user, getattr(request, "nav_key", ""))
        ctx["shell_includes"] = [t for m in modules() for t in m.shell_includes]
    return ctx
