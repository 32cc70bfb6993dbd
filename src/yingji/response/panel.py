"""Everything the response panel of an incident shows, gathered in a few queries, with what the
principal may do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.clock import to_local
from yingji.experts import consulting
from yingji.incidents.models import Incident
from yingji.incidents.status import IncidentStatus
from yingji.org.codes import ancestors
from yingji.org.models import Person, Position, Unit
from yingji.response import (
    closure,
    command,
    consultations,
    investigation,
    levels,
    plan_checklist,
    plan_run,
    recipients,
    sitreps,
    tasks,
)
from yingji.response.common import incident_for_read
from yingji.response.models import ResponseTask

OPTION_LIMIT = 300


@dataclass
class Option:
    id: int
    label: str


def can_command(principal: Principal, incident: Incident) -> bool:
    return principal.can(Perm.RESPONSE_COMMAND) and principal.covers(incident.jurisdiction_code)


def can_handle(session: Session, principal: Principal, task: ResponseTask) -> bool:
    """May the principal acknowledge / start / complete this task?"""
    if principal.can(Perm.RESPONSE_COMMAND) and principal.covers(task.jurisdiction_code):
        return True
    return principal.can(Perm.TASK_HANDLE) and recipients.may_handle(session, task, principal.user_id)


def _near(column, principal: Principal, incident: Incident):
    """Rows at the incident's place, below it, or at the levels above it that the principal sees."""
    code = incident.jurisdiction_code
    above = [c for c in ancestors(code) if principal.covers(c)]
    town = code[:9] if len(code) >= 9 else code
    return [in_scope(column, principal), or_(column.in_([*above, code]), column.startswith(town))]


def unit_options(session: Session, principal: Principal, incident: Incident) -> list[Option]:
    rows = session.execute(
        select(Unit.id, Unit.name)
        .where(*_near(Unit.jurisdiction_code, principal, incident))
        .order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
        .limit(OPTION_LIMIT)
    ).all()
    return [Option(i, n) for i, n in rows]


def person_options(session: Session, principal: Principal, incident: Incident) -> list[Option]:
    """People holding a post in a unit near the incident (commanders, leads, assignees)."""
    rows = session.execute(
        select(Person.id, Person.name, Position.title, Unit.name)
        .join(Position, Position.person_id == Person.id)
        .join(Unit, Unit.id == Position.unit_id)
        .where(*_near(Unit.jurisdiction_code, principal, incident), Person.active)
        .order_by(Unit.jurisdiction_code, Unit.sort, Position.sort, Person.id)
        .limit(OPTION_LIMIT)
    ).all()
    seen: dict[int, Option] = {}
    for pid, name, title, unit in rows:
        seen.setdefault(pid, Option(pid, f"{name}（{unit}{title}）"))
    return list(seen.values())


def gather(session: Session, principal: Principal, incident_id: int, *, with_options: bool = True) -> dict:
    """The panel's context: state, records, permissions and (for commanders) the form choices."""
    incident = incident_for_read(session, principal, incident_id)
    task_rows = tasks.for_incident(session, incident.id)
    commands = can_command(principal, incident)
    ctx = {
        "incident": incident,
        "active": levels.current(session, incident.id),
        "history": levels.history(session, incident.id),
        "post": command.get(session, principal, incident.id),
        "tasks": task_rows,
        "handle": {t.id: can_handle(session, principal, t) for t in task_rows},
        "sitreps": sitreps.for_incident(session, incident.id),
        "consultations": consultations.for_incident(session, principal, incident.id),
        "closure": closure.get(session, principal, incident.id),
        "investigation": investigation.get(session, incident.id),
        "can_command": commands,
        "now": clock.now(),
        "default_due": to_local(clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "now_local": to_local(clock.now()).strftime("%Y-%m-%dT%H:%M"),
        "open_states": tasks.OPEN,
        "units": [],
        "people": [],
        "experts": [],
    }
    ctx["plan_items"] = plan_checklist.checklist_rows(session, incident.id)
    ctx["plan_choices"] = []
    if commands and with_options and incident.status != IncidentStatus.CLOSED:
        ctx["units"] = unit_options(session, principal, incident)
        ctx["people"] = person_options(session, principal, incident)
        ctx["experts"] = consulting.for_consultation(session, principal, incident)
        if ctx["active"] is None and incident.status != IncidentStatus.REPORTED:  # plans to activate under
            ctx["plan_choices"] = plan_run.choices(session, principal, incident)
    return ctx
