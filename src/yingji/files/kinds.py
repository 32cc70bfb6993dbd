"""What can run as a file job: each domain registers its large exports (a sheet from an iterator of
rows) and its Excel imports here, so the request that starts a job and the worker that runs it meet
on one name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from yingji.org.sheets import Column


@dataclass(frozen=True)
class ExportKind:
    """A sheet: ``rows(session, principal, **params)`` yields its rows as dicts (from a server-side
    cursor), ``count(session, principal, **params)`` says about how many there will be."""

    name: str
    label: str  # what the file holds, for the list of one's files (a message id)
    entity: str  # the audit log's entity of its downloads
    title: str  # the sheet's name
    columns: list[Column]
    rows: Callable[..., Iterable[dict]]
    count: Callable[..., int]
    filename: Callable[[dict], str]


@dataclass(frozen=True)
class ImportKind:
    """An Excel import: ``run(session, principal, data, **params) -> ImportResult`` (all rows or none)."""

    name: str
    label: str  # what the file holds (a message id)
    entity: str  # the audit log's entity of the import's summary
    run: Callable[..., Any]
    # ``check(session, principal, **params)`` refuses in the request what the import would refuse
    # (permissions, the roster's scope), so no job is queued only to fail.
    check: Callable[..., None] = lambda session, principal, **params: None
    entity_id: Callable[[dict], Any] = lambda params: None


EXPORTS: dict[str, ExportKind] = {}
IMPORTS: dict[str, ImportKind] = {}
# The modules that register kinds; the worker imports them before it runs a file job.
KIND_MODULES = [
    "yingji.org.exchange",
    "yingji.forces.exchange",
    "yingji.duty.exchange",
    "yingji.residents.exchange",
    "yingji.risk.exchange",
    "yingji.risk.ledger",
    "yingji.video.exchange",
    "yingji.plans.exchange",
    "yingji.plans.filings",
    "yingji.experts.exchange",
    "yingji.drills.exchange",
    "yingji.shelters.exchange",  # issue 13
    "yingji.aid.exchange",
    "yingji.damage.officer_sheets",
]


def export(kind: ExportKind) -> ExportKind:
    EXPORTS[kind.name] = kind
    return kind


def import_(kind: ImportKind) -> ImportKind:
    IMPORTS[kind.name] = kind
    return kind


def load() -> None:
    for name in KIND_MODULES:
        importlib.import_module(name)


def export_kind(name: str) -> ExportKind:
    if name not in EXPORTS:
        load()
    return EXPORTS[name]


def import_kind(name: str) -> ImportKind:
    if name not in IMPORTS:
        load()
    return IMPORTS[name]
