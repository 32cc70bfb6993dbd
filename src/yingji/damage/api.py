"""Damage API (/api/v1/damage/…). Every route declares its ``response_model``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound
from yingji.damage import (
    exchange,
    namelists,
    officers,
    photos,
    processes,
    reports,
    rollup,
    values,
)
from yingji.damage.models import DamagedHouse, DamagePhoto, DisasterCasualty
from yingji.damage.schemas import (
    CasualtyIn,
    CasualtyOut,
    CoverageOut,
    DecisionIn,
    EventIn,
    EventMoveIn,
    EventOut,
    EventPageOut,
    HouseIn,
    HouseOut,
    ImportOut,
    OfficerIn,
    OfficerOut,
    OfficerPageOut,
    OfficerPatch,
    PhotoOut,
    ReportIn,
    ReportOut,
    RevisionOut,
    RollupOut,
    TrainingIn,
    TrainingOut,
    VerifyIn,
)
from yingji.files import answers
from yingji.files.openapi import EXPORT, STORED_FILE, XLSX_FILE
from yingji.incidents import photos as incident_photos
from yingji.org.api import read_upload
from yingji.org.params import PageNo, PageSize, page_of, query_code

router = APIRouter(prefix="/api/v1", tags=["damage"])
StateQ = Annotated[str | None, Query(pattern="^(open|stable|verified|closed)$")]
PostQ = Annotated[str | None, Query(pattern="^(A|B)$")]


# -- officers -----------------------------------------------------------------------------------
@router.get("/damage/officers", response_model=OfficerPageOut)
def list_officers(
    principal: CurrentPrincipal,
    session: DbSession,
    within: str | None = None,
    post: PostQ = None,
    q: Annotated[str, Query(max_length=60)] = "",
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = officers.search(
        session, principal, within=query_code(within), post=post, q=q, page=page, size=size
    )
    items = officers.outs(session, principal, result.items)
    return page_of(result, items)


@router.post("/damage/officers", response_model=OfficerOut, status_code=201)
def create_officer(data: OfficerIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return officers.outs(session, principal, [officers.create(session, principal, data)])[0]


@router.get("/damage/officers/coverage", response_model=CoverageOut)
def officer_coverage(principal: CurrentPrincipal, session: DbSession, within: str | None = None) -> dict:
    """Villages without an officer; disaster-prone villages (hazard points) without both A and B."""
    return officers.coverage(session, principal, query_code(within))


@router.get("/damage/officers/export", response_class=Response, responses=EXPORT, response_model=None)
def export_officers(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "damage_officers", {"within": code}, jurisdiction_code=code
    )


@router.post("/damage/officers/import", response_model=ImportOut)
async def import_officers(
    request: Request, file: UploadFile, principal: CurrentPrincipal, session: DbSession
) -> Response:
    data = await read_upload(request, file)
    return await answers.import_answer(request, session, principal, "damage_officers", data, file.filename)


@router.get("/damage/officers/{officer_id}", response_model=OfficerOut)
def get_officer(officer_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    o = officers.get(session, principal, officer_id)
    return officers.outs(session, principal, [o], with_trainings=True)[0]


@router.patch("/damage/officers/{officer_id}", response_model=OfficerOut)
def update_officer(
    officer_id: int, patch: OfficerPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    o = officers.update(session, principal, officer_id, patch)
    return officers.outs(session, principal, [o], with_trainings=True)[0]


@router.post("/damage/officers/{officer_id}/trainings", response_model=TrainingOut, status_code=201)
def add_training(officer_id: int, data: TrainingIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    t = officers.add_training(session, principal, officer_id, data)
    return {
        "id": t.id,
        "on": t.on,
        "course": t.course,
        "hours": t.hours,
        "organiser": t.organiser,
        "passed": t.passed,
    }


# -- processes ----------------------------------------------------------------------------------
@router.get("/damage/events", response_model=EventPageOut)
def list_events(
    principal: CurrentPrincipal,
    session: DbSession,
    state: StateQ = None,
    page: PageNo = 1,
    size: PageSize = 50,
) -> dict:
    result = processes.search(session, principal, state=state, page=page, size=size)
    return page_of(result, processes.outs(session, result.items))


@router.post("/damage/events", response_model=EventOut, status_code=201)
def open_event(data: EventIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return processes.outs(session, [processes.open_event(session, principal, data)])[0]


@router.get("/damage/events/{event_id}", response_model=EventOut)
def get_event(event_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return processes.outs(session, [processes.get(session, principal, event_id)])[0]


@router.post("/damage/events/{event_id}/state", response_model=EventOut)
def move_event(event_id: int, data: EventMoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return processes.outs(session, [processes.move(session, principal, event_id, data.state, data.note)])[0]


@router.get("/damage/events/{event_id}/reports", response_model=list[ReportOut])
def list_reports(event_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    event = processes.get(session, principal, event_id)
    return reports.outs(session, reports.list_for(session, principal, event))


@router.post("/damage/events/{event_id}/reports", response_model=ReportOut, status_code=201)
def save_report(
    event_id: int, data: ReportIn, principal: CurrentPrincipal, session: DbSession
) -> Response | dict:
    """A report (draft, or sent up with ``submit``); the same ``client_key`` again answers 200 with the
    report already made (a phone's retry)."""
    report, created = reports.save(session, principal, event_id, data)
    body = reports.outs(session, [report], with_figures=True)[0]
    if not created:
        return JSONResponse(ReportOut(**body).model_dump(mode="json"), status_code=200)
    return body


@router.get("/damage/reports/{report_id}", response_model=ReportOut)
def get_report(report_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return reports.outs(session, [reports.get(session, principal, report_id)], with_figures=True)[0]


@router.post("/damage/reports/{report_id}/submit", response_model=ReportOut)
def submit_report(report_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return reports.outs(session, [reports.submit(session, principal, report_id)], with_figures=True)[0]


@router.post("/damage/reports/{report_id}/decision", response_model=ReportOut)
def decide_report(report_id: int, data: DecisionIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The level above accepts (the figures come into force) or returns it with a reason."""
    report = reports.decide(session, principal, report_id, data.accept, data.reason)
    return reports.outs(session, [report], with_figures=True)[0]


@router.post("/damage/reports/{report_id}/photos", response_model=PhotoOut, status_code=201)
async def upload_photo(
    report_id: int,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    caption: Annotated[str, Form(max_length=200)] = "",
) -> dict:
    settings = request.app.state.settings
    limit = incident_photos.max_bytes_of(settings)
    data = await file.read(limit + 1)

    def work():
        report = reports.get(session, principal, report_id)
        return photos.store(
            session,
            principal,
            report,
            data,
            caption,
            upload_dir=incident_photos.upload_dir_of(settings),
            max_bytes=limit,
        )

    p = await run_in_threadpool(work)
    return {
        "id": p.id,
        "report_id": p.report_id,
        "content_type": p.content_type,
        "size_bytes": p.size_bytes,
        "caption": p.caption,
    }


@router.get("/damage/photos/{photo_id}", response_class=Response, responses=STORED_FILE, response_model=None)
def get_photo(photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession) -> Response:
    photo = session.get(DamagePhoto, photo_id)
    if photo is None:
        raise NotFound()
    reports.get(session, principal, photo.report_id)
    path = photos.file_of(photo, incident_photos.upload_dir_of(request.app.state.settings))
    return uploads.served(path, photo.content_type)


# -- figures ------------------------------------------------------------------------------------
@router.get("/damage/events/{event_id}/rollup", response_model=RollupOut)
def event_rollup(
    event_id: int, principal: CurrentPrincipal, session: DbSession, place: str | None = None
) -> dict:
    """The figures by place (children of ``place``, default the event's) with 累计 / 实时, own or summed,
    and the relief response grade from the rolled-up figures."""
    event = processes.get(session, principal, event_id)
    code = query_code(place, "place")
    if code is not None and not (
        code.startswith(event.jurisdiction_code) and processes.may_see(principal, code)
    ):
        raise NotFound()
    return rollup.table(session, principal, event, code)


@router.get("/damage/events/{event_id}/history", response_model=list[RevisionOut])
def figure_history(
    event_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    place: str | None = None,
    indicator: Annotated[str | None, Query(max_length=40)] = None,
) -> list:
    event = processes.get(session, principal, event_id)
    within = None if principal.covers(event.jurisdiction_code) else principal.jurisdiction_code
    return values.history(
        session, event.id, code=query_code(place, "place"), indicator=indicator, within=within
    )


@router.post("/damage/events/{event_id}/verify", response_model=RevisionOut)
def verify_figure(event_id: int, data: VerifyIn, principal: CurrentPrincipal, session: DbSession) -> object:
    """核查评估: change a figure in force with a note (damage.verify)."""
    require(principal, Perm.DAMAGE_VERIFY)
    event = processes.get(session, principal, event_id, lock=True)
    values.verify(session, principal, event, data)
    return values.history(session, event.id, code=data.jurisdiction_code, indicator=data.indicator, limit=1)[
        0
    ]


# -- named lists --------------------------------------------------------------------------------
@router.get("/damage/events/{event_id}/casualties", response_model=list[CasualtyOut])
def list_casualties(event_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    event = processes.get(session, principal, event_id)
    return [namelists.casualty_out(c) for c in namelists.casualties(session, principal, event)]


@router.post("/damage/events/{event_id}/casualties", response_model=CasualtyOut, status_code=201)
def add_casualty(event_id: int, data: CasualtyIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    event = processes.get(session, principal, event_id)
    return namelists.casualty_out(namelists.add_casualty(session, principal, event, data))


@router.get("/damage/events/{event_id}/houses", response_model=list[HouseOut])
def list_houses(event_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    event = processes.get(session, principal, event_id)
    return [namelists.house_out(h, principal) for h in namelists.houses(session, principal, event)]


@router.post("/damage/events/{event_id}/houses", response_model=HouseOut, status_code=201)
def add_house(event_id: int, data: HouseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    event = processes.get(session, principal, event_id)
    return namelists.house_out(namelists.add_house(session, principal, event, data), principal)


@router.delete("/damage/events/{event_id}/houses/{row_id}", response_model=None, status_code=204)
def remove_house(event_id: int, row_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    event = processes.get(session, principal, event_id)
    namelists.remove(session, principal, event, DamagedHouse, row_id)
    return Response(status_code=204)


@router.delete("/damage/events/{event_id}/casualties/{row_id}", response_model=None, status_code=204)
def remove_casualty(event_id: int, row_id: int, principal: CurrentPrincipal, session: DbSession) -> Response:
    event = processes.get(session, principal, event_id)
    namelists.remove(session, principal, event, DisasterCasualty, row_id)
    return Response(status_code=204)


@router.get(
    "/damage/events/{event_id}/export", response_class=Response, responses=XLSX_FILE, response_model=None
)
def export_form(
    event_id: int, principal: CurrentPrincipal, session: DbSession, db: Db, place: str | None = None
) -> Response:
    """自然灾害损失情况统计快报表 with the two named lists (.xlsx, audited)."""
    require(principal, Perm.EXPORT)
    event = processes.get(session, principal, event_id)
    code = query_code(place, "place")
    if code is not None and not code.startswith(event.jurisdiction_code):
        raise NotFound()
    body = exchange.workbook(session, principal, event, code)
    return audited_download(
        db,
        principal,
        body,
        entity="disaster_events",
        entity_id=event.id,
        filename=f"{exchange.FORM_TITLE}-{event.code}.xlsx",
        jurisdiction_code=event.jurisdiction_code,
    )
