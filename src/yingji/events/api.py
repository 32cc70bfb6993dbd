"""Events API: the SSE stream (``text/event-stream``) and the same events as a JSON list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db
from yingji.events import stream
from yingji.events.hub import max_id
from yingji.events.schemas import EventList, EventOut

router = APIRouter(prefix="/api/v1/events", tags=["events"])

# Never buffered or compressed on the way: the proxy (X-Accel-Buffering), the compressor (it skips
# text/event-stream) and caches (no-cache) must pass each event at once.
# The stream is text (``id:``/``data:`` lines), not one JSON body: the spec names its media type.
SSE = {
    200: {
        "description": "Server-Sent Events",
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    }
}
STREAM_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get("/stream", response_class=StreamingResponse, responses=SSE, response_model=None)
async def event_stream(
    request: Request,
    principal: CurrentPrincipal,
    db: Db,
    last_event_id: Annotated[int | None, Query(ge=0, description="resume after this event id")] = None,
    kinds: Annotated[
        str | None, Query(description="comma-separated kinds, e.g. report.new,alarm.new")
    ] = None,
    last_event_header: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> StreamingResponse:
    """Server-Sent Events of the user's jurisdiction: ``id:`` + ``data:`` JSON {id, kind,
    jurisdiction_code, payload}; a comment every 15 s; after ``Last-Event-ID`` (header, or
    ``?last_event_id=``) the missed events first. Session cookie or API token."""
    wanted = stream.parse_kinds(kinds)
    after = stream.parse_last_id(last_event_header, last_event_id)
    return StreamingResponse(
        stream.frames(db, principal, after, wanted),
        media_type="text/event-stream; charset=utf-8",
        headers=STREAM_HEADERS,
    )


@router.get("", response_model=EventList)
def list_events(
    principal: CurrentPrincipal,
    db: Db,
    after: Annotated[int, Query(ge=0, description="events after this id")] = 0,
    kinds: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> EventList:
    """The same events as a list (for clients that poll): the user's jurisdiction, after ``after``."""
    events = stream.missed(db, principal, after, stream.parse_kinds(kinds), limit)
    last = events[-1].id if events else max(after, 0)
    if not events and after == 0:
        last = max_id(db)
    return EventList(
        items=[
            EventOut(id=e.id, kind=e.kind, jurisdiction_code=e.jurisdiction_code, payload=e.payload)
            for e in events
        ],
        last_id=last,
    )
