"""Training and publicity pages (Chinese first, desk and phone): sessions, courses, a session with its
participants (sign-in, 考核结果, the sign-in sheet), the phone sign-in page, coverage with who is
overdue, publicity events with their statistics and the calendar of the coming days."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth import audit
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import ImportRejected, YingjiError
from yingji.core.i18n import N_, gettext
from yingji.incidents import photos as incident_photos
from yingji.org.api import read_upload
from yingji.org.params import url_code
from yingji.training import courses, coverage, exchange, labels, obligations, publicity, sessions
from yingji.training.board import course_out, coverage_out, overdue_out
from yingji.training.codes import CourseMode, ParticipantKind, Result, Role, SessionState
from yingji.training.schemas import AssessIn, CourseIn, ParticipantIn, PhoneSignIn, PublicityIn, SessionIn
from yingji.web import forms, nav
from yingji.web.forms import in_savepoint
from yingji.web.templating import pages

router = APIRouter(include_in_schema=False)
SECTION = N_("Supervision and assessment")
nav.register(SECTION, nav.NavItem("training", N_("Training"), "/training", Perm.ORG_READ))
nav.register(SECTION, nav.NavItem("publicity", N_("Publicity"), "/publicity", Perm.ORG_READ))
YearQ = Annotated[int | None, Query(ge=2000, le=2100)]
PageQ = Annotated[int, Query(alias="page", ge=1, le=100_000)]


page = pages(
    {
        "tl": labels,
        "label": labels.label,
        "modes": list(CourseMode),
        "roles": list(Role),
        "results": list(Result),
        "kinds": list(ParticipantKind),
    }
)


error_texts = forms.error_texts


refused = forms.refused


def _form(form, keys) -> dict:
    return {k: str(form.get(k, "")).strip() for k in keys}


def _filled(values: dict) -> dict:
    return {k: v for k, v in values.items() if v}


# -- sessions -----------------------------------------------------------------------------------
SESSION_FIELDS = (
    "course_id",
    "title",
    "starts_on",
    "ends_on",
    "place",
    "organiser",
    "jurisdiction_code",
    "teacher",
    "hours",
    "materials",
)


def _sessions_ctx(session, principal, year, within, state, page_no, form=None, errors=()):
    result = sessions.search(
        session, principal, year=year, within=url_code(within), state=state or None, page=page_no
    )
    return {
        "page": result,
        "rows": sessions.outs(session, result.items),
        "year": year,
        "within": within or "",
        "state": state or "",
        "courses": [course_out(c) for c in courses.listing(session, principal, active_only=True)],
        "can_manage": principal.can(Perm.TRAINING_MANAGE),
        "form": form
        or {"jurisdiction_code": principal.jurisdiction_code, "starts_on": clock.now().date().isoformat()},
        "errors": list(errors),
    }


@router.get("/training")
def sessions_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
    state: Annotated[str | None, Query(pattern="^(planned|held|cancelled)?$")] = None,
    page_no: PageQ = 1,
):
    year = year or clock.now().year
    return page(
        request, "training/sessions.html", _sessions_ctx(session, principal, year, within, state, page_no)
    )


@router.post("/training/sessions")
async def session_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form(await request.form(), SESSION_FIELDS)
    try:
        data = SessionIn(**_filled(values))
        row = await run_in_threadpool(in_savepoint, session, sessions.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        ctx = _sessions_ctx(session, principal, clock.now().year, None, None, 1, values, error_texts(exc))
        return page(request, "training/sessions.html", ctx, status_code=422)
    return RedirectResponse(f"/training/sessions/{row.id}", status_code=303)


def _refused(request, session, principal, session_id: int, exc: Exception, status_code: int):
    """The class's page again with a refused form's messages (a 403/404 goes up to the error page)."""
    if not refused(exc):
        raise exc
    ctx = _session_ctx(session, principal, session_id, error_texts(exc))
    return page(request, "training/session.html", ctx, status_code)


def _session_ctx(session, principal, session_id, errors=(), result=None, import_errors=()):
    row = sessions.get(session, principal, session_id)
    parts = sessions.participants(session, principal, session_id, 1, 200)
    return {
        "s": sessions.outs(session, [row])[0],
        "parts": [sessions.participant_out(p, principal) for p in parts.items],
        "total": parts.total,
        "can_manage": principal.can(Perm.TRAINING_MANAGE) and principal.covers(row.jurisdiction_code),
        "moves": [m.value for m in sorted(sessions.SESSION_MOVES[SessionState(row.state)])],
        "columns": exchange.COLUMNS,
        "errors": list(errors),
        "result": result,
        "import_errors": list(import_errors),
    }


@router.get("/training/sessions/{session_id:int}")
def session_page(session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return page(request, "training/session.html", _session_ctx(session, principal, session_id))


PART_FIELDS = (
    "kind",
    "person_id",
    "member_id",
    "enterprise_id",
    "officer_id",
    "role",
    "name",
    "mobile",
    "unit_name",
    "hours",
    "result",
    "client_key",
)


@router.post("/training/sessions/{session_id:int}/participants")
async def participant_add(session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form(await request.form(), PART_FIELDS)
    try:
        data = ParticipantIn(**_filled(values))
        await run_in_threadpool(in_savepoint, session, sessions.sign_in, session, principal, session_id, data)
    except (ValidationError, YingjiError) as exc:
        return _refused(request, session, principal, session_id, exc, 422)
    return RedirectResponse(f"/training/sessions/{session_id}", status_code=303)


@router.post("/training/sessions/{session_id:int}/participants/{participant_id:int}")
async def participant_assess(
    session_id: int, participant_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    form = await request.form()
    try:
        if form.get("remove") == "1":
            await run_in_threadpool(
                in_savepoint, session, sessions.remove, session, principal, session_id, participant_id
            )
        else:
            data = AssessIn(**_filled(_form(form, ("result", "hours", "score"))))
            await run_in_threadpool(
                in_savepoint, session, sessions.assess, session, principal, session_id, participant_id, data
            )
    except (ValidationError, YingjiError) as exc:
        return _refused(request, session, principal, session_id, exc, 422)
    return RedirectResponse(f"/training/sessions/{session_id}#p{participant_id}", status_code=303)


@router.post("/training/sessions/{session_id:int}/move")
async def session_move(session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    to = str((await request.form()).get("to", ""))
    try:
        await run_in_threadpool(
            in_savepoint, session, sessions.move, session, principal, session_id, SessionState(to)
        )
    except (ValueError, YingjiError) as exc:
        return _refused(request, session, principal, session_id, exc, 409)
    return RedirectResponse(f"/training/sessions/{session_id}", status_code=303)


@router.post("/training/sessions/{session_id:int}/import")
async def sheet_import(
    session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    data = await read_upload(request, file)
    try:
        result = await run_in_threadpool(
            exchange.import_sheet, session, principal, data, session_id=session_id
        )
    except ImportRejected as exc:
        errors = forms.import_errors(exc)
        if not exc.details:
            errors = [{"row": "", "column": "", "value": "", "text": gettext(exc.message, **exc.params)}]
        ctx = _session_ctx(session, principal, session_id, import_errors=errors)
        return page(request, "training/session.html", ctx, status_code=422)
    await run_in_threadpool(
        audit.record,
        session,
        "import",
        "training_participants",
        session_id,
        after=result.as_dict(),
        note=f"file={file.filename!s:.100}",
    )
    return page(
        request,
        "training/session.html",
        _session_ctx(session, principal, session_id, result=result.as_dict()),
    )


# -- the phone sign-in page ---------------------------------------------------------------------
@router.get("/training/sessions/{session_id:int}/sign-in")
def sign_in_page(session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    row = sessions.get(session, principal, session_id)
    ctx = {"s": sessions.outs(session, [row])[0], "errors": [], "done": None, "form": {}}
    return page(request, "training/sign_in.html", ctx)


@router.post("/training/sessions/{session_id:int}/sign-in")
async def sign_in_submit(session_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form(await request.form(), ("mobile", "name", "role", "unit_name", "client_key"))
    status, errors, done = 200, [], None
    try:
        data = PhoneSignIn(**_filled(values))
        part, created = await run_in_threadpool(
            in_savepoint, session, sessions.phone_sign_in, session, principal, session_id, data
        )
        done = {"name": part.name, "created": created}
        values = {}
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        status, errors = 422, error_texts(exc)
    row = sessions.get(session, principal, session_id)
    ctx = {"s": sessions.outs(session, [row])[0], "errors": errors, "done": done, "form": values}
    return page(request, "training/sign_in.html", ctx, status_code=status)


# -- courses ------------------------------------------------------------------------------------
COURSE_FIELDS = ("title", "mode", "hours", "topics", "jurisdiction_code", "note")


def _courses_ctx(session, principal, form=None, errors=()):
    return {
        "rows": [course_out(c) for c in courses.listing(session, principal)],
        "can_manage": principal.can(Perm.TRAINING_MANAGE),
        "form": form or {"jurisdiction_code": principal.jurisdiction_code, "mode": CourseMode.OFFLINE.value},
        "errors": list(errors),
    }


@router.get("/training/courses")
def courses_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    return page(request, "training/courses.html", _courses_ctx(session, principal))


@router.post("/training/courses")
async def course_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    form = await request.form()
    values = _form(form, COURSE_FIELDS)
    audience = [a for a in form.getlist("audience") if a]
    try:
        data = CourseIn(**_filled(values), audience=audience)
        await run_in_threadpool(in_savepoint, session, courses.create, session, principal, data)
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        return page(
            request, "training/courses.html", _courses_ctx(session, principal, values, error_texts(exc)), 422
        )
    return RedirectResponse("/training/courses", status_code=303)


# -- coverage and overdue -----------------------------------------------------------------------
@router.get("/training/coverage")
def coverage_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
    role: Annotated[
        str | None, Query(pattern="^(town_staff|village_staff|info_officer|enterprise_head|safety_manager)?$")
    ] = None,
    page_no: PageQ = 1,
):
    year = year or clock.now().year
    code = url_code(within)
    od = overdue_out(session, principal, year, role or None, code, False, page_no, 50)
    ctx = {
        "year": year,
        "within": within or "",
        "role": role or "",
        "cov": coverage_out(coverage.person_times(session, principal, year, code)),
        "od": od,
        "pages": max(1, -(-od["total"] // 50)),
        "page_no": page_no,
        "obliged_roles": [r.value for r in obligations.OBLIGED_ROLES],
    }
    return page(request, "training/coverage.html", ctx)


# -- publicity ----------------------------------------------------------------------------------
PUB_FIELDS = (
    "title",
    "target",
    "day",
    "held_on",
    "place",
    "jurisdiction_code",
    "organiser",
    "audience",
    "materials",
    "materials_note",
    "note",
    "client_key",
)


def _publicity_ctx(session, principal, year, within, target, day, page_no, form=None, errors=()):
    code = url_code(within)
    result = publicity.search(
        session, principal, year=year, within=code, target=target or None, day=day or None, page=page_no
    )
    return {
        "page": result,
        "rows": publicity.outs(session, result.items),
        "stats": publicity.stats(session, principal, year, code),
        "coming": publicity.coming_days(),
        "targets": publicity.targets(),
        "days": publicity.calendar_rules()["days"],
        "year": year,
        "within": within or "",
        "target": target or "",
        "day": day or "",
        "can_manage": principal.can(Perm.TRAINING_MANAGE),
        "form": form
        or {"jurisdiction_code": principal.jurisdiction_code, "held_on": clock.now().date().isoformat()},
        "errors": list(errors),
    }


@router.get("/publicity")
def publicity_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    year: YearQ = None,
    within: str | None = None,
    target: Annotated[str | None, Query(max_length=24)] = None,
    day: Annotated[str | None, Query(max_length=40)] = None,
    page_no: PageQ = 1,
):
    year = year or clock.now().year
    ctx = _publicity_ctx(session, principal, year, within, target, day, page_no)
    return page(request, "training/publicity.html", ctx)


@router.post("/publicity")
async def publicity_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form(await request.form(), PUB_FIELDS)
    try:
        data = PublicityIn(**_filled(values))
        event, _created = await run_in_threadpool(
            in_savepoint, session, publicity.create, session, principal, data
        )
    except (ValidationError, YingjiError) as exc:
        if not refused(exc):
            raise
        ctx = _publicity_ctx(
            session, principal, clock.now().year, None, None, None, 1, values, error_texts(exc)
        )
        return page(request, "training/publicity.html", ctx, status_code=422)
    return RedirectResponse(f"/publicity/{event.id}", status_code=303)


@router.get("/publicity/{event_id:int}")
def event_page(event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    event = publicity.get(session, principal, event_id)
    ctx = {
        "e": publicity.out(session, event),
        "errors": [],
        "can_manage": principal.can(Perm.TRAINING_MANAGE) and principal.covers(event.jurisdiction_code),
    }
    return page(request, "training/event.html", ctx)


@router.post("/publicity/{event_id:int}/photos")
async def event_photo(
    event_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    settings = request.app.state.settings
    limit = incident_photos.max_bytes_of(settings)
    data = await file.read(limit + 1)
    form = await request.form()
    try:
        caption = str(form.get("caption", ""))
        upload_dir = incident_photos.upload_dir_of(settings)

        def work():
            with session.begin_nested():
                return publicity.add_photo(
                    session, principal, event_id, data, caption, upload_dir=upload_dir, max_bytes=limit
                )

        await run_in_threadpool(work)
    except YingjiError as exc:
        if not refused(exc):
            raise
        event = publicity.get(session, principal, event_id)
        ctx = {"e": publicity.out(session, event), "errors": error_texts(exc), "can_manage": True}
        return page(request, "training/event.html", ctx, status_code=422)
    return RedirectResponse(f"/publicity/{event_id}", status_code=303)
