"""Who a task concerns: the assignee's users, the assignee's superior, the incident's commander.

Users link to people (``User.person_id``); people hold posts in units (``Position``). A person's
superior is the chief of their unit, or of the unit above when they are its chief; a unit's superior
is the chief of its parent unit. When nobody can be found, the issuing level is told instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.org.models import Position, Unit
from yingji.response.codes import AssigneeKind
from yingji.response.models import CommandPost, ResponseTask


@dataclass
class Recipients:
    """User ids to tell directly, and a level to tell when there is nobody (its command users)."""

    user_ids: list[int] = field(default_factory=list)
    fallback_code: str | None = None
    who: str = ""


def users_of_people(session: Session, person_ids: list[int]) -> list[int]:
    """Active users linked to these people."""
    if not person_ids:
        return []
    return list(
        session.scalars(select(User.id).where(User.person_id.in_(person_ids), User.active).order_by(User.id))
    )


def unit_people(session: Session, unit_id: int) -> list[int]:
    return list(session.scalars(select(Position.person_id).where(Position.unit_id == unit_id)))


def chiefs_of(session: Session, unit_id: int | None) -> list[int]:
    """People holding the chief post of a unit."""
    if unit_id is None:
        return []
    return list(
        session.scalars(
            select(Position.person_id)
            .where(Position.unit_id == unit_id, Position.role == "chief")
            .order_by(Position.sort, Position.id)
        )
    )


def assignee(session: Session, task: ResponseTask) -> Recipients:
    """The users who act on the task: the assigned person's, or those of the assigned unit's people."""
    if task.assignee_kind == AssigneeKind.PERSON and task.assignee_person_id:
        return Recipients(users_of_people(session, [task.assignee_person_id]), None, task.assignee_name)
    if task.assignee_kind == AssigneeKind.UNIT and task.assignee_unit_id:
        users = users_of_people(session, unit_people(session, task.assignee_unit_id))
        return Recipients(users, None if users else task.issued_by_code, task.assignee_name)
    return Recipients([], task.issued_by_code, task.assignee_name)


def superior(session: Session, task: ResponseTask) -> Recipients:
    """The assignee's superior (see the module docstring)."""
    people: list[int] = []
    if task.assignee_kind == AssigneeKind.PERSON and task.assignee_person_id:
        posts = session.execute(
            select(Position.unit_id, Position.role, Unit.parent_id)
            .join(Unit, Unit.id == Position.unit_id)
            .where(Position.person_id == task.assignee_person_id)
            .order_by(Position.sort, Position.id)
        ).all()
        for unit_id, role, parent_id in posts:
            people += chiefs_of(session, parent_id if role == "chief" else unit_id)
        people = [p for p in dict.fromkeys(people) if p != task.assignee_person_id]
    elif task.assignee_kind == AssigneeKind.UNIT and task.assignee_unit_id:
        parent_id = session.scalar(select(Unit.parent_id).where(Unit.id == task.assignee_unit_id))
        people = chiefs_of(session, parent_id)
    users = users_of_people(session, people)
    return Recipients(users, None if users else task.issued_by_code, "superior")


def commander(session: Session, task: ResponseTask) -> Recipients:
    """The command post's commander (and deputy), else the issuing level."""
    post = session.scalars(select(CommandPost).where(CommandPost.incident_id == task.incident_id)).first()
    people = [p for p in ((post.commander_person_id, post.deputy_person_id) if post else ()) if p]
    users = users_of_people(session, people)
    return Recipients(users, None if users else task.issued_by_code, "commander")


def issuer(session: Session, task: ResponseTask) -> Recipients:
    return Recipients([], task.issued_by_code, "issuer")


def may_handle(session: Session, task: ResponseTask, user_id: int | None) -> bool:
    """Is this user the assignee (their person, or a person of the assigned unit)?"""
    if user_id is None:
        return False
    person_id = session.scalar(select(User.person_id).where(User.id == user_id))
    if person_id is None:
        return False
    if task.assignee_kind == AssigneeKind.PERSON:
        return task.assignee_person_id == person_id
    if task.assignee_kind == AssigneeKind.UNIT and task.assignee_unit_id:
        return (
            session.scalar(
                select(Position.id).where(
                    Position.unit_id == task.assignee_unit_id, Position.person_id == person_id
                )
            )
            is not None
        )
    return False


RESOLVERS = {
    "remind_assignee": assignee,
    "notify_superior": superior,
    "notify_commander": commander,
    "notify_issuer": issuer,
}
