"""The town's quarterly 应急例会 (seed 002 863 (3): 每季度至少召开一次应急指挥部全体会议; 应急例会提出
工作目标、研判安全形势、部署重点工作): date, attendees, agenda, the situation analysis, decisions and
follow-ups (owner, deadline, state). Recorded by READINESS_MANAGE over the town; a follow-up is closed
(or reopened) by its owner or by a manager of the town. Idempotent by the phone's client key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_, gettext
from yingji.core.pagination import Page
from yingji.org.models import Jurisdiction
from yingji.readiness import evidence
from yingji.readiness.codes import FOLLOWUP_LABELS, FOLLOWUP_MOVES, FollowUpState
from yingji.readiness.facts import quarter_of
from yingji.readiness.models import FollowUp, Meeting
from yingji.readiness.schemas import FollowUpMoveIn, MeetingIn


def _owner(session: Session, username: str | None, town: str) -> int | None:
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username, User.active))
    # the owner works in the town (or one of its villages) or above it
    if user is None or not (
        town.startswith(user.jurisdiction_code) or user.jurisdiction_code.startswith(town)
    ):
        raise ValidationFailed.on("owner_username", N_("No active user of this town has this user name."))
    return user.id


def create(session: Session, principal: Principal, data: MeetingIn) -> Meeting:
    if data.client_key:
        done = session.scalar(select(Meeting).where(Meeting.client_key == data.client_key))
        if done is not None:
            if not principal.covers(done.jurisdiction_code):
                raise Conflict("This client key was already used for another change.")
            return done
    place = visible(principal, session.get(Jurisdiction, data.jurisdiction_code), data.jurisdiction_code)
    if place.level != "town":
        raise ValidationFailed.on("jurisdiction_code", N_("HQ meetings are recorded for towns."))
    writable(principal, place.code, Perm.READINESS_MANAGE)
    today = clock.now().astimezone(clock.LOCAL_TZ).date()
    if data.held_on > today:
        raise ValidationFailed.on("held_on", N_("A meeting is recorded once it was held, not before."))
    meeting = Meeting(
        jurisdiction_code=place.code,
        held_on=data.held_on,
        year=data.held_on.year,
        quarter=quarter_of(data.held_on),
        title=data.title,
        place=data.place,
        chair=data.chair,
        attendees=data.attendees,
        agenda=data.agenda,
        situation=data.situation,
        decisions=data.decisions,
        recorded_by=principal.display_name or principal.username,
        recorded_by_user_id=principal.user_id,
        client_key=data.client_key,
    )
    for f in data.followups:
        meeting.followups.append(
            FollowUp(
                jurisdiction_code=place.code,
                text=f.text,
                owner_name=f.owner_name,
                owner_user_id=_owner(session, f.owner_username, place.code),
                due_on=f.due_on,
                state=FollowUpState.OPEN.value,
            )
        )
    session.add(meeting)
    session.flush()
    return meeting


def get(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    return visible(principal, session.get(Meeting, meeting_id))


def search(
    session: Session,
    principal: Principal,
    *,
    within: str | None = None,
    year: int | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[Meeting]:
    from yingji.core.pagination import paginate
    from yingji.org import places

    stmt = select(Meeting).where(in_scope(Meeting.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, Meeting.jurisdiction_code, within)
    if year:
        stmt = stmt.where(Meeting.year == year)
    return paginate(session, stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc()), page, size)


def add_followup(session: Session, principal: Principal, meeting_id: int, data) -> FollowUp:
    meeting = get(session, principal, meeting_id)
    writable(principal, meeting.jurisdiction_code, Perm.READINESS_MANAGE)
    row = FollowUp(
        meeting_id=meeting.id,
        jurisdiction_code=meeting.jurisdiction_code,
        text=data.text,
        owner_name=data.owner_name,
        owner_user_id=_owner(session, data.owner_username, meeting.jurisdiction_code),
        due_on=data.due_on,
        state=FollowUpState.OPEN.value,
    )
    session.add(row)
    session.flush()
    return row


def can_close(principal: Principal, row: FollowUp) -> bool:
    """The follow-up's owner, or a manager of its town."""
    if row.owner_user_id is not None and row.owner_user_id == principal.user_id:
        return True
    return principal.can(Perm.READINESS_MANAGE) and principal.covers(row.jurisdiction_code)


def move_followup(session: Session, principal: Principal, followup_id: int, data: FollowUpMoveIn) -> FollowUp:
    row = session.get(FollowUp, followup_id, with_for_update=True)
    if row is None:
        raise NotFound()
    # the owner may sit in a village below the town: their own follow-up is theirs to close
    owner = row.owner_user_id is not None and row.owner_user_id == principal.user_id
    if not owner:
        visible(principal, row)
    if not can_close(principal, row):
        raise Forbidden()
    target = FollowUpState(data.state)
    current = FollowUpState(row.state)
    if target == current:
        return row  # a repeated tap changes nothing
    if target not in FOLLOWUP_MOVES[current]:
        raise Conflict("This follow-up cannot move to that state.")
    row.state = target.value
    if target == FollowUpState.DONE:
        row.closed_at = clock.now()
        row.closed_by = principal.display_name or principal.username
        row.close_note = data.note
    else:
        row.closed_at = row.closed_by = None
        row.close_note = data.note
    session.flush()
    return row


def add_evidence(
    session: Session, principal: Principal, meeting_id: int, data: bytes, filename, *, root, max_bytes
):
    meeting = get(session, principal, meeting_id)
    writable(principal, meeting.jurisdiction_code, Perm.READINESS_MANAGE)
    return evidence.attach(
        session,
        principal,
        code=meeting.jurisdiction_code,
        data=data,
        filename=filename,
        root=root,
        max_bytes=max_bytes,
        meeting_id=meeting.id,
    )


def followup_out(principal: Principal, row: FollowUp) -> dict:
    today = clock.now().astimezone(clock.LOCAL_TZ).date()
    return {
        "id": row.id,
        "meeting_id": row.meeting_id,
        "text": row.text,
        "owner_name": row.owner_name,
        "owner_user_id": row.owner_user_id,
        "due_on": row.due_on,
        "overdue": row.state == FollowUpState.OPEN.value and row.due_on is not None and row.due_on < today,
        "state": row.state,
        "state_label": gettext(FOLLOWUP_LABELS[FollowUpState(row.state)]),
        "closed_at": row.closed_at,
        "closed_by": row.closed_by,
        "close_note": row.close_note,
        "can_close": can_close(principal, row),
    }


def outs(session: Session, principal: Principal, rows: list[Meeting]) -> list[dict]:
    names = dict(
        session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(
                Jurisdiction.code.in_({m.jurisdiction_code for m in rows})
            )
        ).all()
    )
    return [
        {
            "id": m.id,
            "jurisdiction_code": m.jurisdiction_code,
            "place_name": names.get(m.jurisdiction_code, m.jurisdiction_code),
            "held_on": m.held_on,
            "year": m.year,
            "quarter": m.quarter,
            "title": m.title,
            "place": m.place,
            "chair": m.chair,
            "attendees": m.attendees,
            "agenda": m.agenda,
            "situation": m.situation,
            "decisions": m.decisions,
            "recorded_by": m.recorded_by,
            "followups": [followup_out(principal, f) for f in m.followups],
            "evidence": [evidence.out(e) for e in m.evidence],
        }
        for m in rows
    ]


__all__ = ["NotFound", "create", "get", "move_followup", "outs", "search"]
