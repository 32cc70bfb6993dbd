"""Team dispatch for an incident: recommend the nearest available teams with the needed capabilities,
each with its reason, and commit the chosen ones (deployed, history, dispatch rows, incident timeline).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, current_locale, translate
from yingji.forces import codes, index, readiness
from yingji.forces.codes import DispatchState, Readiness
from yingji.forces.models import Team, TeamDispatch
from yingji.forces.schemas import DispatchIn
from yingji.geo.travel import model_for
from yingji.incidents.models import Incident
from yingji.incidents.status import IncidentStatus
from yingji.incidents.timeline import record
from yingji.org.models import Jurisdiction


@dataclass(frozen=True)
class Recommendation:
    candidate: index.Candidate
    reason: str  # in the request's language (Chinese by default)

    def as_dict(self) -> dict:
        c = self.candidate
        return {
            "team_id": c.team_id,
            "name": c.name,
            "kind": c.kind,
            "jurisdiction_code": c.jurisdiction_code,
            "readiness": c.readiness,
            "minutes": round(c.minutes, 1),
            "km": round(c.km, 2),
            "by_road": c.by_road,
            "members": c.members,
            "capabilities": list(c.matched),
            "reason": self.reason,
        }


def reason_text(c: index.Candidate, locale: str | None = None) -> str:
    """ "防汛抢险、水域救援 · 备勤 · 约 12 分钟 · 18 人" — what the team brings, its state, time, size."""
    loc = locale or current_locale()

    def t(msg: str, **kw) -> str:
        return translate(msg, loc, **kw)

    sep = ", " if loc == "en" else "、"
    brings = sep.join(t(codes.CAPABILITIES[x]) for x in c.matched) or t(codes.TEAM_KINDS[c.kind].label)
    minutes = max(1, round(c.minutes))
    travel = N_("about {minutes} min by road") if c.by_road else N_("about {minutes} min")
    return " · ".join(
        [
            brings,
            t(codes.READINESS[c.readiness]),
            t(travel, minutes=minutes),
            t(N_("{count} people"), count=c.members),
        ]
    )


def incident_for(session: Session, principal: Principal, incident_id: int) -> Incident:
    """An incident the principal may see (404 otherwise)."""
    return visible(principal, session.get(Incident, incident_id))


def incident_point(session: Session, incident: Incident) -> tuple[float, float]:
    """Where the incident is: its coordinates, else the label point of its place."""
    if incident.lon is not None and incident.lat is not None:
        return incident.lon, incident.lat
    place = session.get(Jurisdiction, incident.jurisdiction_code)
    if place is None or place.lon is None:
        raise ValidationFailed(details=[{"field": "location", "message": "The incident has no location."}])
    return place.lon, place.lat


def needs_of(incident: Incident, override: list[str] | None = None) -> list[str]:
    """The capabilities asked for: the request's, else those of the incident's category."""
    return list(override) if override else list(codes.needs_for(incident.category))


def recommend(
    session: Session,
    principal: Principal,
    incident_id: int,
    *,
    capabilities: list[str] | None = None,
    limit: int = 10,
) -> tuple[Incident, list[str], list[Recommendation]]:
    """The nearest on-call teams in the principal's scope that bring a needed capability, nearest first."""
    incident = incident_for(session, principal, incident_id)
    needs = needs_of(incident, capabilities)
    lon, lat = incident_point(session, incident)
    idx, network_id = index.snapshot(session)
    model = model_for(session, incident.jurisdiction_code, network_id=network_id)
    found = index.nearest(idx, lon, lat, needs, scope=principal.jurisdiction_code, model=model, limit=limit)
    return incident, needs, [Recommendation(c, reason_text(c)) for c in found]


def dispatched(session: Session, principal: Principal, incident_id: int) -> list[TeamDispatch]:
    """Teams committed to an incident (those the principal may see), newest first."""
    incident = incident_for(session, principal, incident_id)
    rows = session.scalars(
        select(TeamDispatch)
        .where(TeamDispatch.incident_id == incident.id)
        .order_by(TeamDispatch.committed_at.desc(), TeamDispatch.id.desc())
    )
    return [d for d in rows if principal.covers(d.jurisdiction_code)]


def commit(session: Session, principal: Principal, incident_id: int, data: DispatchIn) -> list[TeamDispatch]:
    """Send the chosen teams: each must still be on call. Idempotent by the client key."""
    require(principal, Perm.DISPATCH)
    incident = incident_for(session, principal, incident_id)
    if incident.status == IncidentStatus.CLOSED:
        raise Conflict("The incident is closed.")
    team_ids = sorted(set(data.team_ids))
    teams = list(
        session.scalars(
            select(Team)
            .where(Team.id.in_(team_ids))
            .order_by(Team.id)
            .with_for_update(of=Team)
            .execution_options(populate_existing=True)
        ).unique()
    )
    found = {t.id: t for t in teams}
    for team_id in team_ids:
        team = found.get(team_id)
        if team is None or not principal.covers(team.jurisdiction_code):
            raise NotFound()
        writable(principal, team.jurisdiction_code, Perm.DISPATCH)
    earlier = list(
        session.scalars(
            select(TeamDispatch).where(TeamDispatch.batch_key == data.client_key).order_by(TeamDispatch.id)
        )
    )
    if earlier:
        if earlier[0].incident_id != incident.id or {d.team_id for d in earlier} != set(team_ids):
            raise Conflict("This client key was already used for another change.")
        return earlier
    busy = [t for t in teams if t.readiness != Readiness.ON_CALL or not t.active]
    if busy:
        names = "、".join(t.name for t in busy)
        raise Conflict("These teams are no longer on call: {names}", names=names)
    lon, lat = incident_point(session, incident)
    model = model_for(session, incident.jurisdiction_code)
    places = [[lon if t.lon is None else t.lon, lat if t.lat is None else t.lat] for t in teams]
    estimate = model.estimate(places, (lon, lat))
    minutes = estimate.minutes
    needs = needs_of(incident, data.capabilities)
    need_mask = codes.capability_mask(needs)
    rows = []
    for i, (team, mins) in enumerate(zip(teams, minutes, strict=True)):
        caps = codes.split_codes(team.capabilities)
        candidate = index.Candidate(
            team.id,
            team.name,
            team.kind,
            team.jurisdiction_code,
            team.readiness,
            float(mins),
            0.0,
            bool(estimate.by_road[i]),
            team.member_count,
            tuple(c for c in caps if codes.CAPABILITY_BIT[c] & need_mask),
        )
        reason = reason_text(candidate, "zh_CN")
        readiness.apply(session, team, Readiness.DEPLOYED, incident.title[:200], incident_id=incident.id)
        row = TeamDispatch(
            incident_id=incident.id,
            team_id=team.id,
            jurisdiction_code=team.jurisdiction_code,
            batch_key=data.client_key,
            state=DispatchState.DISPATCHED,
            committed_by=principal.username,
            travel_minutes=round(float(mins), 1),
            reason=reason[:300],
        )
        session.add(row)
        rows.append(row)
    session.flush()
    listed = "、".join(
        translate("{team} (about {minutes} min)", "zh_CN", team=t.name, minutes=max(1, round(float(m))))
        for t, m in zip(teams, minutes, strict=True)
    )
    summary = translate("Teams dispatched: {teams}", "zh_CN", teams=listed)
    record(
        session,
        incident,
        "forces",
        summary,
        {"action": "dispatched", "team_ids": team_ids, "client_key": data.client_key},
    )
    return rows
