"""Offset pagination with a total, for tables people page through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def paginate(session: Session, stmt: Select, page: int = 1, size: int = 50) -> Page:
    page = max(1, page)
    size = min(max(1, size), MAX_PAGE_SIZE)
    offset = (page - 1) * size
    items = list(session.scalars(stmt.limit(size).offset(offset)).unique())
    if 0 < len(items) < size or (page == 1 and not items):
        total = offset + len(items)  # the last page: the count is known without counting
    else:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return Page(items=items, total=total, page=page, size=size)
