"""Grid assignments: who serves which cell as grid leader or grid worker."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, require
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
    plan, seen = [], {}
    for rownum, r in rows:
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
        key = (cell.id, person.id, role)
        if key in seen:
            errors.add(
                rownum,
                column(GRID, "mobile"),
                r["mobile"],
                "The same assignment is already on row {other}.",
                other=seen[key],
            )
            continue
        seen[key] = rownum
        plan.append((cell, person, role, r["duties"] or None))
    errors.raise_if_any()
    result = ImportResult()
    for cell, person, role, duties in plan:
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


def export_grid(session: Session, principal: Principal, within: str | None = None) -> list[dict]:
    require(principal, Perm.EXPORT)
    stmt = (
        select(GridAssignment)
        .join(GridCell, GridAssignment.grid_cell_id == GridCell.id)
        .where(in_scope(GridAssignment.jurisdiction_code, principal))
    )
    if within:
        stmt = stmt.where(GridAssignment.jurisdiction_code.startswith(within))
    return [
        {
            "grid_code": a.cell.code,
            "grid_name": a.cell.name,
            "level": a.cell.level,
            "mobile": mask_phone(a.person.mobile, principal),
            "name": a.person.name,
            "role": "网格长" if a.role == "leader" else "网格员",
            "duties": a.duties,
        }
        for a in session.scalars(stmt.order_by(GridCell.code, GridAssignment.role, GridAssignment.id))
    ]
