"""Excel import and export of units, people and grid assignments.

An import validates every row first and writes nothing if any row is wrong: the answer is a
row-by-row error list. A clean file is applied in one transaction, every row audited.
Re-importing the same file changes nothing (units are keyed by code, people by mobile number).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.org.exchange.common import KINDS, ImportResult
from yingji.org.exchange.grid import count_grid, export_grid, import_grid
from yingji.org.exchange.people import count_people, export_people, import_people
from yingji.org.exchange.units import count_units, export_units, import_units
from yingji.org.sheets import write

__all__ = ["EXPORTERS", "IMPORTERS", "KINDS", "ImportResult", "export_workbook"]

IMPORTERS: dict[str, Callable[[Session, Principal, bytes], ImportResult]] = {
    "people": import_people,
    "units": import_units,
    "grid": import_grid,
}
EXPORTERS = {"people": export_people, "units": export_units, "grid": export_grid}
SHEET_TITLES = {"people": "人员", "units": "单位", "grid": "网格分配"}


def export_workbook(
    session: Session, principal: Principal, kind: str, within: str | None, locale: str
) -> bytes:
    rows = EXPORTERS[kind](session, principal, within)
    return write(SHEET_TITLES[kind], KINDS[kind], rows, locale)


def _may_import(session: Session, principal: Principal) -> None:
    require(principal, Perm.IMPORT)


COUNTS = {"people": count_people, "units": count_units, "grid": count_grid}
LABELS = {
    "people": N_("People and posts"),
    "units": N_("Units and responsibility lists"),
    "grid": N_("Grid assignments"),
}
for _kind in EXPORTERS:
    kinds.export(
        kinds.ExportKind(
            name=_kind,
            label=LABELS[_kind],
            entity=_kind,
            title=SHEET_TITLES[_kind],
            columns=KINDS[_kind],
            rows=EXPORTERS[_kind],
            count=COUNTS[_kind],
            filename=lambda p, k=_kind: f"yingji-{k}-{p.get('within') or 'all'}.xlsx",
        )
    )
    kinds.import_(
        kinds.ImportKind(
            name=_kind, label=LABELS[_kind], entity=_kind, run=IMPORTERS[_kind], check=_may_import
        )
    )
