"""Scheme pages: the list with a new year's scheme, a scheme (its ranking, the results' moves,
compute, Excel, the indicators with their points as local settings), the veto records."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from yingji.assessment import labels, results, schemes, sources, vetoes
from yingji.assessment.codes import ResultsState, SchemeState, ScoreRule
from yingji.assessment.schemas import PointsIn, SchemeIn, SchemePatch, WithdrawIn
from yingji.assessment.views.common import form_of, page, parse
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core import clock
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.core.i18n import gettext

router = APIRouter(include_in_schema=False)


@router.get("/assessment")
def schemes_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    rows = [schemes.out(session, principal, s) for s in schemes.search(session, principal)]
    ctx = {
        "rows": rows,
        "can_manage": principal.can(Perm.ASSESS_MANAGE) and len(principal.jurisdiction_code) in (0, 2, 4, 6),
        "home": principal.jurisdiction_code,
        "year": clock.to_local(clock.now()).year,
    }
    return page(request, "assessment/schemes.html", ctx)


@router.post("/assessment/schemes")
async def scheme_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    f, _file = await form_of(request)
    data = parse(SchemeIn, {k: f.get(k) for k in ("year", "jurisdiction_code", "title", "note")})
    scheme = schemes.create(session, principal, data)
    return RedirectResponse(f"/assessment/schemes/{scheme.id}", status_code=303)


def _indicator_rows(definition: dict) -> list[dict]:
    out = []
    for area, ind in schemes.indicators(definition):
        rule = schemes.effective_rule(ind)
        source = sources.SOURCES.get(ind.get("source") or "")
        out.append(
            {
                "area": labels.text(area),
                "key": ind["key"],
                "name": labels.text(ind),
                "max": ind["max"],
                "weight": ind.get("weight", 1),
                "rule": rule,
                "rule_label": labels.label(labels.RULE_LABELS, rule),
                "source_label": gettext(source.label) if source else "",
                "source_missing": ind["rule"] == ScoreRule.COMPUTED and rule == ScoreRule.HAND,
                "deductions": [
                    {"on": d["on"], "name": labels.text(d), "points": d["points"]} for d in ind["deductions"]
                ],
            }
        )
    return out


@router.get("/assessment/schemes/{scheme_id:int}")
def scheme_page(scheme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    scheme = schemes.get(session, principal, scheme_id)
    rows = results.outs(session, scheme, results.visible_results(session, principal, scheme))
    ctx = {
        "s": schemes.out(session, principal, scheme),
        "rows": rows,
        "indicators": _indicator_rows(scheme.definition),
        "bands": [(labels.text(b), b["min"]) for b in scheme.definition["bands"]],
        "veto_items": [labels.text(v) for v in scheme.definition.get("veto", [])],
        "can_manage": schemes.may_manage(principal, scheme),
        "editable": schemes.may_manage(principal, scheme)
        and scheme.results_state == ResultsState.OPEN
        and scheme.state == SchemeState.ACTIVE,
        "assessor": schemes.assessor_side(principal, scheme),
        "can_export": principal.can(Perm.EXPORT),
        "moves": [(m, labels.label(labels.MOVE_LABELS, m)) for m in schemes.next_moves(principal, scheme)],
        "definition": scheme.definition,
    }
    return page(request, "assessment/scheme.html", ctx)


@router.post("/assessment/schemes/{scheme_id:int}/compute")
async def scheme_compute(scheme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    results.compute(session, principal, scheme_id)
    return RedirectResponse(f"/assessment/schemes/{scheme_id}", status_code=303)


@router.post("/assessment/schemes/{scheme_id:int}/move")
async def scheme_move(scheme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f, _file = await form_of(request)
    try:
        to = ResultsState(f.get("to", ""))
    except ValueError:
        raise NotFound() from None
    schemes.move(session, principal, scheme_id, to, f.get("note") or None)
    return RedirectResponse(f"/assessment/schemes/{scheme_id}", status_code=303)


@router.post("/assessment/schemes/{scheme_id:int}/points")
async def scheme_points(scheme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The points form: one max and the deductions of every indicator (``max:<key>``, ``d:<key>:<on>``)."""
    f, _file = await form_of(request)
    scheme = schemes.get(session, principal, scheme_id)
    changes = []
    for _area, ind in schemes.indicators(scheme.definition):
        values = {"indicator": ind["key"], "max": f.get(f"max:{ind['key']}")}
        ded = {d["on"]: f.get(f"d:{ind['key']}:{d['on']}") for d in ind["deductions"]}
        values["deductions"] = {k: v for k, v in ded.items() if v not in ("", None)} or None
        changes.append(parse(PointsIn, values))
    patch = SchemePatch(points=changes, reason=f.get("reason") or None)
    new = schemes.update(session, principal, scheme_id, patch)
    return RedirectResponse(f"/assessment/schemes/{new.id}", status_code=303)


@router.get("/assessment/schemes/{scheme_id:int}/vetoes")
def vetoes_page(scheme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    scheme = schemes.get(session, principal, scheme_id)
    if not schemes.assessor_side(principal, scheme):
        raise NotFound()
    ctx = {
        "s": schemes.out(session, principal, scheme),
        "rows": vetoes.outs(session, scheme, vetoes.of_scheme(session, scheme.id)),
        "editable": schemes.may_manage(principal, scheme)
        and scheme.results_state == ResultsState.OPEN
        and scheme.state == SchemeState.ACTIVE,
    }
    return page(request, "assessment/vetoes.html", ctx)


@router.post("/assessment/schemes/{scheme_id:int}/vetoes/{veto_id:int}/withdraw")
async def veto_withdraw(
    scheme_id: int, veto_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f, _file = await form_of(request)
    vetoes.withdraw(session, principal, scheme_id, veto_id, parse(WithdrawIn, {"reason": f.get("reason")}))
    return RedirectResponse(f"/assessment/schemes/{scheme_id}/vetoes", status_code=303)
