"""Job handlers by kind. A handler is ``fn(session, ctx) -> None`` running inside the job's
transaction, so its writes commit together with the job's completion, or not at all."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy.orm import Session


@dataclass
class JobContext:
    job_id: int
    kind: str
    payload: dict[str, Any]
    attempt: int
    worker: str


@dataclass(frozen=True)
class HandlerSpec:
    kind: str
    fn: Callable[[Session, JobContext], None]
    max_attempts: int = 5
    backoff_base_s: float = 10.0
    backoff_max_s: float = 3600.0
    lease_s: float = 60.0
    period: timedelta | None = None  # periodic jobs re-schedule themselves


_HANDLERS: dict[str, HandlerSpec] = {}
_LOADED = False
# The platform's own handler modules; plugins add theirs under the ``yingji.jobs`` entry points.
HANDLER_MODULES = [
    "yingji.jobs.builtin",
    "yingji.duty.jobs",
    "yingji.incidents.jobs",
    "yingji.response.jobs",
    "yingji.forces.jobs",
    "yingji.supplies.jobs",
    "yingji.warnings.jobs",
    "yingji.delivery.jobs",
    "yingji.monitoring.jobs",
    "yingji.risk.jobs",
]


def handler(
    kind: str,
    *,
    max_attempts: int = 5,
    backoff_base_s: float = 10.0,
    backoff_max_s: float = 3600.0,
    lease_s: float = 60.0,
    period: timedelta | None = None,
):
    def register(fn):
        _HANDLERS[kind] = HandlerSpec(kind, fn, max_attempts, backoff_base_s, backoff_max_s, lease_s, period)
        return fn

    return register


def get(kind: str) -> HandlerSpec | None:
    load_all()
    return _HANDLERS.get(kind)


def all_specs() -> list[HandlerSpec]:
    load_all()
    return list(_HANDLERS.values())


def load_all(extra_modules: list[str] | None = None) -> None:
    """Import handler modules: those registered under the ``yingji.jobs`` entry point
    group (so later domains and plugins add theirs) plus any named explicitly."""
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for name in HANDLER_MODULES:
            importlib.import_module(name)
        for ep in entry_points(group="yingji.jobs"):
            importlib.import_module(ep.value)
    for module in extra_modules or []:
        importlib.import_module(module)


def backoff_seconds(spec: HandlerSpec, attempt: int) -> float:
    """Exponential backoff: base, 2·base, 4·base … capped."""
    return min(spec.backoff_base_s * (2 ** max(attempt - 1, 0)), spec.backoff_max_s)
