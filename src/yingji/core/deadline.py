"""A cooperative time limit for long work (Excel imports): the work checks between rows whether its
time is up, and stops with a clear error instead of holding the database for minutes.

    with deadline.limit(300):
        for rownum, row in deadline.paced(rows):
            ...

Outside ``limit`` the checks cost one context-variable read and never fire.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from yingji.core.errors import YingjiError
from yingji.core.i18n import N_

T = TypeVar("T")
_until: ContextVar[tuple[float, float] | None] = ContextVar("yingji_deadline", default=None)


class TimeLimitExceeded(YingjiError):
    status_code = 422
    code = "time_limit_exceeded"
    message = N_(
        "The import took longer than {seconds} seconds and was stopped; nothing was imported. "
        "Split the file into smaller ones."
    )


@contextmanager
def limit(seconds: float | None):
    """Work inside may take ``seconds`` (None: no limit)."""
    if seconds is None:
        yield
        return
    token = _until.set((time.monotonic() + seconds, seconds))
    try:
        yield
    finally:
        _until.reset(token)


def check() -> None:
    """Raise ``TimeLimitExceeded`` when the current limit has passed."""
    until = _until.get()
    if until is not None and time.monotonic() >= until[0]:
        raise TimeLimitExceeded(seconds=int(until[1]))


def paced(items: Iterable[T]) -> Iterator[T]:
    """``items``, checking the limit before each one."""
    for item in items:
        check()
        yield item
