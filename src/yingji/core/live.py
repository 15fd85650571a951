"""Live pages by polling: a view that answers 304 Not Modified while a cheap version query says nothing changed.

A page fragment polled by htmx (`poll_attrs()`) is served by a view decorated with `@live(version)`:
`version(request, *args, **kwargs)` returns a short string from a cheap query (a max id, a count, an
updated_at). The ETag covers that string, the user and the language, so the browser revalidates with
If-None-Match and gets an empty 304 until the data changes; any proxy or CDN in between can do the same.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html
from django.utils.http import parse_etags
from django.utils.translation import get_language

__all__ = ["live", "etag_for", "poll_attrs", "DEFAULT_EVERY_S"]

DEFAULT_EVERY_S = 15


def etag_for(request: HttpRequest, version: str) -> str:
    """A weak ETag for `version` as seen by this user in this language."""
    user = getattr(request, "user", None)
    who = str(user.pk) if user is not None and user.is_authenticated else "-"
    digest = hashlib.sha256(f"{who}\x1f{get_language()}\x1f{version}".encode()).hexdigest()[:32]
    return f'W/"{digest}"'


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    wanted = etag.removeprefix("W/")
    return any(t == "*" or t.removeprefix("W/") == wanted for t in parse_etags(header))


def live(version: Callable[..., object]) -> Callable:
    """Decorate a GET view: 304 when the client's ETag still matches `version(request, *args, **kwargs)`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            etag = etag_for(request, str(version(request, *args, **kwargs)))
            if _matches(request, etag):
                response = HttpResponseNotModified()
            else:
                response = view(request, *args, **kwargs)
                if response.status_code != 200:
                    return response
            response["ETag"] = etag
            # private: per user; no-cache: always revalidate (cheap, thanks to the 304).
            response["Cache-Control"] = "private, no-cache"
            patch_vary_headers(response, ("Cookie", "Accept-Language", "HX-Request"))
            return response

        return wrapped

    return decorate


def poll_attrs(url: str, every_s: int = DEFAULT_EVERY_S, swap: str = "outerHTML"):
    """The htmx attributes that make an element re-fetch itself from `url` every `every_s` seconds."""
    return format_html('hx-get="{}" hx-trigger="every {}s" hx-swap="{}"', url, int(every_s), swap)
