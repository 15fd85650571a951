"""The HTTP API: one NinjaAPI under /api/v1/, its authentication and its single error shape."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth
from ninja.utils import check_csrf

from yingji.config.openapi import MemoisedOpenAPISchema, cached_schema
from yingji.core import services
from yingji.core.api import router as core_router
from yingji.core.api_kernel import router as kernel_router
from yingji.core.api_users import router as users_router
from yingji.core.api_utils import document_errors, error_payload
from yingji.core.crud import validation_details
from yingji.core.errors import PermissionDenied, YingjiError
from yingji.core.modules import modules

log = logging.getLogger("yingji.api")


class BearerToken(HttpBearer):
    """`Authorization: Bearer yj_…` — machine clients."""

    def authenticate(self, request, token):
        user = services.authenticate_token(token)
        if user is not None:
            request.user = user
        return user


class HeaderToken(APIKeyHeader):
    """`X-API-Key: yj_…` — for clients that cannot set Authorization."""

    param_name = "X-API-Key"

    def authenticate(self, request, key):
        return BearerToken().authenticate(request, key or "")


class Session(SessionAuth):
    """The browser session. Without a logged-in user it declines (so the answer is 401, not a CSRF 403); with
    one, an unsafe method must carry the CSRF token."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise PermissionDenied(_("CSRF 校验失败：请刷新页面后重试，或改用 API 令牌"), code="csrf_failed")
        return user


class YingjiAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return cached_schema((path_prefix,), lambda: document_errors(MemoisedOpenAPISchema(self, path_prefix)))


api = YingjiAPI(
    title="Yingji API",
    version="1",
    description="应急管理综合平台 API. Errors: {\"error\": {\"code\", \"message\", \"details\"}}.",
    auth=[BearerToken(), HeaderToken(), Session()],
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Operations folded and the model section hidden: Swagger UI rendered every model of a 600 kB document
    # and took over 20 s on a loaded machine; a reader opens the tag or operation they want.
    docs=Swagger(settings={"docExpansion": "none", "defaultModelsExpandDepth": -1, "filter": True}),
)
api.add_router("/", core_router)
api.add_router("/", users_router)
api.add_router("/", kernel_router)
for _module in modules():
    _router = _module.api_router()
    if _router is not None:
        api.add_router(f"/{_module.api_prefix}", _router)


def _respond(request, status: int, code: str, message, details=None):
    return api.create_response(request, error_payload(code, str(message), details), status=status)


@api.exception_handler(YingjiError)
def _domain_error(request, exc: YingjiError):
    return _respond(request, exc.status, exc.code, exc.message, exc.details)


@api.exception_handler(NinjaValidationError)
def _invalid_input(request, exc: NinjaValidationError):
    details = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return _respond(request, 422, "validation_failed", _("输入数据有误，未做任何更改"), details)


@api.exception_handler(DjangoValidationError)
def _invalid_model(request, exc: DjangoValidationError):
    return _respond(request, 422, "validation_failed", _("输入数据有误，未做任何更改"), validation_details(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _respond(request, 401, "not_authenticated", _("请先登录或提供有效的 API 令牌"))


@api.exception_handler(DjangoPermissionDenied)
def _forbidden(request, exc):
    return _respond(request, 403, "permission_denied", _("您没有执行此操作的权限"))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _respond(request, 404, "not_found", _("对象不存在或您无权查看"))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {400: "bad_request", 405: "method_not_allowed", 413: "too_large"}.get(exc.status_code, "error")
    return _respond(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return _respond(request, 413, "too_large", _("请求数据过大"))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return _respond(request, 400, "bad_request", _("请求格式错误"))


@api.exception_handler(DataError)
def _out_of_range(request, exc):
    """Backstop: the database refused a value (overflow, a character it cannot store) that validation missed.
    The transaction was rolled back, so nothing changed; the log keeps the details for a proper check."""
    log.warning("database refused a value (request %s): %s", getattr(request, "request_id", "?"),
                str(exc).splitlines()[0][:300])
    return _respond(request, 422, "validation_failed", _("数据超出允许范围，未做任何更改"))


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    log.exception("unhandled API error (request %s)", getattr(request, "request_id", "?"))
    return _respond(request, 500, "internal_error", _("服务器内部错误，请联系管理员并提供请求编号"),
                    {"request_id": getattr(request, "request_id", "")})
