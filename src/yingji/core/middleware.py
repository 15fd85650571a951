"""Request id middleware: every request gets an id, echoed in X-Request-ID and written to the audit log."""

from __future__ import annotations

import re

from yingji.core import context

_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID.match(incoming) else context.new_request_id()
        token = context.set_request_id(rid)
        request.request_id = rid
        try:
            response = self.get_response(request)
        finally:
            context._request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class DomainErrorPageMiddleware:
    """Pages (not the API, which has its own handler) show a domain error as a page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from yingji.core.errors import YingjiError

        if isinstance(exception, YingjiError) and not request.path.startswith("/api/"):
            return render(request, "core/error.html", {"error": exception}, status=exception.status)
        return None
