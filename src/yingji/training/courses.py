"""Courses (课程): what is taught, how (online / in person / by a drill), its 学时, topics and the
roles it is meant for. A course belongs to the place that runs it; its sessions may be held anywhere
below."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core.models import apply_changes
from yingji.org import places
from yingji.training.models import TrainingCourse
from yingji.training.schemas import CourseIn, CoursePatch


def listing(session: Session, principal: Principal, *, active_only: bool = False) -> list[TrainingCourse]:
    """Courses of the principal's subtree and of the places above it (a city's course is taught in
    its counties)."""
    code = principal.jurisdiction_code
    above = [code[:n] for n in (2, 4, 6, 9, 12) if n < len(code)]
    stmt = select(TrainingCourse).where(
        in_scope(TrainingCourse.jurisdiction_code, principal) | TrainingCourse.jurisdiction_code.in_(above)
    )
    if active_only:
        stmt = stmt.where(TrainingCourse.active)
    return list(session.scalars(stmt.order_by(TrainingCourse.jurisdiction_code, TrainingCourse.id)))


def get(session: Session, principal: Principal, course_id: int) -> TrainingCourse:
    course = session.get(TrainingCourse, course_id)
    if course is not None and principal.jurisdiction_code.startswith(course.jurisdiction_code):
        return course  # a course of a place above is readable below
    return visible(principal, course)


def create(session: Session, principal: Principal, data: CourseIn) -> TrainingCourse:
    code = data.jurisdiction_code or principal.jurisdiction_code
    writable(principal, code, Perm.TRAINING_MANAGE)
    places.get(session, principal, code)
    course = TrainingCourse(
        **data.model_dump(exclude={"jurisdiction_code", "audience", "mode"}),
        mode=data.mode.value,
        audience=",".join(r.value for r in data.audience),
        jurisdiction_code=code,
    )
    session.add(course)
    session.flush()
    return course


def update(session: Session, principal: Principal, course_id: int, patch: CoursePatch) -> TrainingCourse:
    course = visible(principal, session.get(TrainingCourse, course_id))
    writable(principal, course.jurisdiction_code, Perm.TRAINING_MANAGE)
    changes = patch.model_dump(exclude_unset=True)
    if "audience" in changes and changes["audience"] is not None:
        changes["audience"] = ",".join(r.value for r in patch.audience)
    if changes.get("mode") is not None:
        changes["mode"] = patch.mode.value
    apply_changes(course, changes)
    session.flush()
    return course
