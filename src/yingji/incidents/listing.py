"""Reading incidents: the filtered list (keyset pages, fast at province scale), the report inbox, the
overdue deadlines, the map layer and one incident's page. Every read is in scope; no per-row queries."""

from __future__ import annotations

import json
from dataclasses import astuple, dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager, lazyload

from yingji.auth.scope import Principal, in_scope, visible
from yingji.core import clock
from yingji.core.errors import ValidationFailed
from yingji.core.pagecache import ScopedCache
from yingji.core.sql import unindexed
from yingji.incidents import duplicates, levels, owners, status
from yingji.incidents.codes import DeadlineState, ReceiptHow, ReportKind
from yingji.incidents.models import (
    Incident,
    IncidentReceipt,
    IncidentReport,
    ReportingDeadline,
    TimelineEvent,
)
from yingji.org import names, places
from yingji.ownership import taking
from yingji.ownership.models import Owned

MAX_PAGE = 100
COUNT_CAP = 10_000  # a list counts this far ("10,000+"): an exact count of a province costs a scan
OPEN_STATUSES = tuple(s for s in status.IncidentStatus if s != status.IncidentStatus.CLOSED)
INBOX_WINDOW = timedelta(days=30)  # the inbox shows new reports; older ones are in the list
MAP_LIMIT = 2000
# A list's count ("10,000+" for a province) scans up to COUNT_CAP index entries: shared by the users
# of one jurisdiction asking with the same filters, dropped at the commit of any incident write that
# touches the scope, and kept COUNT_SECONDS at most (how far another worker process may lag).
COUNT_SECONDS = 20.0
counts = ScopedCache("incidents.count", {"incidents"}, COUNT_SECONDS, entries=1024)
# A list page's rows as rendered (the template was two thirds of the page's work), shared the same
# way: by the users of one jurisdiction asking the same query in the same language. Built from the
# incidents, their owners (首接) and the place names.
PAGE_TABLES = {"incidents", "owned_items", "jurisdictions"}
pages = ScopedCache("incidents.pages", PAGE_TABLES, COUNT_SECONDS, entries=256)


@dataclass
class Filters:
    status: str | None = None
    category: str | None = None  # a category ("natural") or a subcategory ("natural.geological")
    grade: str | None = None  # I … IV, or "none"
    within: str | None = None  # a place code under the principal's scope
    date_from: date | None = None  # local dates, inclusive
    date_to: date | None = None
    q: str | None = None  # number prefix or words of the title
    include_merged: bool = False
    drill: str | None = None  # "real": drills left out (the overview's tiles link so); "drill": only drills


@dataclass
class KeysetPage:
    items: list[Incident]
    total: int
    size: int
    next_cursor: str | None = None
    filters: Filters = field(default_factory=Filters)
    more_than_total: bool = False  # the count stopped at COUNT_CAP


def local_day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=clock.LOCAL_TZ)


def filtered(session: Session, principal: Principal, f: Filters):
    """The filter conditions for the incidents a principal may see (a list for ``where``)."""
    q = (f.q or "").strip()
    by_number = q[:1].isdigit()
    # A number prefix is the most selective condition: let its unique index drive the scan.
    scope = unindexed(Incident.jurisdiction_code) if by_number else Incident.jurisdiction_code
    conditions = [in_scope(scope, principal)]
    if f.within:
        low, high = places.within(session, principal, f.within)
        conditions += [scope >= low, scope < high]
    if not f.include_merged:
        conditions.append(Incident.merged_into_id.is_(None))  # the partial covering indexes need this
    if f.status == "open":  # every status but closed (the overview's tiles link here)
        conditions.append(unindexed(Incident.status).in_(OPEN_STATUSES))
    elif f.status:
        if f.status not in status.STATUSES:
            raise ValidationFailed(details=[{"field": "status", "message": "Unknown status."}])
        conditions.append(unindexed(Incident.status) == f.status)
    if f.category:
        category = unindexed(Incident.category)
        if "." in f.category:
            conditions.append(category == f.category)
        else:
            conditions.append(category.startswith(f.category + ".", autoescape=True))
    if f.grade:
        if f.grade == "none":
            conditions.append(Incident.grade.is_(None))
        elif f.grade in ("I", "II", "III", "IV"):
            conditions.append(unindexed(Incident.grade) == f.grade)
        else:
            raise ValidationFailed(
                details=[{"field": "grade", "message": "Unknown grade: use I, II, III or IV."}]
            )
    if f.date_from:
        conditions.append(Incident.occurred_at >= local_day_start(f.date_from))
    if f.date_to:
        conditions.append(Incident.occurred_at < local_day_start(f.date_to + timedelta(days=1)))
    if f.drill == "real":
        conditions.append(Incident.drill_id.is_(None))
    elif f.drill == "drill":
        conditions.append(Incident.drill_id.is_not(None))
    elif f.drill:
        raise ValidationFailed(details=[{"field": "drill", "message": "This value is not valid."}])
    if q:
        if by_number:  # a number prefix: a range on the unique index (C collation on PostgreSQL)
            conditions += [Incident.number >= q, Incident.number < q[:-1] + chr(ord(q[-1]) + 1)]
        else:
            conditions.append(Incident.title.contains(q, autoescape=True))
    return conditions


def encode_cursor(incident: Incident) -> str:
    return f"{incident.occurred_at.isoformat()}|{incident.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        at, ident = cursor.rsplit("|", 1)
        return clock.to_utc(datetime.fromisoformat(at)), int(ident)
    except ValueError:
        raise ValidationFailed(details=[{"field": "after", "message": "This value is not valid."}]) from None


def search(
    session: Session, principal: Principal, f: Filters, *, after: str | None = None, size: int = 50
) -> KeysetPage:
    """Newest first, keyset-paged by (occurred_at, id): page N costs what page 1 costs. The count and
    the page's ids come from the covering scope index alone; then only the page's rows are read."""
    size = min(max(size, 1), MAX_PAGE)
    where = filtered(session, principal, f)

    def count() -> int:
        counted = select(Incident.id).where(*where).limit(COUNT_CAP + 1).subquery()
        return session.scalar(select(func.count()).select_from(counted)) or 0

    total = counts.get_or_build(principal.jurisdiction_code, count, key=astuple(f))
    keys = select(Incident.id, Incident.occurred_at).where(*where)
    if after:
        at, ident = decode_cursor(after)
        keys = keys.where(
            or_(Incident.occurred_at < at, and_(Incident.occurred_at == at, Incident.id < ident))
        )
    found = session.execute(
        keys.order_by(Incident.occurred_at.desc(), Incident.id.desc()).limit(size + 1)
    ).all()
    ids = [row.id for row in found[:size]]
    rows = (
        {
            i.id: i
            for i in session.scalars(
                select(Incident).options(lazyload(Incident.reports)).where(Incident.id.in_(ids))
            )
        }
        if ids
        else {}
    )
    items = [rows[i] for i in ids if i in rows]
    more = len(found) > size
    cursor = encode_cursor(items[-1]) if more and items else None
    return KeysetPage(items, min(total, COUNT_CAP), size, cursor, f, total > COUNT_CAP)


# -- the report inbox and the duty-board panels -------------------------------------------------
@dataclass
class InboxRow:
    report: IncidentReport
    incident: Incident
    received_here: bool  # the principal's level has it (a forwarded one: once an officer accepted it)
    duplicates: list[int] = field(default_factory=list)  # possible duplicates (first reports)
    owner: Owned | None = None  # 首接负责制: the owner shown (the principal's level's, else the first)


def inbox(
    session: Session,
    principal: Principal,
    *,
    limit: int = 30,
    since_id: int | None = None,
    duplicate_options: dict | None = None,
) -> list[InboxRow]:
    """Recent reports on incidents in scope, newest first, marked with whether the principal's
    level has received (签收) the incident yet and, for first reports, its possible duplicates."""
    stmt = (
        select(IncidentReport)
        .join(IncidentReport.incident)
        .options(contains_eager(IncidentReport.incident).lazyload(Incident.reports))
        .where(
            IncidentReport.received_at >= clock.now() - INBOX_WINDOW,
            in_scope(unindexed(Incident.jurisdiction_code), principal),  # drive from the recent reports
            Incident.merged_into_id.is_(None),
        )
        .order_by(IncidentReport.received_at.desc(), IncidentReport.id.desc())
        .limit(limit)
    )
    if since_id:
        stmt = stmt.where(IncidentReport.id > since_id)
    reports = list(session.scalars(stmt))
    my_level = levels.level_of(principal.jurisdiction_code)
    ids = {r.incident_id for r in reports}
    receipts = (
        dict(
            session.execute(
                select(IncidentReceipt.incident_id, IncidentReceipt.how).where(
                    IncidentReceipt.incident_id.in_(ids), IncidentReceipt.level == my_level
                )
            ).all()
        )
        if ids
        else {}
    )
    owned = owners.of(session, list(ids))
    # sent up to this level (上报) is not yet taken in: it is, once an officer here accepts it (首接)
    taken = {
        i for i, rows in owned.items() if any(o.holder_code == principal.jurisdiction_code for o in rows)
    }
    have = {i for i, how in receipts.items() if how != ReceiptHow.FORWARDED or i in taken}
    dups = {}
    if duplicate_options is not None:
        firsts = [
            r.incident
            for r in reports
            if r.kind == ReportKind.FIRST and r.incident.status != status.IncidentStatus.CLOSED
        ]
        dups = duplicates.among(session, principal, firsts, **duplicate_options)
    return [
        InboxRow(
            r,
            r.incident,
            r.incident_id in have,
            dups.get(r.incident_id, []),
            taking.shown_owner(owned.get(r.incident_id, []), principal),
        )
        for r in reports
    ]


def overdue(session: Session, principal: Principal, *, limit: int = 20) -> list[ReportingDeadline]:
    """Open deadlines past their due time in scope, most overdue first."""
    stmt = (
        select(ReportingDeadline)
        .join(ReportingDeadline.incident)
        .options(contains_eager(ReportingDeadline.incident).lazyload(Incident.reports))
        .where(
            ReportingDeadline.state == DeadlineState.OPEN,
            ReportingDeadline.due_at < clock.now(),
            in_scope(ReportingDeadline.jurisdiction_code, principal),
        )
        .order_by(ReportingDeadline.due_at)
        .limit(limit)
    )
    return list(session.scalars(stmt))


# -- the map layer ------------------------------------------------------------------------------
def map_features(
    session: Session,
    principal: Principal,
    bbox: tuple[float, float, float, float] | None,
    *,
    days: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[str, int, bool]:
    """Incidents as GeoJSON points: open ones, or all of the last ``days`` days, or all that occurred
    in [since, until)."""
    stmt = select(
        Incident.id,
        Incident.number,
        Incident.title,
        Incident.category,
        Incident.grade,
        Incident.status,
        Incident.occurred_at,
        Incident.lon,
        Incident.lat,
        Incident.drill_id,
        Incident.jurisdiction_code,
    ).where(
        in_scope(Incident.jurisdiction_code, principal),
        Incident.merged_into_id.is_(None),
        Incident.lon.is_not(None),
    )
    if days:
        stmt = stmt.where(Incident.occurred_at >= clock.now() - timedelta(days=days))
    elif since is None and until is None:
        stmt = stmt.where(Incident.status.in_(OPEN_STATUSES))
    if since is not None:
        stmt = stmt.where(Incident.occurred_at >= since)
    if until is not None:
        stmt = stmt.where(Incident.occurred_at < until)
    if bbox:
        minx, miny, maxx, maxy = bbox
        stmt = stmt.where(Incident.lon.between(minx, maxx), Incident.lat.between(miny, maxy))
    rows = session.execute(stmt.order_by(Incident.occurred_at.desc()).limit(MAP_LIMIT + 1)).all()
    truncated = len(rows) > MAP_LIMIT
    ix = names.index(session)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(r.lon, 5), round(r.lat, 5)]},
            "properties": {
                "id": r.id,
                "number": r.number,
                "title": f"【演练】{r.title}" if r.drill_id else r.title,  # a drill's, marked in the popup
                "drill": r.drill_id is not None,
                "category": r.category,
                "grade": r.grade,
                "status": r.status,
                "occurred_at": r.occurred_at.isoformat(),
                "place": ix.short_path(r.jurisdiction_code, principal.jurisdiction_code),
            },
        }
        for r in rows[:MAP_LIMIT]
    ]
    body = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )
    return body, len(features), truncated


# -- one incident --------------------------------------------------------------------------------
def taken_here(session: Session, principal: Principal, incident_id: int) -> bool:
    """Has an officer of the principal's own office taken the incident in (首接)?"""
    rows = owners.of(session, [incident_id]).get(incident_id, [])
    return any(o.holder_code == principal.jurisdiction_code for o in rows)


def shown_owners(session: Session, principal: Principal, items: list[Incident]) -> dict[int, Owned]:
    """The owner a list shows for each incident (the principal's office's, else the first taken)."""
    owned = owners.of(session, [i.id for i in items])
    return {i: o for i, rows in owned.items() if (o := taking.shown_owner(rows, principal)) is not None}


def get(session: Session, principal: Principal, incident_id: int) -> Incident:
    """One incident in scope (404 outside)."""
    return visible(principal, session.get(Incident, incident_id))


def timeline_of(session: Session, incident_id: int, limit: int = 500) -> list[TimelineEvent]:
    return list(
        session.scalars(
            select(TimelineEvent)
            .where(TimelineEvent.incident_id == incident_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)
            .limit(limit)
        )
    )
