"""Plan registry pages: the list with filters, a plan with its whole history and the forms of its
lifecycle steps, registering and editing a plan. Every form goes through the same services as the API
(scope, permission, audit)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import N_, gettext
from yingji.org.api import read_upload
from yingji.org.models import Unit
from yingji.org.params import url_code
from yingji.plans import documents, lifecycle, out, registry, triggers
from yingji.plans.api import KindQ, StateQ
from yingji.plans.schemas import (
    EvaluatedIn,
    FilingIn,
    IssueIn,
    PlanIn,
    PlanPatch,
    PublishIn,
    RepealIn,
    ReviewIn,
    ReviseIn,
    StepIn,
    TriggerDismissIn,
    TriggerIn,
)
from yingji.plans.views import common
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint

router = APIRouter(include_in_schema=False)
FIELDS = ("code", "title", "kind", "jurisdiction_code", "issuer", "note", "event_categories", "parent_id")
STEPS = {
    "submit": (StepIn, lifecycle.submit),
    "reviews": (ReviewIn, lifecycle.review),
    "approval": (StepIn, lifecycle.to_approval),
    "return": (StepIn, lifecycle.send_back),
    "issue": (IssueIn, lifecycle.issue),
    "publish": (PublishIn, lifecycle.publish),
    "filings": (FilingIn, lifecycle.file),
    "evaluation": (StepIn, lifecycle.start_evaluation),
    "evaluated": (EvaluatedIn, lifecycle.conclude_evaluation),
    "revision": (ReviseIn, lifecycle.revise),
    "repeal": (RepealIn, lifecycle.repeal),
    "triggers": (TriggerIn, triggers.add_trigger),
    "dismiss-trigger": (TriggerDismissIn, triggers.dismiss_trigger),
}


@router.get("/plans")
def plans_page(
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    q: Annotated[str, Query(max_length=60)] = "",
    within: str | None = None,
    kind: KindQ = None,
    state: StateQ = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    overdue: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
):
    result = registry.search(
        session,
        principal,
        q=q,
        within=url_code(within),
        kind=kind,
        state=state,
        category=category or None,
        overdue=overdue,
        page=page,
        size=50,
    )
    ref = registry.names(session, result.items)
    ctx = {
        "page": result,
        "rows": [registry.to_out(p, ref) for p in result.items],
        "filters": {"q": q, "within": within or "", "kind": kind or "", "state": state or ""}
        | {"category": category or "", "overdue": overdue},
        "categories": registry.category_names(),
        "can_manage": principal.can(Perm.PLANS_MANAGE),
    }
    return common.page(request, "plans/list.html", ctx)


UNIT_FIELDS = ("hq_unit_code", "lead_unit_code", "members")


def _form_values(form) -> dict:
    values = {k: str(form.get(k, "")).strip() for k in FIELDS + UNIT_FIELDS}
    values["event_categories"] = [str(v) for v in form.getlist("event_categories")]
    return values


def _units(session, values: dict) -> dict:
    """Unit codes of the form (HQ, lead unit, one member per line: ``code duties``) as ids."""
    lines = [ln.strip().split(None, 1) for ln in values.get("members", "").splitlines() if ln.strip()]
    wanted = {values.get("hq_unit_code"), values.get("lead_unit_code")} | {ln[0] for ln in lines}
    wanted.discard(None)
    wanted.discard("")
    ids = (
        dict(session.execute(select(Unit.code, Unit.id).where(Unit.code.in_(wanted))).all()) if wanted else {}
    )
    out = {}
    for field, key in (("hq_unit_code", "hq_unit_id"), ("lead_unit_code", "lead_unit_id")):
        code = values.get(field)
        if code and code not in ids:
            raise ValidationFailed(details=[{"field": field, "message": N_("Unknown unit.")}])
        out[key] = ids.get(code) if code else None
    members = []
    for ln in lines:
        if ln[0] not in ids:
            raise ValidationFailed(details=[{"field": "members", "message": N_("Unknown unit.")}])
        role = "lead" if ids[ln[0]] == out["lead_unit_id"] else "member"
        members.append({"unit_id": ids[ln[0]], "role": role, "duties": ln[1] if len(ln) > 1 else None})
    out["members"] = members
    return out


def _plan_in(session, values: dict, patch: bool = False):
    data = {k: (v or None) for k, v in values.items() if k not in ("event_categories", *UNIT_FIELDS)}
    data["event_categories"] = values["event_categories"]
    units = _units(session, values)
    if patch:
        data = {k: v for k, v in data.items() if k in PlanPatch.model_fields and v is not None}
        return PlanPatch(**data, **units)
    return PlanIn(**{k: v for k, v in data.items() if v is not None}, **units)


def _unit_values(session, plan) -> dict:
    ids = {plan.hq_unit_id, plan.lead_unit_id} | {m.unit_id for m in plan.members}
    ids.discard(None)
    codes = dict(session.execute(select(Unit.id, Unit.code).where(Unit.id.in_(ids))).all()) if ids else {}
    lines = [f"{codes.get(m.unit_id, '')} {m.duties or ''}".strip() for m in plan.members]
    return {
        "hq_unit_code": codes.get(plan.hq_unit_id, ""),
        "lead_unit_code": codes.get(plan.lead_unit_id, ""),
        "members": "\n".join(lines),
    }


def _form_ctx(plan, values, errors) -> dict:
    return {"plan": plan, "form": values, "errors": errors, "categories": registry.category_names()}


@router.get("/plans/new")
def plan_new(request: Request, principal: CurrentPrincipal, within: str | None = None):
    require(principal, Perm.PLANS_MANAGE)
    values = {
        "jurisdiction_code": within or principal.jurisdiction_code,
        "kind": "township",
        "event_categories": [],
    }
    return common.page(request, "plans/form.html", _form_ctx(None, values, {}))


@router.post("/plans/new")
async def plan_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form_values(await request.form())
    try:
        plan = await run_in_threadpool(
            in_savepoint, session, lambda: registry.create(session, principal, _plan_in(session, values))
        )
    except (ValidationError, YingjiError) as exc:
        if not common.refused(exc):
            raise
        return common.page(
            request, "plans/form.html", _form_ctx(None, values, form_errors(exc)), status_code=422
        )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


@router.get("/plans/{plan_id:int}")
def plan_page(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _detail_page(request, principal, session, plan_id)


def _detail_page(
    request, principal, session, plan_id: int, errors: dict | None = None, step: str = "", status=200
):
    plan = registry.get(session, principal, plan_id)
    draft = lifecycle.draft_version(session, plan)
    ctx = {
        "plan": plan,
        "d": out.detail(session, plan),
        "draft": draft,
        "can_manage": principal.can(Perm.PLANS_MANAGE) and principal.covers(plan.jurisdiction_code),
        "errors": errors or {},
        "step": step,
    }
    return common.page(request, "plans/plan.html", ctx, status_code=status)


@router.post("/plans/{plan_id:int}/do/{step}")
async def plan_step(
    plan_id: int, step: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """One lifecycle step from the plan page's forms (the same services as the API)."""
    if step not in STEPS:
        return _detail_page(request, principal, session, plan_id, {"_": gettext("Not found.")}, step, 404)
    schema, fn = STEPS[step]
    form = await request.form()
    values = {k: str(v).strip() for k, v in form.items() if k != "csrf_token" and str(v).strip() != ""}
    if step == "filings" and "to" in values:
        values["to_jurisdiction_code"], _, values["to_body"] = values.pop("to").partition(":")
    if "major" in values:
        values["major"] = values["major"] == "1"
    if "accept" in values:
        values["accept"] = values["accept"] == "1"
    try:
        data = schema(**values)
        await run_in_threadpool(in_savepoint, session, fn, session, principal, plan_id, data)
    except (ValidationError, YingjiError) as exc:
        if not common.refused(exc):
            raise
        return await run_in_threadpool(
            _detail_page, request, principal, session, plan_id, form_errors(exc), step, 422
        )
    return RedirectResponse(f"/plans/{plan_id}#history", status_code=303)


@router.post("/plans/{plan_id:int}/documents")
async def plan_document(
    plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile
):
    form = await request.form()
    data = await read_upload(request, file)
    settings = request.app.state.settings
    try:
        await run_in_threadpool(
            in_savepoint,
            session,
            lambda: documents.store(
                session,
                principal,
                plan_id,
                str(form.get("kind", "text")),
                data,
                file.filename,
                base=documents.dir_of(settings),
                max_bytes=settings.max_upload_mb * 1024 * 1024,
            ),
        )
    except YingjiError as exc:
        if not common.refused(exc):
            raise
        return await run_in_threadpool(
            _detail_page, request, principal, session, plan_id, form_errors(exc), "documents", 422
        )
    return RedirectResponse(f"/plans/{plan_id}#documents", status_code=303)


@router.get("/plans/{plan_id:int}/edit")
def plan_edit(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    plan = registry.get(session, principal, plan_id)
    require(principal, Perm.PLANS_MANAGE)
    values = {k: ("" if getattr(plan, k, None) is None else str(getattr(plan, k))) for k in FIELDS}
    values["event_categories"] = list(plan.event_categories or [])
    values |= _unit_values(session, plan)
    return common.page(request, "plans/form.html", _form_ctx(plan, values, {}))


@router.post("/plans/{plan_id:int}/edit")
async def plan_update(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    values = _form_values(await request.form())
    try:
        await run_in_threadpool(
            in_savepoint,
            session,
            lambda: registry.update(session, principal, plan_id, _plan_in(session, values, True)),
        )
    except (ValidationError, YingjiError) as exc:
        if not common.refused(exc):
            raise
        plan = await run_in_threadpool(registry.get, session, principal, plan_id)
        return common.page(
            request, "plans/form.html", _form_ctx(plan, values, form_errors(exc)), status_code=422
        )
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)
