"""Small helpers every app's pages share: the `?within=` unit filter and paging."""

from __future__ import annotations

import pydantic
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from yingji.core import crud
from yingji.core.errors import BadRequest, YingjiError
from yingji.core.models import OrgUnit

__all__ = ["within_unit", "page_of", "query_params", "CappedPaginator"]

PER_PAGE = 50
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows, so a list page costs the same at 100 rows and at a million
    (a plain count() scans the whole table); beyond the cap the page says "10,000+"."""

    @cached_property
    def count(self) -> int:
        items = self.object_list
        if isinstance(items, QuerySet):
            n = (items if items.query.is_sliced else items.order_by())[: COUNT_CAP + 1].count()
        else:
            n = len(items)
        self.is_capped = n > COUNT_CAP
        return min(n, COUNT_CAP)

    @property
    def count_label(self) -> str:
        count = self.count  # sets is_capped
        return f"{count:,}+" if self.is_capped else f"{count:,}"


def within_unit(request) -> OrgUnit | None:
    """The unit named by `?within=<id>` if the user may see it; None when absent, unknown or invisible."""
    raw = request.GET.get("within")
    if not raw:
        return None
    try:
        return crud.get_for(request.user, OrgUnit, raw)
    except YingjiError:
        return None


def page_of(request, items, per_page: int = PER_PAGE) -> Page:
    """The `?page=` page of a queryset or list (out-of-range numbers give the last page)."""
    return CappedPaginator(items, per_page).get_page(request.GET.get("page"))



def query_params(request, schema: type[pydantic.BaseModel], names: tuple[str, ...]):
    """The query parameters `names` read through an API schema, so a page accepts exactly what the API does
    (`?radius_km=inf` or `?expiring_days=9999999999` are refused the same way); BadRequest (code bad_query)
    naming each bad parameter otherwise. Empty parameters count as absent."""
    data = {n: request.GET[n] for n in names if request.GET.get(n, "") != ""}
    try:
        return schema(**data)
    except pydantic.ValidationError as exc:
        details = {".".join(str(p) for p in e["loc"]): [e["msg"]] for e in exc.errors()}
        raise BadRequest(_("查询参数有误：%(names)s") % {"names": "、".join(details)}, details=details,
                         code="bad_query") from None
