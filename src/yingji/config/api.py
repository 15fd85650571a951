"""The HTTP API: one NinjaAPI under /api/v1/, its authentication and its single error shape."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from yingji.core import services
from yingji.core.api import router as core_router
from yingji.core.api_users import router as users_router
from yingji.core.api_utils import error_payload
from yingji.core.crud import validation_details
from yingji.core.errors import YingjiError
from yingji.resources.api import router as resources_router

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


api = NinjaAPI(
    title="Yingji API",
    version="1",
    description="应急管理综合平台 API. Errors: {\"error\": {\"code\", \"message\", \"details\"}}.",
    auth=[BearerToken(), HeaderToken(), SessionAuth()],
    urls_namespace="api-1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
api.add_router("/", core_router)
api.add_router("/", users_router)
api.add_router("/resources", resources_router)


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


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception):
    log.exception("unhandled API error (request %s)", getattr(request, "request_id", "?"))
    return _respond(request, 500, "internal_error", _("服务器内部错误，请联系管理员并提供请求编号"),
                    {"request_id": getattr(request, "request_id", "")})
