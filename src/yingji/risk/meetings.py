"""The monthly village risk meeting (seed 003: 村级应急协管员 with the grid workers, every month):
minutes, the hidden dangers discussed, decisions, and the report to the town."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_, translate
from yingji.core.pagination import Page, paginate
from yingji.notify.inbox import notify_level
from yingji.org import places
from yingji.org.models import Jurisdiction
from yingji.risk import races
from yingji.risk.danger_models import Danger
from yingji.risk.dangers import log
from yingji.risk.models import Meeting, MeetingDanger
from yingji.risk.schemas import MeetingIn


def this_month() -> str:
    """The current local month, YYYY-MM."""
    return f"{clock.to_local(clock.now()):%Y-%m}"


def record(session: Session, principal: Principal, data: MeetingIn) -> Meeting:
    """Record a village's meeting for a month (one per village and month)."""
    if data.client_key:
        known = session.scalar(select(Meeting).where(Meeting.client_key == data.client_key))
        if known is not None:
            return visible(principal, known)
    village = places.get(session, principal, data.jurisdiction_code)
    if village.level != "village":
        raise ValidationFailed(details=[{"field": "jurisdiction_code", "message": "Choose a village."}])
    writable(principal, village.code, Perm.DANGER_REPORT)
    problems = []
    if data.month > this_month():
        problems.append({"field": "month", "message": "The month cannot be in the future."})
    if f"{data.held_on:%Y-%m}" != data.month:
        problems.append({"field": "held_on", "message": "The date must fall in the meeting's month."})
    if problems:
        raise ValidationFailed(details=problems)
    if session.scalar(
        select(Meeting.id).where(Meeting.jurisdiction_code == village.code, Meeting.month == data.month)
    ):
        raise Conflict("This village already has a meeting for {month}.", month=data.month)
    discussed = []
    for danger_id in dict.fromkeys(data.danger_ids):
        danger = session.get(Danger, danger_id)
        if (
            danger is None
            or not danger.jurisdiction_code.startswith(village.code)
            or not principal.covers(danger.jurisdiction_code)
        ):
            raise ValidationFailed(
                details=[{"field": "danger_ids", "message": "Unknown hidden danger of this village."}]
            )
        discussed.append(danger)
    meeting = Meeting(
        jurisdiction_code=village.code,
        month=data.month,
        held_on=data.held_on,
        host=data.host,
        attendees=data.attendees,
        minutes=data.minutes,
        decisions=data.decisions,
        created_by_user_id=principal.user_id,
        client_key=data.client_key,
    )
    winner = races.insert_once(session, meeting, lambda: _taken(session, principal, data))
    if winner is not meeting:
        return winner
    for danger in discussed:
        session.add(
            MeetingDanger(
                meeting_id=meeting.id, danger_id=danger.id, jurisdiction_code=danger.jurisdiction_code
            )
        )
        log(
            session,
            danger,
            "meeting",
            danger.status,
            danger.status,
            principal,
            data={"meeting_id": meeting.id},
        )
    session.flush()
    return meeting


def _taken(session: Session, principal: Principal, data: MeetingIn) -> Meeting:
    """A concurrent request recorded the month first: the same submission answers its record."""
    known = (
        session.scalar(select(Meeting).where(Meeting.client_key == data.client_key))
        if data.client_key
        else None
    )
    if known is None:
        raise Conflict("This village already has a meeting for {month}.", month=data.month)
    return visible(principal, known)


def report_upward(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    """Send the minutes to the town (once; again is a no-op)."""
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None or not principal.covers(meeting.jurisdiction_code):
        raise NotFound()
    writable(principal, meeting.jurisdiction_code, Perm.DANGER_REPORT)
    if meeting.reported_at is not None:
        return meeting
    meeting.reported_at = clock.now()
    village = session.get(Jurisdiction, meeting.jurisdiction_code)
    notify_level(
        session,
        meeting.jurisdiction_code[:9],
        subject=translate(
            N_("Village risk meeting of {village} for {month}"),
            "zh_CN",
            village=village.name,
            month=meeting.month,
        ),
        body=(meeting.decisions or meeting.minutes)[:2000],
        link=f"/risk/meetings/{meeting.id}",
        category="risk",
        key=f"risk.meeting:{meeting.id}",
        perm=Perm.DANGER_MANAGE,
    )
    session.flush()
    return meeting


def get(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    """A meeting the principal can see (404 otherwise)."""
    return visible(principal, session.get(Meeting, meeting_id))


def discussed(session: Session, meeting: Meeting) -> list[tuple[MeetingDanger, Danger]]:
    """The dangers a meeting discussed."""
    return list(
        session.execute(
            select(MeetingDanger, Danger)
            .join(Danger, Danger.id == MeetingDanger.danger_id)
            .where(MeetingDanger.meeting_id == meeting.id)
            .order_by(MeetingDanger.id)
        ).all()
    )


def search(
    session: Session,
    principal: Principal,
    *,
    month: str | None = None,
    within: str | None = None,
    page: int = 1,
) -> Page[Meeting]:
    """Meetings in scope, newest month first."""
    stmt = select(Meeting).where(in_scope(Meeting.jurisdiction_code, principal))
    if month:
        stmt = stmt.where(Meeting.month == month)
    stmt = places.narrow(session, principal, stmt, Meeting.jurisdiction_code, within)
    return paginate(session, stmt.order_by(Meeting.month.desc(), Meeting.jurisdiction_code), page, 50)


def coverage(session: Session, principal: Principal, month: str) -> dict:
    """Villages in scope, how many held the month's meeting and how many reported it upward."""
    villages = session.scalar(
        select(func.count()).where(Jurisdiction.level == "village", in_scope(Jurisdiction.code, principal))
    )
    held, reported = session.execute(
        select(func.count(), func.count(Meeting.reported_at)).where(
            Meeting.month == month, in_scope(Meeting.jurisdiction_code, principal)
        )
    ).one()
    return {"month": month, "villages": villages or 0, "held": held or 0, "reported": reported or 0}


def danger_choices(
    session: Session, principal: Principal, village_code: str, limit: int = 100
) -> list[Danger]:
    """Open or recent dangers of a village, to tick on the meeting form."""
    low, high = places.within(session, principal, village_code)
    return list(
        session.scalars(
            select(Danger)
            .where(Danger.jurisdiction_code >= low, Danger.jurisdiction_code < high)
            .order_by(Danger.found_at.desc())
            .limit(limit)
        )
    )
