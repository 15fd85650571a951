"""Small helpers every app's pages share: the `?within=` unit filter and paging."""

from __future__ import annotations

from django.core.paginator import Page, Paginator

from yingji.core import crud
from yingji.core.errors import YingjiError
from yingji.core.models import OrgUnit

__all__ = ["within_unit", "page_of"]

PER_PAGE = 50


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
    return Paginator(items, per_page).get_page(request.GET.get("page"))
