"""Grid assignments: who serves which cell as grid leader or grid worker."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
from yingji.core.deadline import paced
from yingji.core.i18n import N_
from yingji.org.codes import GridRole
from yingji.org.exchange import common
from yingji.org.exchange.common import (
    GRID,
    GRID_ROLE_WORDS,
    ImportResult,
    RowErrors,
    column,
    mobile_or_none,
    required_present,
)
from yingji.org.models import GridAssignment, GridCell, Person
from yingji.org.schemas import check_mobile
from yingji.org.sheets import read


def import_grid(session: Session, principal: Principal, data: bytes) -> ImportResult:
    require(principal, Perm.IMPORT)
    rows = read(data, GRID)
    errors = RowErrors()
    cells = {
        c.code: c
        for c in session.scalars(select(GridCell).where(GridCell.code.in_({r["grid_code"] for _, r in rows})))
    }
    mobiles = {m for _, r in rows if (m := mobile_or_none(r["mobile"]))}
    people = {p.mobile: p for p in session.scalars(select(Person).where(Person.mobile.in_(mobiles)))}
    plan = []
    repeats = common.Repeats(errors, GRID, "mobile", N_("The same assignment is already on row {other}."))
    for rownum, r in paced(rows):
        if not required_present(errors, rownum, GRID, r):
            continue
        cell = cells.get(r["grid_code"])
        if cell is None or not principal.covers(cell.jurisdiction_code):
            errors.add(rownum, column(GRID, "grid_code"), r["grid_code"], "Unknown grid cell.")
            continue
        if not principal.can(Perm.GRID_WRITE):
            errors.add(
                rownum, column(GRID, "grid_code"), r["grid_code"], "This is outside your jurisdiction."
            )
            continue
        try:
            person = people.get(check_mobile(r["mobile"]))
        except ValueError:
            errors.add(rownum, column(GRID, "mobile"), r["mobile"], "Not a mainland mobile number.")
            continue
        if person is None or not principal.covers(person.jurisdiction_code):
            errors.add(rownum, column(GRID, "mobile"), r["mobile"], "No person with this mobile number.")
            continue
        role = GRID_ROLE_WORDS.get(r["role"])
        if role is None:
            errors.add(rownum, column(GRID, "role"), r["role"], "Write 网格长 or 网格员.")
            continue
        if repeats.seen(rownum, (cell.id, person.id, role), r["mobile"]):
            continue
        plan.append((cell, person, role, r["duties"] or None))
    errors.raise_if_any()
    result = ImportResult()
    for cell, person, role, duties in paced(plan):
        current = session.scalar(
            select(GridAssignment).where(
                GridAssignment.grid_cell_id == cell.id,
                GridAssignment.person_id == person.id,
                GridAssignment.role == role,
            )
        )
        if current is None:
            session.add(
                GridAssignment(
                    grid_cell_id=cell.id,
                    person_id=person.id,
                    role=role,
                    duties=duties,
                    jurisdiction_code=cell.jurisdiction_code,
                )
            )
            result.created += 1
        elif current.duties != duties:
            current.duties = duties
            result.updated += 1
        else:
            result.unchanged += 1
    session.flush()
    return result


def _grid_query(principal: Principal, within: str | None):
    require(principal, Perm.EXPORT)
    stmt = (
        select(
            GridCell.code,
            GridCell.name.label("cell_name"),
            GridCell.level,
            Person.mobile,
            Person.name,
            GridAssignment.role,
            GridAssignment.duties,
        )
        .join(GridCell, GridAssignment.grid_cell_id == GridCell.id)
        .join(Person, Person.id == GridAssignment.person_id)
        .where(in_scope(GridAssignment.jurisdiction_code, principal))
    )
    if within:
        stmt = stmt.where(GridAssignment.jurisdiction_code.startswith(within))
    return stmt


def count_grid(session: Session, principal: Principal, within: str | None = None) -> int:
    return common.count_of(session, _grid_query(principal, within))


def export_grid(session: Session, principal: Principal, within: str | None = None) -> Iterator[dict]:
    """Grid assignments in scope, read in batches from a server-side cursor."""
    stmt = _grid_query(principal, within).order_by(GridCell.code, GridAssignment.role, GridAssignment.id)
    return (
        {
            "grid_code": a.code,
            "grid_name": a.cell_name,
            "level": a.level,
            "mobile": mask_phone(a.mobile, principal),
            "name": a.name,
            "role": "网格长" if a.role == GridRole.LEADER else "网格员",
            "duties": a.duties,
        }
        for a in session.execute(stmt.execution_options(yield_per=2000))
    )
