"""Excel import and export of teams and members (imitating ``yingji.org.exchange``).

An import validates every row first and writes nothing if any row is wrong: the answer is a
row-by-row error list. A clean file is applied in one transaction, every row audited. Teams are
keyed by their code, members by team code and mobile number, so re-importing a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.forces.exchange.common import KINDS
from yingji.forces.exchange.members import export_members, import_members
from yingji.forces.exchange.teams import export_teams, import_teams
from yingji.org.exchange.common import ImportResult
from yingji.org.sheets import write

__all__ = ["EXPORTERS", "IMPORTERS", "KINDS", "export_workbook"]

IMPORTERS: dict[str, Callable[[Session, Principal, bytes], ImportResult]] = {
    "teams": import_teams,
    "members": import_members,
}
EXPORTERS = {"teams": export_teams, "members": export_members}
SHEET_TITLES = {"teams": "救援队伍", "members": "队员"}


def export_workbook(
    session: Session, principal: Principal, kind: str, within: str | None, locale: str
) -> bytes:
    """The workbook of one kind, in scope, narrowed to ``within``."""
    rows = EXPORTERS[kind](session, principal, within)
    return write(SHEET_TITLES[kind], KINDS[kind], rows, locale)
