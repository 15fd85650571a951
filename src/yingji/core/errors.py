"""Domain errors raised by services; one handler (yingji.core.api) maps them to HTTP responses.

Services never raise HTTP exceptions: a framework change must not touch them.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

__all__ = [
    "YingjiError",
    "BadRequest",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "ValidationFailed",
    "RateLimited",
]


class YingjiError(Exception):
    """Base of every error a user may see; carries a stable code, a message and optional details."""

    status = 400
    code = "error"
    default_message = _("请求无法处理")

    def __init__(self, message: Any = None, *, details: Any = None, code: str | None = None):
        self.message = str(message if message is not None else self.default_message)
        self.details = details
        if code:
            self.code = code
        super().__init__(self.message)


class BadRequest(YingjiError):
    status, code, default_message = 400, "bad_request", _("请求格式错误")


class NotAuthenticated(YingjiError):
    status, code, default_message = 401, "not_authenticated", _("请先登录或提供有效的 API 令牌")


class PermissionDenied(YingjiError):
    status, code, default_message = 403, "permission_denied", _("您没有执行此操作的权限")


class NotFound(YingjiError):
    status, code, default_message = 404, "not_found", _("对象不存在或您无权查看")


class Conflict(YingjiError):
    status, code, default_message = 409, "conflict", _("操作与当前数据冲突")


class ValidationFailed(YingjiError):
    status, code, default_message = 422, "validation_failed", _("输入数据有误，未做任何更改")


class RateLimited(YingjiError):
    status, code, default_message = 429, "rate_limited", _("尝试次数过多，请稍后再试")
