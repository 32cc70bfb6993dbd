"""What can run as a file job: each domain registers its large exports (a sheet from an iterator of
rows) and its Excel imports here, so the request that starts a job and the worker that runs it meet
on one name."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from yingji import domains
from yingji.org import codes, names
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
KIND_MODULES = domains.modules("file_kinds")


# Every registered sheet that names a division also says where it is as a reader does: 所在地 as
# 县 · 镇 · 村 next to the code. Imports match columns by header, so they pass over it: an import
# still reads its own export.
PLACE_COLUMN = Column("place_path", "所在地", "Place (county · town · village)", False, 26)


def _with_place(kind: ExportKind) -> ExportKind:
    keys = [c.key for c in kind.columns]
    if "jurisdiction_code" not in keys or PLACE_COLUMN.key in keys:
        return kind
    at = keys.index("jurisdiction_name" if "jurisdiction_name" in keys else "jurisdiction_code") + 1
    rows = kind.rows

    def with_paths(session, principal, **params) -> Iterable[dict]:
        ix = names.index(session)
        for row in rows(session, principal, **params):
            row["place_path"] = ix.short_path(_significant(row.get("jurisdiction_code")))
            yield row

    return replace(kind, columns=[*kind.columns[:at], PLACE_COLUMN, *kind.columns[at:]], rows=with_paths)


def _significant(code) -> str:
    try:
        return codes.normalise(str(code or ""))
    except ValueError:
        return ""


def export(kind: ExportKind) -> ExportKind:
    kind = _with_place(kind)
    EXPORTS[kind.name] = kind
    return kind


def import_(kind: ImportKind) -> ImportKind:
    IMPORTS[kind.name] = kind
    return kind


def register(
    name: str,
    label: str,
    entity: str,
    *,
    title: str,
    columns: list[Column],
    rows: Callable[..., Iterable[dict]],
    count: Callable[..., int],
    run: Callable[..., Any],
    perms: tuple,
    filename: Callable[[dict], str] | None = None,
) -> None:
    """A register's Excel export and import at once (the import needs every one of ``perms``)."""
    from yingji.auth.scope import require  # auth imports org, which must not import jobs' kinds

    def check(session, principal, **params) -> None:
        for perm in perms:
            require(principal, perm)

    export(
        ExportKind(name, label, entity, title, columns, rows, count, filename or (lambda p: f"{name}.xlsx"))
    )
    import_(ImportKind(name, label, entity, run, check))


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
