"""Excel import and export of teams and members (imitating ``yingji.org.exchange``).

An import validates every row first and writes nothing if any row is wrong: the answer is a
row-by-row error list. A clean file is applied in one transaction, every row audited. Teams are
keyed by their code, members by team code and mobile number, so re-importing a file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core.i18n import N_
from yingji.files import kinds
from yingji.forces.exchange.common import KINDS
from yingji.forces.exchange.members import count_members, export_members, import_members
from yingji.forces.exchange.teams import count_teams, export_teams, import_teams
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


def _may_import(session: Session, principal: Principal) -> None:
    require(principal, Perm.IMPORT)
    require(principal, Perm.FORCES_MANAGE)


COUNTS = {"teams": count_teams, "members": count_members}
LABELS = {"teams": N_("Rescue teams"), "members": N_("Team members")}
for _kind in EXPORTERS:
    kinds.export(
        kinds.ExportKind(
            name=f"forces.{_kind}",
            label=LABELS[_kind],
            entity=f"forces.{_kind}",
            title=SHEET_TITLES[_kind],
            columns=KINDS[_kind],
            rows=EXPORTERS[_kind],
            count=COUNTS[_kind],
            filename=lambda p, k=_kind: f"yingji-{k}-{p.get('within') or 'all'}.xlsx",
        )
    )
    kinds.import_(
        kinds.ImportKind(
            name=f"forces.{_kind}",
            label=LABELS[_kind],
            entity=f"forces.{_kind}",
            run=IMPORTERS[_kind],
            check=_may_import,
        )
    )
