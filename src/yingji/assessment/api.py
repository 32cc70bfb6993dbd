"""Assessment API (/api/v1/assessment/…): schemes (made from the default, edited or versioned), the
results' moves, computing, the ranking with explanations, a unit's result, hand scores with evidence,
vetoes with their causes and their withdrawal, the Excel ranking (audited). Every route declares its
``response_model``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from yingji.assessment import evidence, exchange, results, schemes, scoring, vetoes
from yingji.assessment.codes import CauseKind
from yingji.assessment.models import AssessmentHandScore
from yingji.assessment.schemas import (
    DefaultSchemeOut,
    HandScoreIn,
    HandScoreOut,
    MoveIn,
    RankingOut,
    ResultOut,
    SchemeIn,
    SchemeOut,
    SchemePageOut,
    SchemePatch,
    VetoIn,
    VetoOut,
    WithdrawIn,
)
from yingji.auth import uploads
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound, ValidationFailed
from yingji.files.openapi import STORED_FILE, XLSX_FILE
from yingji.org.params import url_code

router = APIRouter(prefix="/api/v1/assessment", tags=["assessment"])
Note = Annotated[str | None, Form(max_length=2000)]


def _assessed(session, principal, scheme_id: int):
    """The scheme, for its assessor's side only (the assessed units get a 404)."""
    scheme = schemes.get(session, principal, scheme_id)
    if not schemes.assessor_side(principal, scheme):
        raise NotFound()
    return scheme


@router.get("/schemes", response_model=SchemePageOut)
def list_schemes(
    principal: CurrentPrincipal,
    session: DbSession,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> dict:
    rows = schemes.search(session, principal, year)
    return {"items": [schemes.out(session, principal, s) for s in rows], "total": len(rows)}


@router.get("/default", response_model=DefaultSchemeOut)
def default_scheme(principal: CurrentPrincipal) -> dict:
    """The shipped default (``rules/assessment_schemes.json``) a year's scheme is made from."""
    return schemes.default_definition()


@router.post("/schemes", response_model=SchemeOut, status_code=201)
def create_scheme(data: SchemeIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return schemes.out(session, principal, schemes.create(session, principal, data))


@router.get("/schemes/{scheme_id}", response_model=SchemeOut)
def get_scheme(scheme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    return schemes.out(session, principal, schemes.get(session, principal, scheme_id))


@router.patch("/schemes/{scheme_id}", response_model=SchemeOut)
def update_scheme(scheme_id: int, data: SchemePatch, principal: CurrentPrincipal, session: DbSession) -> dict:
    """Edits in place while nothing is assessed; otherwise answers the new version."""
    return schemes.out(session, principal, schemes.update(session, principal, scheme_id, data))


@router.post("/schemes/{scheme_id}/move", response_model=SchemeOut)
def move_results(scheme_id: int, data: MoveIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return schemes.out(session, principal, schemes.move(session, principal, scheme_id, data.to, data.note))


@router.post("/schemes/{scheme_id}/compute", response_model=RankingOut)
def compute(scheme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    rows = results.compute(session, principal, scheme_id)
    scheme = schemes.get(session, principal, scheme_id)
    return {"scheme": schemes.out(session, principal, scheme), "results": results.outs(session, scheme, rows)}


@router.get("/schemes/{scheme_id}/results", response_model=RankingOut)
def ranking(scheme_id: int, principal: CurrentPrincipal, session: DbSession) -> dict:
    scheme = schemes.get(session, principal, scheme_id)
    rows = results.visible_results(session, principal, scheme)
    return {"scheme": schemes.out(session, principal, scheme), "results": results.outs(session, scheme, rows)}


@router.get("/schemes/{scheme_id}/results/{code}", response_model=ResultOut)
def unit_result(scheme_id: int, code: str, principal: CurrentPrincipal, session: DbSession) -> dict:
    scheme = schemes.get(session, principal, scheme_id)
    wanted = url_code(code)
    rows = [r for r in results.visible_results(session, principal, scheme) if r.jurisdiction_code == wanted]
    if not rows:
        raise NotFound()
    return results.outs(session, scheme, rows)[0]


@router.get("/schemes/{scheme_id}/export", response_class=Response, responses=XLSX_FILE, response_model=None)
def export_ranking(scheme_id: int, principal: CurrentPrincipal, session: DbSession, db: Db) -> Response:
    require(principal, Perm.EXPORT)
    scheme = schemes.get(session, principal, scheme_id)
    rows = results.outs(session, scheme, results.visible_results(session, principal, scheme))
    body = exchange.workbook(scheme, rows)
    return audited_download(
        db,
        principal,
        body,
        entity="assessment_results",
        entity_id=scheme.id,
        filename=f"考核结果-{scheme.year}-{scheme.jurisdiction_code}-v{scheme.version}.xlsx",
        jurisdiction_code=scheme.jurisdiction_code,
    )


# -- hand scores ---------------------------------------------------------------------------------
@router.get("/schemes/{scheme_id}/scores", response_model=list[HandScoreOut])
def list_scores(scheme_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    scheme = _assessed(session, principal, scheme_id)
    return [scoring.out(r) for r in scoring.of_scheme(session, scheme.id)]


@router.post("/schemes/{scheme_id}/scores", response_model=HandScoreOut, status_code=201)
def give_score(scheme_id: int, data: HandScoreIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    return scoring.out(scoring.give(session, principal, scheme_id, data))


@router.post("/schemes/{scheme_id}/scores/with-evidence", response_model=HandScoreOut, status_code=201)
async def give_score_with_evidence(
    scheme_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    jurisdiction_code: Annotated[str, Form(max_length=15)],
    indicator: Annotated[str, Form(max_length=40)],
    points: Annotated[float, Form()],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
    file: UploadFile | None = None,
) -> dict:
    settings = request.app.state.settings
    limit = evidence.max_bytes_of(settings)
    content = await file.read(limit + 1) if file is not None and file.filename else None
    data = _parse(
        HandScoreIn, jurisdiction_code=jurisdiction_code, indicator=indicator, points=points, note=note
    )

    def work():
        upload = (content, file.filename) if content else None
        return scoring.give(
            session, principal, scheme_id, data, file=upload, root=evidence.dir_of(settings), max_bytes=limit
        )

    return scoring.out(await run_in_threadpool(work))


@router.get(
    "/schemes/{scheme_id}/scores/{score_id}/evidence",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def score_evidence(
    scheme_id: int, score_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    scheme = _assessed(session, principal, scheme_id)
    row = session.get(AssessmentHandScore, score_id)
    if row is None or row.scheme_id != scheme.id:
        raise NotFound()
    path = evidence.path_of(
        evidence.dir_of(request.app.state.settings), row.evidence_sha256, row.evidence_ext
    )
    return uploads.served(path, row.evidence_type, max_age=3600)


# -- vetoes --------------------------------------------------------------------------------------
@router.get("/schemes/{scheme_id}/vetoes", response_model=list[VetoOut])
def list_vetoes(scheme_id: int, principal: CurrentPrincipal, session: DbSession) -> list[dict]:
    scheme = _assessed(session, principal, scheme_id)
    return vetoes.outs(session, scheme, vetoes.of_scheme(session, scheme.id))


@router.post("/schemes/{scheme_id}/vetoes", response_model=VetoOut, status_code=201)
def record_veto(scheme_id: int, data: VetoIn, principal: CurrentPrincipal, session: DbSession) -> dict:
    """A veto with its recorded cause (an incident or a tip-off of the unit's place; a document goes
    through ``/vetoes/with-document``); without a cause → 422."""
    veto = vetoes.record(session, principal, scheme_id, data)
    return vetoes.outs(session, schemes.get(session, principal, scheme_id), [veto])[0]


@router.post("/schemes/{scheme_id}/vetoes/with-document", response_model=VetoOut, status_code=201)
async def record_veto_document(
    scheme_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    jurisdiction_code: Annotated[str, Form(max_length=15)],
    item: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(min_length=1, max_length=2000)],
    file: UploadFile | None = None,
) -> dict:
    settings = request.app.state.settings
    limit = evidence.max_bytes_of(settings)
    content = await file.read(limit + 1) if file is not None and file.filename else None
    data = _parse(
        VetoIn, jurisdiction_code=jurisdiction_code, item=item, cause_kind=CauseKind.DOCUMENT, note=note
    )

    def work():
        upload = (content, file.filename) if content else None
        return vetoes.record(
            session, principal, scheme_id, data, file=upload, root=evidence.dir_of(settings), max_bytes=limit
        )

    veto = await run_in_threadpool(work)
    return vetoes.outs(session, schemes.get(session, principal, scheme_id), [veto])[0]


@router.post("/schemes/{scheme_id}/vetoes/{veto_id}/withdraw", response_model=VetoOut)
def withdraw_veto(
    scheme_id: int, veto_id: int, data: WithdrawIn, principal: CurrentPrincipal, session: DbSession
) -> dict:
    veto = vetoes.withdraw(session, principal, scheme_id, veto_id, data)
    return vetoes.outs(session, schemes.get(session, principal, scheme_id), [veto])[0]


@router.get(
    "/schemes/{scheme_id}/vetoes/{veto_id}/evidence",
    response_class=Response,
    responses=STORED_FILE,
    response_model=None,
)
def veto_evidence(
    scheme_id: int, veto_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    _assessed(session, principal, scheme_id)  # 404 unless on the assessor's side
    veto = vetoes.get(session, principal, scheme_id, veto_id)
    path = vetoes.evidence_of(evidence.dir_of(request.app.state.settings), veto)
    return uploads.served(path, veto.evidence_type, max_age=3600)


def _parse(schema, **values):
    from pydantic import ValidationError

    try:
        return schema(**values)
    except ValidationError as exc:
        details = [
            {"field": str(e["loc"][0]) if e["loc"] else "_", "message": "This value is not valid."}
            for e in exc.errors()
        ]
        raise ValidationFailed(details=details) from None
