"""Duplicate reports of one event: the same category, close in place and time. Offered at intake and
in the inbox; merging moves the duplicate's reports, receipts and photos into the kept incident."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.sql import unindexed
from yingji.geo.travel import distance_m
from yingji.incidents import deadlines, levels, status, timeline
from yingji.incidents.codes import ReceiptHow, ReportKind, ReportSource
from yingji.incidents.deadlines import zh
from yingji.incidents.models import MEASURES, Incident, IncidentPhoto, IncidentReport
from yingji.incidents.reports import apply_report, for_write, next_seq
from yingji.incidents.status import IncidentStatus
from yingji.org import names

DEFAULT_RADIUS_M = 2000.0  # settings.extra["duplicate_radius_m"] overrides
DEFAULT_WINDOW = timedelta(hours=12)  # settings.extra["duplicate_window_hours"] overrides


@dataclass(frozen=True)
class Candidate:
    incident: Incident
    distance_m: float
    minutes_apart: int


def candidates(
    session: Session,
    principal: Principal,
    *,
    category: str,
    lon: float,
    lat: float,
    occurred_at: datetime,
    exclude_id: int | None = None,
    radius_m: float = DEFAULT_RADIUS_M,
    window: timedelta = DEFAULT_WINDOW,
    limit: int = 10,
) -> list[Candidate]:
    """Open incidents in scope of the same category within ``radius_m`` and ``window``, nearest first."""
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(math.cos(math.radians(lat)), 0.01))
    stmt = (
        select(Incident)
        .options(lazyload(Incident.reports))
        .where(
            in_scope(Incident.jurisdiction_code, principal),
            Incident.category == category,
            Incident.merged_into_id.is_(None),
            Incident.status != IncidentStatus.CLOSED,
            Incident.occurred_at >= occurred_at - window,
            Incident.occurred_at <= occurred_at + window,
            Incident.lat.between(lat - dlat, lat + dlat),
            Incident.lon.between(lon - dlon, lon + dlon),
        )
        .limit(200)
    )
    if exclude_id is not None:
        stmt = stmt.where(Incident.id != exclude_id)
    found = []
    for incident in session.scalars(stmt):
        d = distance_m(lon, lat, incident.lon, incident.lat)
        if d <= radius_m:
            minutes = int(abs((incident.occurred_at - occurred_at).total_seconds()) // 60)
            found.append(Candidate(incident, d, minutes))
    found.sort(key=lambda c: (c.distance_m, c.minutes_apart))
    return found[:limit]


def of_incident(session: Session, principal: Principal, incident: Incident, **options) -> list[Candidate]:
    """Possible duplicates of an existing incident."""
    if incident.lon is None or incident.lat is None or incident.merged_into_id is not None:
        return []
    return candidates(
        session,
        principal,
        category=incident.category,
        lon=incident.lon,
        lat=incident.lat,
        occurred_at=incident.occurred_at,
        exclude_id=incident.id,
        **options,
    )


def _lock_pair(
    session: Session, principal: Principal, keep_id: int, dup_id: int
) -> tuple[Incident, Incident]:
    """Lock both rows in id order (no deadlock between two merges of the same pair)."""
    first, second = sorted((keep_id, dup_id))
    rows = {i: for_write(session, principal, i, Perm.INCIDENT_MANAGE) for i in (first, second)}
    return rows[keep_id], rows[dup_id]


def merge(session: Session, principal: Principal, keep_id: int, duplicate_id: int) -> Incident:
    """Merge ``duplicate_id`` into ``keep_id``: its reports join the kept chain (copied, append-only),
    the levels that received it count as having received the kept one, its photos move, and the
    duplicate is closed with a pointer to the kept incident. Timeline on both; audited."""
    if keep_id == duplicate_id:
        raise ValidationFailed(
            details=[{"field": "duplicate_id", "message": "An incident cannot be merged into itself."}]
        )
    keep, dup = _lock_pair(session, principal, keep_id, duplicate_id)
    if keep.merged_into_id is not None or dup.merged_into_id is not None:
        raise Conflict("This incident was merged into another one; report on that one.")
    if keep.status == IncidentStatus.CLOSED:
        raise Conflict("This incident is closed; a new development is a new report.")
    status.check_move(dup.status, IncidentStatus.CLOSED)

    seq = next_seq(session, keep.id)
    dup_reports = list(
        session.scalars(
            select(IncidentReport).where(IncidentReport.incident_id == dup.id).order_by(IncidentReport.seq)
        )
    )
    for r in dup_reports:
        session.add(
            IncidentReport(
                incident_id=keep.id,
                seq=seq,
                kind=ReportKind.FOLLOW_UP,
                received_at=r.received_at,
                from_level=r.from_level,
                jurisdiction_code=r.jurisdiction_code,
                submitted_by_user_id=r.submitted_by_user_id,
                text=zh(N_("[Merged from {number}, report #{seq}]"), number=dup.number, seq=r.seq)
                + (f" {r.text}" if r.text else ""),
                grade_after=r.grade_after,
                source=ReportSource.MERGED,
                merged_from_report_id=r.id,
                **r.figures(),
            )
        )
        seq += 1
    session.flush()
    for level, receipt in deadlines.receipts_of(session, dup.id).items():
        if levels.code_at(keep.jurisdiction_code, level) is not None:
            deadlines.receive(
                session,
                keep,
                level,
                how=ReceiptHow.MERGED,
                at=receipt.received_at,
                by_user_id=receipt.by_user_id,
            )
    kept_shas = set(session.scalars(select(IncidentPhoto.sha256).where(IncidentPhoto.incident_id == keep.id)))
    for photo in session.scalars(select(IncidentPhoto).where(IncidentPhoto.incident_id == dup.id)):
        if photo.sha256 not in kept_shas:
            photo.incident_id = keep.id
            photo.jurisdiction_code = keep.jurisdiction_code

    combined = {m: max(getattr(keep, m) or 0, getattr(dup, m) or 0) for m in MEASURES}
    if combined != keep.figures():
        summary = IncidentReport(
            incident_id=keep.id,
            seq=seq,
            kind=ReportKind.FOLLOW_UP,
            received_at=clock.now(),
            from_level=levels.level_of(principal.jurisdiction_code),
            jurisdiction_code=principal.jurisdiction_code or "",
            submitted_by_user_id=principal.user_id,
            text=zh(N_("Figures after merging {number}: the larger of the two reports."), number=dup.number),
            source=ReportSource.MERGED,
            **combined,
        )
        session.add(summary)
        session.flush()
        apply_report(session, keep, summary)
    else:
        deadlines.settle(session, keep)

    deadlines.waive_all(session, dup, zh(N_("Merged into {number}."), number=keep.number))
    dup.merged_into_id = keep.id
    dup.status = IncidentStatus.CLOSED
    dup.closed_at = clock.now()
    timeline.record(
        session,
        keep,
        "merge",
        zh(
            N_("Merged duplicate {number} ({place}) into this incident ({count} reports)."),
            number=dup.number,
            place=names.place_path(session, dup.jurisdiction_code),
            count=len(dup_reports),
        ),
        {"duplicate_id": dup.id},
    )
    timeline.record(
        session,
        dup,
        "merge",
        zh(
            N_("Merged into {number} ({place}) as a duplicate."),
            number=keep.number,
            place=names.place_path(session, keep.jurisdiction_code),
        ),
        {"kept_id": keep.id},
    )
    session.flush()
    session.expire(keep, ["reports"])
    return keep


def among(
    session: Session,
    principal: Principal,
    incidents: list[Incident],
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    window: timedelta = DEFAULT_WINDOW,
) -> dict[int, list[int]]:
    """Possible duplicates of several incidents at once (the inbox): one query, matched here."""
    located = [i for i in incidents if i.lon is not None and i.lat is not None and i.merged_into_id is None]
    if not located:
        return {}
    start = min(i.occurred_at for i in located) - window
    end = max(i.occurred_at for i in located) + window
    rows = session.execute(
        select(Incident.id, Incident.category, Incident.lon, Incident.lat, Incident.occurred_at).where(
            # Drive from the time range (a few days), not from the whole scope's incidents.
            in_scope(unindexed(Incident.jurisdiction_code), principal),
            unindexed(Incident.category).in_({i.category for i in located}),
            Incident.merged_into_id.is_(None),
            Incident.status != IncidentStatus.CLOSED,
            Incident.occurred_at.between(start, end),
            Incident.lon.is_not(None),
        )
    ).all()
    by_category: dict[str, list] = {}
    for r in rows:
        by_category.setdefault(r.category, []).append(r)
    dlat = radius_m / 111_320.0
    found: dict[int, list[int]] = {}
    for i in located:
        found[i.id] = [
            r.id
            for r in by_category.get(i.category, ())
            if r.id != i.id
            and abs(r.occurred_at - i.occurred_at) <= window
            and abs(r.lat - i.lat) <= dlat
            and distance_m(i.lon, i.lat, r.lon, r.lat) <= radius_m
        ]
    return found
