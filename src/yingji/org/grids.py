"""The three-level grid: cells, and the grid leaders and workers assigned to them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core.errors import Conflict, NotFound
from yingji.core.pagination import Page, paginate
from yingji.org import places
from yingji.org.codes import GridRole
from yingji.org.models import GridAssignment, GridCell, Person
from yingji.org.schemas import AssignmentIn, GridCellOut


def search(
    session: Session,
    principal: Principal,
    *,
    q: str = "",
    within: str | None = None,
    level: int | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[GridCell]:
    stmt = select(GridCell).where(in_scope(GridCell.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, GridCell.jurisdiction_code, within)
    if level:
        stmt = stmt.where(GridCell.level == level)
    q = (q or "").strip()
    if q:
        stmt = stmt.where(
            GridCell.code.startswith(q) if q.isdigit() else GridCell.name.contains(q, autoescape=True)
        )
    return paginate(session, stmt.order_by(GridCell.code), page, size)


def get(session: Session, principal: Principal, cell_id: int) -> GridCell:
    return visible(principal, session.get(GridCell, cell_id))


def children(session: Session, principal: Principal, cell: GridCell) -> list[GridCell]:
    return list(
        session.scalars(
            select(GridCell)
            .where(GridCell.parent_id == cell.id, in_scope(GridCell.jurisdiction_code, principal))
            .order_by(GridCell.code)
        )
    )


def to_out(cell: GridCell, principal: Principal) -> GridCellOut:
    def person(a: GridAssignment) -> dict:
        return {
            "assignment_id": a.id,
            "person_id": a.person_id,
            "name": a.person.name,
            "mobile": mask_phone(a.person.mobile, principal),
            "title": a.person.title,
        }

    return GridCellOut(
        id=cell.id,
        code=cell.code,
        name=cell.name,
        level=cell.level,
        jurisdiction_code=cell.jurisdiction_code,
        parent_id=cell.parent_id,
        households=cell.households,
        population=cell.population,
        leaders=[person(a) for a in cell.assignments if a.role == GridRole.LEADER],
        workers=[person(a) for a in cell.assignments if a.role == GridRole.WORKER],
    )


def assign(session: Session, principal: Principal, cell_id: int, data: AssignmentIn) -> GridAssignment:
    cell = session.get(GridCell, cell_id)
    if cell is None:
        raise NotFound()
    writable(principal, cell.jurisdiction_code, Perm.GRID_WRITE)
    person = session.get(Person, data.person_id)
    # Someone outside the principal's area cannot be named (and is not confirmed to exist).
    visible(principal, person)
    exists = session.scalar(
        select(GridAssignment.id).where(
            GridAssignment.grid_cell_id == cell.id,
            GridAssignment.person_id == person.id,
            GridAssignment.role == data.role,
        )
    )
    if exists is not None:
        raise Conflict("This person already has this role in this grid cell.")
    assignment = GridAssignment(
        grid_cell_id=cell.id,
        person_id=person.id,
        role=data.role,
        duties=data.duties,
        jurisdiction_code=cell.jurisdiction_code,
    )
    session.add(assignment)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("This person already has this role in this grid cell.") from None
    return assignment


def unassign(session: Session, principal: Principal, assignment_id: int) -> None:
    assignment = session.get(GridAssignment, assignment_id)
    if assignment is None:
        raise NotFound()
    writable(principal, assignment.jurisdiction_code, Perm.GRID_WRITE)
    session.delete(assignment)
    session.flush()


def select_cell_by_code(code: str):
    return select(GridCell).where(GridCell.code == code)
