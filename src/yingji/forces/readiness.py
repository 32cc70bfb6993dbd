"""Readiness (备勤 / 出动 / 休整 / 不可用): the team row's state plus an append-only history.

A change locks the team row, writes the history row in the same transaction and is idempotent by
its client key (a phone that retries after a dropped answer changes nothing twice). Leaving
``deployed`` closes the team's open dispatch and notes the return on the incident's timeline.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.audit import actor_of
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import Conflict
from yingji.core.i18n import translate
from yingji.forces.access import check_manage, get_team
from yingji.forces.codes import DispatchState, Readiness
from yingji.forces.models import ReadinessChange, Team, TeamDispatch
from yingji.forces.schemas import ReadinessIn


def _by_key(session: Session, principal: Principal, key: str | None) -> ReadinessChange | None:
    if not key:
        return None
    found = session.scalar(select(ReadinessChange).where(ReadinessChange.client_key == key))
    if found is not None and not principal.covers(found.jurisdiction_code):
        raise Conflict("This client key was already used for another change.")
    return found


def change(session: Session, principal: Principal, team_id: int, data: ReadinessIn) -> ReadinessChange:
    """Set a team's readiness; repeating the same client key returns the first answer."""
    done = _by_key(session, principal, data.client_key)
    if done is not None:
        if done.team_id != team_id:
            raise Conflict("This client key was already used for another change.")
        return done
    team = get_team(session, principal, team_id, lock=True)
    check_manage(session, principal, team)
    done = _by_key(session, principal, data.client_key)  # a concurrent retry may have won the lock
    if done is not None:
        return done
    if team.readiness == data.state:  # nothing changes (a deployed team keeps its incident)
        latest = latest_change(session, team)
        if latest is not None:
            return latest
    return apply(session, team, data.state, data.note, client_key=data.client_key)


def apply(
    session: Session,
    team: Team,
    state: str,
    note: str | None = None,
    *,
    incident_id: int | None = None,
    client_key: str | None = None,
) -> ReadinessChange:
    """Move a (locked) team to ``state`` and append the history row; no permission check here."""
    now = clock.now()
    previous = team.readiness
    if previous == Readiness.DEPLOYED and state != Readiness.DEPLOYED:
        _close_dispatches(session, team, now)
    team.readiness = state
    team.readiness_since = now
    team.readiness_note = note
    team.deployed_incident_id = incident_id if state == Readiness.DEPLOYED else None
    actor = actor_of(session)
    row = ReadinessChange(
        team_id=team.id,
        jurisdiction_code=team.jurisdiction_code,
        at=now,
        from_state=previous,
        to_state=state,
        note=note,
        incident_id=incident_id,
        actor=actor.name,
        actor_id=actor.user_id,
        client_key=client_key,
    )
    session.add(row)
    session.flush()
    return row


def _close_dispatches(session: Session, team: Team, now) -> None:
    from yingji.incidents.models import Incident
    from yingji.incidents.timeline import record

    open_rows = session.scalars(
        select(TeamDispatch).where(
            TeamDispatch.team_id == team.id, TeamDispatch.state == DispatchState.DISPATCHED
        )
    ).all()
    for d in open_rows:
        d.state = DispatchState.RETURNED
        d.returned_at = now
        incident = session.get(Incident, d.incident_id)
        if incident is not None:
            summary = translate("{team} returned from the scene.", "zh_CN", team=team.name)
            record(session, incident, "forces", summary, {"team_id": team.id, "action": "returned"})


def latest_change(session: Session, team: Team) -> ReadinessChange | None:
    """The newest history row of a team."""
    return session.scalar(
        select(ReadinessChange)
        .where(ReadinessChange.team_id == team.id)
        .order_by(ReadinessChange.at.desc(), ReadinessChange.id.desc())
        .limit(1)
    )


def history(session: Session, principal: Principal, team_id: int, limit: int = 50) -> list[ReadinessChange]:
    """A team's readiness history, newest first."""
    team = get_team(session, principal, team_id)
    return list(
        session.scalars(
            select(ReadinessChange)
            .where(ReadinessChange.team_id == team.id)
            .order_by(ReadinessChange.at.desc(), ReadinessChange.id.desc())
            .limit(limit)
        )
    )
