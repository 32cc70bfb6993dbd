"""Request parameters every domain's API and pages share: a division code from a query string or a
URL, page numbers and sizes, a page as JSON, and the Excel media type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Query

from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import MAX_PAGE_SIZE, Page
from yingji.org import codes

PageNo = Annotated[int, Query(ge=1, le=100_000)]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def query_code(value: str | None, field: str = "within") -> str | None:
    """A division code (12-digit or significant form) from an API parameter: None when absent,
    422 naming ``field`` when malformed."""
    if not value:
        return None
    try:
        return codes.normalise(value)
    except ValueError:
        raise ValidationFailed(details=[{"field": field, "message": "Not a division code."}]) from None


def url_code(value: str | None) -> str | None:
    """A division code from a page's URL: None when absent; a malformed one is a 404, like a place
    the user cannot see."""
    if not value:
        return None
    try:
        return codes.normalise(value)
    except ValueError:
        raise NotFound() from None


def page_json(page: Page, convert: Callable) -> dict:
    """A page of records in the API's list shape."""
    return page_of(page, [convert(x) for x in page.items])


def page_of(page: Page, items: list) -> dict:
    """A page in the API's list shape, its records already converted (a domain's batch ``outs``)."""
    return {"items": items, "total": page.total, "page": page.page, "size": page.size}
