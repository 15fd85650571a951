"""API conventions every app reuses: the error shape, pagination, ordering, the pieces of a list endpoint.

Lists answer `{"count": N, "limit": L, "offset": O, "items": [...]}`; `?limit=` (1–500, default 50),
`?offset=`, `?ordering=field` or `-field` from a whitelist. Errors answer
`{"error": {"code": ..., "message": ..., "details": ...}}`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import create_model

from yingji.core.errors import BadRequest

__all__ = ["ErrorBody", "ErrorOut", "PageParams", "page_of", "paginate", "error_payload", "ERROR_RESPONSES",
           "error_response", "document_errors", "MAX_OFFSET"]


class ErrorBody(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    error: ErrorBody


ERROR_RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def error_payload(code: str, message: str, details: Any = None) -> dict:
    return {"error": {"code": code, "message": str(message), "details": details}}


def error_response(status: int, code: str, message, details: Any = None) -> JsonResponse:
    """The error shape outside ninja's handlers (middleware: 405, 413, NUL bytes, unknown API paths)."""
    return JsonResponse(error_payload(code, str(message), details), status=status,
                        json_dumps_params={"ensure_ascii": False})


# Every operation may answer these, whatever it declares: documented once here for all of them.
_ALWAYS = {"400": "请求参数不被接受", "401": "未认证", "403": "无权限", "404": "不存在或不可见", "409": "与数据冲突",
           "413": "请求数据过大", "422": "输入数据有误"}


def document_errors(schema: dict) -> dict:
    """Add the error responses every operation can give (in the one error shape) to an OpenAPI document."""
    ref = {"$ref": "#/components/schemas/ErrorOut"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorOut", ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}"))
    for key, value in ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs",
                                                                                                   {}).items():
        components.setdefault(key, value)
    components["ErrorOut"].pop("$defs", None)
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            # ninja keys responses by int status, ours are strings: one key per status, or JSON gets both
            responses = operation["responses"] = {str(k): v for k, v in operation.get("responses", {}).items()}
            for status, description in _ALWAYS.items():
                documented = responses.setdefault(status, {"description": description,
                                                           "content": {"application/json": {"schema": ref}}})
                own = documented.get("content", {}).get("application/json", {})
                if own.get("schema") not in (None, ref):  # e.g. an import's 422 report: either shape can come
                    own["schema"] = {"anyOf": [own["schema"], ref]}
    return schema


MAX_OFFSET = 2_147_483_647  # what every database can take in OFFSET (SQLite and PostgreSQL take 2⁶³−1)


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500, description="items per page (1–500)")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")
    ordering: str | None = Field(None, description="field name, '-' prefix for descending")


_PAGES: dict[type, type] = {}


def page_of(item: type[Schema]) -> type[Schema]:
    """The page schema for a list of `item` (one class per item type, so OpenAPI names are stable)."""
    if item not in _PAGES:
        _PAGES[item] = create_model(
            f"{item.__name__}Page", __base__=Schema, count=(int, ...), limit=(int, ...), offset=(int, ...),
            items=(list[item], ...),
        )
    return _PAGES[item]


def paginate(qs: QuerySet, params: PageParams, ordering: dict[str, str] | None = None,
             default: str | None = None) -> dict:
    """Order `qs` by a whitelisted public name (mapped to a model field) and cut one page."""
    ordering = ordering or {}
    wanted = params.ordering or default
    if wanted:
        desc = wanted.startswith("-")
        name = wanted.lstrip("-")
        if name not in ordering:
            raise BadRequest(
                _("不支持按“%(name)s”排序") % {"name": name},
                details={"ordering": sorted(ordering)},
                code="bad_ordering",
            )
        field = ordering[name]
        qs = qs.order_by(f"-{field}" if desc else field, "-pk" if desc else "pk")
    count = qs.count()
    items = list(qs[params.offset : params.offset + params.limit])
    return {"count": count, "limit": params.limit, "offset": params.offset, "items": items}
