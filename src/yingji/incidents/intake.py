"""Incident intake (首报): desktop form, phone page and API all end here.

An idempotency key makes a retried submission (a phone on a weak network) create one incident: the
key is unique in the database, the insert runs in a savepoint, and a second writer that loses the
race gets the first one's incident back — on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, require, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.incidents import levels, locate, owners
from yingji.incidents.codes import ReportKind
from yingji.incidents.models import MEASURES, Incident, IncidentNumberCounter, IncidentReport
from yingji.incidents.reports import apply_report
from yingji.incidents.schemas import IncidentIn
from yingji.incidents.status import IncidentStatus
from yingji.org import names
from yingji.org.models import Jurisdiction
from yingji.ownership.codes import TakenHow
from yingji.rules import grading

CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run a little ahead


def next_number(session: Session, place_code: str) -> str:
    """The next incident number of the county and local day, e.g. 520602-20261124-0003 (an upsert
    on a counter row: atomic on both databases)."""
    day = clock.to_local(clock.now()).strftime("%Y%m%d")
    key = f"{place_code[:6]}-{day}"
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(IncidentNumberCounter)
        .values(key=key, last=1)
        .on_conflict_do_update(index_elements=["key"], set_={"last": IncidentNumberCounter.last + 1})
        .returning(IncidentNumberCounter.last)
    )
    return f"{key}-{session.execute(stmt).scalar_one():04d}"


def resolve_place(session: Session, principal: Principal, data: IncidentIn) -> tuple[Jurisdiction, str]:
    """Where it happened: the point (map click or GPS) decides; else the division picked from the list."""
    locate.check_point(data.lon, data.lat)
    if data.lon is not None:
        place = locate.locate(session, principal, data.lon, data.lat)
        if data.jurisdiction_code and not place.code.startswith(data.jurisdiction_code):
            raise ValidationFailed(
                details=[
                    {"field": "jurisdiction_code", "message": "The point is not inside the chosen place."}
                ]
            )
        return place, data.located_by or "map"
    if not data.jurisdiction_code:
        raise ValidationFailed(
            details=[{"field": "lon", "message": "Give the place: a point on the map, GPS, or a division."}]
        )
    place = session.get(Jurisdiction, data.jurisdiction_code)
    visible(principal, place, place.code if place is not None else None)
    writable(principal, place.code, Perm.INCIDENT_REPORT)
    return place, "place"


def _times(data: IncidentIn):
    now = clock.now()
    occurred = data.occurred_at or now
    received = data.received_at or now
    if occurred > now + CLOCK_SKEW:
        raise ValidationFailed(details=[{"field": "occurred_at", "message": "This time is in the future."}])
    if received > now + CLOCK_SKEW:
        raise ValidationFailed(details=[{"field": "received_at", "message": "This time is in the future."}])
    if received < occurred:
        raise ValidationFailed(
            details=[{"field": "received_at", "message": "A report cannot be received before the event."}]
        )
    return occurred, min(received, now)


def by_key(session: Session, principal: Principal, key: str) -> Incident | None:
    """The incident a key already created (the same user's retry), else None."""
    incident = session.scalar(select(Incident).where(Incident.idempotency_key == key))
    if incident is None:
        return None
    if incident.reported_by_user_id != principal.user_id:
        raise Conflict("This idempotency key was already used for another submission.")
    return incident


def default_title(place: Jurisdiction, category: str) -> str:
    """The place's common name and the kind (北门社区地质灾害, not …居民委员会地质灾害); pages show
    the path beside it."""
    row = grading.subcategory(category) or {}
    return f"{names.common_name(place.name, place.level)}{row.get('zh', category)}"[:200]


def create(
    session: Session,
    principal: Principal,
    data: IncidentIn,
    *,
    idempotency_key: str | None = None,
    drill_id: int | None = None,
    how: TakenHow = TakenHow.API,
) -> tuple[Incident, bool]:
    """File a first report. Returns (incident, created); a retried key returns the first incident.
    ``drill_id``: injected by that exercise (set only by ``yingji.drills.injects``, never by input).
    ``how``: the intake path; an officer of a receiving level is the incident's first receiver there
    (首接), a retry changes nothing."""
    require(principal, Perm.INCIDENT_REPORT)
    key = idempotency_key or data.idempotency_key
    if key:
        found = by_key(session, principal, key)
        if found is not None:
            return found, False
    place, located_by = resolve_place(session, principal, data)
    occurred, received = _times(data)
    given = data.figures.given()
    figures = {m: given.get(m, 0) for m in MEASURES}
    lon, lat = (data.lon, data.lat) if data.lon is not None else (place.lon, place.lat)
    try:
        with session.begin_nested():
            incident = Incident(
                number=next_number(session, place.code),
                title=data.title or default_title(place, data.category),
                category=data.category,
                jurisdiction_code=place.code,
                lon=lon,
                lat=lat,
                located_by=located_by,
                address=data.address,
                occurred_at=occurred,
                received_at=received,
                status=IncidentStatus.REPORTED,
                description=data.description,
                reported_by_user_id=principal.user_id,
                reporter_name=data.reporter_name or principal.display_name,
                reporter_phone=data.reporter_phone,
                idempotency_key=key,
                drill_id=drill_id,
                **figures,
            )
            session.add(incident)
            session.flush()
    except IntegrityError:
        found = by_key(session, principal, key) if key else None
        if found is None:
            raise
        return found, False
    incident.jurisdiction = place
    report = IncidentReport(
        incident_id=incident.id,
        seq=1,
        kind=ReportKind.FIRST,
        received_at=received,
        from_level=levels.level_of(principal.jurisdiction_code),
        jurisdiction_code=principal.jurisdiction_code or "",
        submitted_by_user_id=principal.user_id,
        text=data.description,
        source=data.source,
        **figures,
    )
    session.add(report)
    session.flush()
    apply_report(session, incident, report)
    owners.take(session, principal, incident, how)
    return incident, True
