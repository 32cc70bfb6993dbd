"""Excel import and export of units, people and grid assignments.

An import validates every row first and writes nothing if any row is wrong: the answer is a
row-by-row error list. A clean file is applied in one transaction, every row audited.
Re-importing the same file changes nothing (units are keyed by code, people by mobile number).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.org.exchange.common import KINDS, ImportResult
from yingji.org.exchange.grid import export_grid, import_grid
from yingji.org.exchange.people import export_people, import_people
from yingji.org.exchange.units import export_units, import_units
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
