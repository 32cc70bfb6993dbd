"""Monthly village risk meetings API (村级风险研判会)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.org.params import PageNo, query_code
from yingji.risk import meetings
from yingji.risk.schemas import MeetingIn, MeetingOut, MeetingPage, Month, answer

router = APIRouter()


# -- monthly village meetings ---------------------------------------------------------------
def meeting_out(session, meeting) -> dict:
    """A village meeting as the API's JSON shape."""
    return {
        "id": meeting.id,
        "jurisdiction_code": meeting.jurisdiction_code,
        "month": meeting.month,
        "held_on": meeting.held_on,
        "host": meeting.host,
        "attendees": meeting.attendees,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "reported_at": meeting.reported_at,
        "danger_ids": [d.id for _, d in meetings.discussed(session, meeting)],
    }


@router.get("/risk/meetings", response_model=MeetingPage)
def list_meetings(
    principal: CurrentPrincipal,
    session: DbSession,
    month: Month = None,
    within: str | None = None,
    page: PageNo = 1,
) -> JSONResponse:
    """Village meetings in scope for a month, with the month's coverage."""
    found = meetings.search(session, principal, month=month, within=query_code(within), page=page)
    return answer(
        {
            "items": [meeting_out(session, m) for m in found.items],
            "total": found.total,
            "coverage": meetings.coverage(session, principal, month or meetings.this_month()),
        }
    )


@router.post("/risk/meetings", status_code=201, response_model=MeetingOut)
def record_meeting(data: MeetingIn, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Record a village's monthly risk meeting."""
    return answer(meeting_out(session, meetings.record(session, principal, data)), 201)


@router.post("/risk/meetings/{meeting_id}/report", response_model=MeetingOut)
def report_meeting(meeting_id: int, principal: CurrentPrincipal, session: DbSession) -> JSONResponse:
    """Report a meeting's minutes to the town (once)."""
    return answer(meeting_out(session, meetings.report_upward(session, principal, meeting_id)))
