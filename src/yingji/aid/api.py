"""Aid API (/api/v1/aid/…): programmes and their moves, the needs survey and list, notices with
objections, the distribution ledger (goods through the stock ledger), totals, Excel; rebuilding
cases with their steps, progress, payments and photos. Every route declares its ``response_model``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from yingji.aid import distribution, notices, photos, programmes, rebuild, recipients
from yingji.aid.codes import ProgrammeKind, ProgrammeState, RebuildState, RecipientState
from yingji.aid.schemas import (
    AnswerIn,
    CaseDetailOut,
    CaseIn,
    CaseOut,
    CasePageOut,
    DistributionIn,
    DistributionOut,
    DistributionPageOut,
    MoveIn,
    NoticeOut,
    ObjectionIn,
    PaymentIn,
    PhotoOut,
    ProgrammeIn,
    ProgrammeOut,
    ProgrammePageOut,
    ProgrammePatch,
    ProgressIn,
    ReasonIn,
    RecipientIn,
    RecipientOut,
    RecipientPageOut,
    RecipientPatch,
    StepIn,
    StepOut,
    TotalsOut,
    VerifyIn,
    VerifyOut,
)
from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.files import answers
from yingji.files.openapi import EXPORT, STORED_FILE
from yingji.incidents import photos as photo_store
from yingji.org.params import query_code

router = APIRouter(prefix="/api/v1", tags=["aid"])
KindQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in ProgrammeKind) + ")$")]
StateQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in ProgrammeState) + ")$")]
RecipientStateQ = Annotated[
    str | None, Query(pattern="^(" + "|".join(k.value for k in RecipientState) + ")$")
]
CaseStateQ = Annotated[str | None, Query(pattern="^(" + "|".join(k.value for k in RebuildState) + ")$")]
SHEETS = {"form10": "aid_form10", "stats": "aid_stats", "ledger": "aid_ledger"}


def _programme(session, programme) -> dict:
    return programmes.outs(session, [programme])[0]


@router.get("/aid/programmes", response_model=ProgrammePageOut)
def list_programmes(
    principal: CurrentPrincipal, session: DbSession, kind: KindQ = None, state: StateQ = None
) -> dict:
    rows = programmes.search(session, principal, kind=kind, state=state)
    return {"items": programmes.outs(session, rows), "total": len(rows)}


@router.post("/aid/programmes", response_model=ProgrammeOut, status_code=201)
def create_programme(data: ProgrammeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _programme(session, programmes.create(session, principal, data))


@router.get("/aid/programmes/{programme_id}", response_model=ProgrammeOut)
def get_programme(programme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return _programme(session, programmes.get(session, principal, programme_id))


@router.patch("/aid/programmes/{programme_id}", response_model=ProgrammeOut)
def update_programme(
    programme_id: int, patch: ProgrammePatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return _programme(session, programmes.update_(session, principal, programme_id, patch))


@router.post("/aid/programmes/{programme_id}/move", response_model=ProgrammeOut)
def move_programme(programme_id: int, data: MoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """One step along the round (409 for a move the table does not allow)."""
    programme = programmes.move(
        session, principal, programme_id, data.to, note=data.note, override_note=data.override_note
    )
    return _programme(session, programme)


@router.get("/aid/programmes/{programme_id}/recipients", response_model=RecipientPageOut)
def list_recipients(
    programme_id: int,
    principal: CurrentPrincipal,
    session: DbSession,
    village: str | None = None,
    state: RecipientStateQ = None,
    q: Annotated[str, Query(max_length=60)] = "",
) -> dict:
    rows = recipients.search(session, principal, programme_id, village=query_code(village), state=state, q=q)
    return {"items": recipients.outs(session, principal, rows), "total": len(rows)}


@router.post("/aid/programmes/{programme_id}/recipients", response_model=RecipientOut, status_code=201)
def add_recipient(
    programme_id: int, data: RecipientIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    """A household surveyed: from the resident registry or typed in (the ID number is not kept)."""
    return recipients.outs(session, principal, [recipients.add(session, principal, programme_id, data)])[0]


@router.post("/aid/programmes/{programme_id}/verify", response_model=VerifyOut)
def verify_recipients(
    programme_id: int, data: VerifyIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return {"verified": recipients.verify(session, principal, programme_id, data)}


@router.patch("/aid/recipients/{recipient_id}", response_model=RecipientOut)
def update_recipient(
    recipient_id: int, patch: RecipientPatch, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return recipients.outs(session, principal, [recipients.update_(session, principal, recipient_id, patch)])[
        0
    ]


@router.post("/aid/recipients/{recipient_id}/remove", response_model=RecipientOut)
def remove_recipient(
    recipient_id: int, data: ReasonIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return recipients.outs(
        session, principal, [recipients.remove(session, principal, recipient_id, data.reason)]
    )[0]


@router.get("/aid/programmes/{programme_id}/notices", response_model=list[NoticeOut])
def list_notices(programme_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    programmes.get(session, principal, programme_id)
    return notices.outs(session, notices.of_programme(session, principal, programme_id))


@router.post("/aid/notices/{notice_id}/objections", response_model=NoticeOut, status_code=201)
def raise_objection(
    notice_id: int, data: ObjectionIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return notices.outs(session, [notices.object_(session, principal, notice_id, data)])[0]


@router.post("/aid/notices/{notice_id}/objections/{index}/answer", response_model=NoticeOut)
def answer_objection(
    notice_id: int, index: int, data: AnswerIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    return notices.outs(session, [notices.answer(session, principal, notice_id, index, data)])[0]


@router.get("/aid/programmes/{programme_id}/distributions", response_model=DistributionPageOut)
def list_distributions(programme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    rows = distribution.ledger(session, principal, programme_id)
    return {"items": rows, "total": len(rows)}


@router.post("/aid/programmes/{programme_id}/distributions", response_model=DistributionOut, status_code=201)
def distribute(
    programme_id: int, data: DistributionIn, principal: CurrentPrincipal, session: DbSession
) -> Response | dict:
    """Cash or goods to a household (goods leave the store by an issue document); the same
    ``client_key`` again answers 200 with the first handing-out."""
    row, replayed = distribution.distribute(session, principal, programme_id, data)
    out = distribution.out_full(session, row, replayed)
    if replayed:
        return JSONResponse(DistributionOut(**out).model_dump(mode="json"), status_code=200)
    return out


@router.get("/aid/programmes/{programme_id}/totals", response_model=TotalsOut)
def programme_totals(programme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return programmes.totals(session, principal, programmes.get(session, principal, programme_id))


@router.get(
    "/aid/programmes/{programme_id}/export/{sheet}",
    response_class=Response,
    responses=EXPORT,
    response_model=None,
)
def export_programme(
    programme_id: int, sheet: str, request: Request, principal: CurrentPrincipal, session: DbSession, db: Db
) -> Response:
    """应急统表10 (``form10``), 需救助 / 已救助 per town (``stats``) or the ledger (``ledger``), .xlsx."""
    if sheet not in SHEETS:
        from yingji.core.errors import NotFound

        raise NotFound()
    programme = programmes.get(session, principal, programme_id)
    return answers.export(
        request,
        session,
        db,
        principal,
        SHEETS[sheet],
        {"programme_id": programme.id},
        jurisdiction_code=programme.jurisdiction_code,
    )


# -- rebuilding -------------------------------------------------------------------------------
def case_detail(session, principal, case) -> dict:
    from sqlalchemy import select

    from yingji.auth.models import User

    steps = rebuild.steps_of(session, case.id)
    users = dict(
        session.execute(
            select(User.id, User.display_name).where(User.id.in_({s.user_id for s in steps if s.user_id}))
        ).all()
    )
    from yingji.aid import labels

    notice = notices.latest_of_case(session, case.id)
    return rebuild.outs(session, principal, [case])[0] | {
        "steps": [
            StepOut(
                id=s.id,
                from_state=s.from_state,
                to_state=s.to_state,
                to_label=labels.label(labels.REBUILD_LABELS, s.to_state),
                at=s.at,
                user_id=s.user_id,
                user_name=users.get(s.user_id),
                note=s.note,
                data=s.data or {},
            ).model_dump()
            for s in steps
        ],
        "photos": photos.outs(photos.of_case(session, case.id)),
        "notice": notices.outs(session, [notice])[0] if notice else None,
        "next_steps": rebuild.next_steps(principal, case),
    }


@router.get("/aid/rebuild", response_model=CasePageOut)
def list_cases(
    principal: CurrentPrincipal,
    session: DbSession,
    state: CaseStateQ = None,
    within: str | None = None,
    q: Annotated[str, Query(max_length=60)] = "",
) -> dict:
    rows = rebuild.search(session, principal, state=state, within=query_code(within), q=q)
    return {"items": rebuild.outs(session, principal, rows), "total": len(rows)}


@router.post("/aid/rebuild", response_model=CaseOut, status_code=201)
def create_case(data: CaseIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return rebuild.outs(session, principal, [rebuild.create(session, principal, data)])[0]


@router.get("/aid/rebuild/export", response_class=Response, responses=EXPORT, response_model=None)
def export_cases(
    request: Request, principal: CurrentPrincipal, session: DbSession, db: Db, within: str | None = None
) -> Response:
    code = query_code(within)
    return answers.export(
        request, session, db, principal, "aid_rebuild", {"within": code}, jurisdiction_code=code
    )


@router.get("/aid/rebuild/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return case_detail(session, principal, rebuild.get(session, principal, case_id))


@router.post("/aid/rebuild/{case_id}/steps", response_model=CaseDetailOut)
def step_case(case_id: int, data: StepIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """The next step, by whom ``STEP_LEVEL`` names (403 otherwise; 409 for a step the table forbids)."""
    return case_detail(session, principal, rebuild.move(session, principal, case_id, data))


@router.post("/aid/rebuild/{case_id}/progress", response_model=CaseDetailOut)
def case_progress(case_id: int, data: ProgressIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return case_detail(session, principal, rebuild.set_progress(session, principal, case_id, data))


@router.post("/aid/rebuild/{case_id}/payments", response_model=CaseDetailOut)
def case_payment(case_id: int, data: PaymentIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return case_detail(session, principal, rebuild.pay(session, principal, case_id, data))


@router.post("/aid/rebuild/{case_id}/photos", response_model=PhotoOut, status_code=201)
async def case_photo(
    case_id: int,
    request: Request,
    file: UploadFile,
    principal: CurrentPrincipal,
    session: DbSession,
    caption: Annotated[str | None, Form(max_length=200)] = None,
) -> dict:
    settings = request.app.state.settings
    limit = photo_store.max_bytes_of(settings)
    data = await file.read(limit + 1)

    def work():
        return photos.add(
            session,
            principal,
            case_id,
            data,
            caption,
            upload_dir=photo_store.upload_dir_of(settings),
            max_bytes=limit,
        )

    return photos.outs([await run_in_threadpool(work)])[0]


@router.get(
    "/aid/rebuild/{case_id}/photos/{photo_id}",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def case_photo_file(
    case_id: int, photo_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
) -> Response:
    photo, path = photos.file_of(
        session, principal, case_id, photo_id, photo_store.upload_dir_of(request.app.state.settings)
    )
    return uploads.served(path, photo.content_type)
