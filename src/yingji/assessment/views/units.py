"""A unit's result page: its total, band and rank, the veto with its cause, the explanation of every
point (records counted, the rule, the deduction); hand scoring and recording a veto with its cause."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from yingji.assessment import evidence, labels, results, schemes, scoring, sources, vetoes
from yingji.assessment.codes import CauseKind, ResultsState, SchemeState
from yingji.assessment.schemas import HandScoreIn, VetoIn
from yingji.assessment.views.common import form_of, page, parse
from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.core.i18n import gettext
from yingji.org import places
from yingji.org.params import url_code

router = APIRouter(include_in_schema=False)


def _count_text(counts: dict) -> str:
    return "，".join(f"{gettext(sources.COUNT_LABELS.get(k, k))} {v}" for k, v in counts.items())


@router.get("/assessment/schemes/{scheme_id:int}/units/{code}")
def unit_page(scheme_id: int, code: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    scheme = schemes.get(session, principal, scheme_id)
    unit = url_code(code)
    if unit not in schemes.units(session, scheme):
        raise NotFound()
    rows = [r for r in results.visible_results(session, principal, scheme) if r.jurisdiction_code == unit]
    if not rows and not schemes.assessor_side(principal, scheme):
        raise NotFound()
    result = results.outs(session, scheme, rows)[0] if rows else None
    lines = []
    for line in (result or {}).get("explanation", {}).get("indicators", []):
        lines.append(
            line
            | {
                "name": labels.text(line),
                "area_name": labels.text({"zh": line["area_zh"], "en": line.get("area_en")}),
                "counts_text": _count_text(line.get("counts") or {}),
                "rule_label": labels.label(labels.RULE_LABELS, line["rule"]),
            }
        )
    editable = (
        schemes.may_manage(principal, scheme)
        and scheme.results_state == ResultsState.OPEN
        and scheme.state == SchemeState.ACTIVE
    )
    hand_inds = [
        (ind["key"], labels.text(ind), ind["max"])
        for _a, ind in schemes.indicators(scheme.definition)
        if schemes.effective_rule(ind) == "hand"
    ]
    ctx = {
        "s": schemes.out(session, principal, scheme),
        "unit": unit,
        "unit_name": places.names(session, [unit]).get(unit, unit),
        "result": result,
        "lines": lines,
        "editable": editable,
        "assessor": schemes.assessor_side(principal, scheme),
        "hand_inds": hand_inds,
        "scores": {s.indicator: scoring.out(s) for s in scoring.of_scheme(session, scheme.id, unit)}
        if schemes.assessor_side(principal, scheme)
        else {},
        "veto_items": [(v["key"], labels.text(v)) for v in scheme.definition.get("veto", [])],
        "vetoes": vetoes.outs(session, scheme, vetoes.of_scheme(session, scheme.id, unit))
        if schemes.assessor_side(principal, scheme)
        else [],
        "causes": [(k.value, labels.label(labels.CAUSE_LABELS, k)) for k in CauseKind],
    }
    return page(request, "assessment/unit.html", ctx)


@router.post("/assessment/schemes/{scheme_id:int}/units/{code}/scores")
async def unit_score(
    scheme_id: int, code: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f, file = await form_of(request)
    unit = url_code(code)
    data = parse(
        HandScoreIn, {"jurisdiction_code": unit, **{k: f.get(k) for k in ("indicator", "points", "note")}}
    )
    settings = request.app.state.settings
    scoring.give(
        session,
        principal,
        scheme_id,
        data,
        file=file,
        root=evidence.dir_of(settings),
        max_bytes=evidence.max_bytes_of(settings),
    )
    return RedirectResponse(f"/assessment/schemes/{scheme_id}/units/{unit}", status_code=303)


@router.post("/assessment/schemes/{scheme_id:int}/units/{code}/vetoes")
async def unit_veto(
    scheme_id: int, code: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f, file = await form_of(request)
    unit = url_code(code)
    data = parse(
        VetoIn,
        {"jurisdiction_code": unit, **{k: f.get(k) for k in ("item", "cause_kind", "cause_ref", "note")}},
    )
    settings = request.app.state.settings
    vetoes.record(
        session,
        principal,
        scheme_id,
        data,
        file=file,
        root=evidence.dir_of(settings),
        max_bytes=evidence.max_bytes_of(settings),
    )
    return RedirectResponse(f"/assessment/schemes/{scheme_id}/units/{unit}", status_code=303)
