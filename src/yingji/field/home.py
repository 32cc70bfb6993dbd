"""What the grid worker's home shows: the warnings to pass on, the door-to-door and evacuation
tasks, the hazard points they patrol, and who they are (for the forms)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require
from yingji.core import clock
from yingji.core.errors import NotFound
from yingji.delivery import field as delivery_field
from yingji.delivery.models import Acknowledgement, Delivery, Dispatch
from yingji.evacuation import board as evacuation_board
from yingji.field import visits
from yingji.field.codes import FIELD_ROLES
from yingji.field.workers import me
from yingji.monitoring import points
from yingji.warnings.models import Warning


def is_home(principal: Principal) -> bool:
    """The roles whose home page is this app."""
    return principal.role in FIELD_ROLES


def summary(session: Session, principal: Principal) -> dict:
    require(principal, Perm.WARNING_ACK)
    tasks = delivery_field.my_tasks(session, principal)
    reached = {t.id: visits.reached_count(session, t.id) for t in tasks}
    evac = (
        evacuation_board.my_tasks(session, principal, limit=20) if principal.can(Perm.EVACUATION_MARK) else []
    )
    hazard = []
    if principal.can(Perm.PATROL_LOG):
        hazard = points.search(session, principal, mine=True, page=1, size=10).items
    return {
        "me": me(session, principal),
        "now": clock.now(),
        "warnings": delivery_field.my_warnings(session, principal),
        "tasks": tasks,
        "reached": reached,
        "evacuation": evac,
        "points": hazard,
    }


def warning_of(session: Session, principal: Principal, dispatch_id: int) -> tuple[Dispatch, Warning, bool]:
    """A warning that reached the principal, in full (description, the measures to pass on), and
    whether they confirmed it. Another person's warning is not found."""
    require(principal, Perm.WARNING_ACK)
    person_id = delivery_field.person_id_of(session, principal)
    dispatch = session.get(Dispatch, dispatch_id)
    if dispatch is None or person_id is None:
        raise NotFound()
    reached = session.scalar(
        select(func.count())
        .select_from(Delivery)
        .where(
            Delivery.dispatch_id == dispatch.id,
            Delivery.recipient_kind == "person",
            Delivery.recipient_id == person_id,
        )
    )
    if not reached and not principal.covers(dispatch.jurisdiction_code):
        raise NotFound()
    warning = session.get(Warning, dispatch.warning_id)
    if warning is None:
        raise NotFound()
    acked = session.scalar(
        select(func.count())
        .select_from(Acknowledgement)
        .where(Acknowledgement.dispatch_id == dispatch.id, Acknowledgement.person_id == person_id)
    )
    return dispatch, warning, bool(acked)
