"""Plan pages, the digital response part: its readable chapter (page and DOCX), the editor of levels
and actions, the activation form's preview and the checklist ticks under an activated plan."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.downloads import audited_download
from yingji.auth.roles import Perm
from yingji.core.deps import Db, DbSession
from yingji.core.errors import Forbidden, NotFound, YingjiError
from yingji.core.i18n import gettext
from yingji.plans import conditions, digital, document, forms
from yingji.plans.api import LevelNo
from yingji.plans.codes import PlanState
from yingji.plans.forms import form_message
from yingji.plans.models import ResponsePlanItem
from yingji.plans.schemas import FIGURE_NAMES
from yingji.response import plan_checklist, plan_run
from yingji.response.views import panel as response_forms
from yingji.web.forms import errors_with_refusals as form_errors
from yingji.web.forms import in_savepoint
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, ctx: dict, status_code: int = 200):
    return render(request, name, {"cond": conditions} | ctx, status_code=status_code)


PREVIEW = "plans/_response_preview.html"


@router.get("/response/incidents/{incident_id}/plan-preview")
def plan_preview_partial(
    incident_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    plan_id: Annotated[int | None, Query(ge=1)] = None,
    level: Annotated[int | None, Query(ge=1, le=4)] = None,
):
    """The activation form's preview (htmx): the proposal and what the level will create."""
    if plan_id is None:
        return render(request, PREVIEW, {"error": gettext("Choose a plan."), "p": None})
    try:
        p = plan_run.preview(session, principal, incident_id, plan_id, level)
    except YingjiError as exc:
        if exc.status_code in (401, 404):
            raise
        return render(request, PREVIEW, {"error": form_message(exc), "p": None})
    return render(request, PREVIEW, {"error": None, "p": p})


@router.post("/response/checklist/{item_id}")
async def tick_form(item_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """Tick or reopen a checklist item from the incident's response panel."""
    form = await request.form()
    done = str(form.get("done", "1")) in ("1", "on", "true")
    try:
        item = await run_in_threadpool(
            in_savepoint, session, plan_checklist.tick, session, principal, item_id, done
        )
    except YingjiError as exc:
        if exc.status_code in (401, 403, 404):
            raise
        incident_id = await run_in_threadpool(_item_incident, session, principal, item_id)
        return await run_in_threadpool(
            response_forms._panel, request, session, principal, incident_id, form_message(exc), 409
        )
    if request.headers.get("hx-request"):
        return await run_in_threadpool(
            response_forms._panel, request, session, principal, item["incident_id"], None, 200
        )
    return RedirectResponse(f"/response/incidents/{item['incident_id']}", status_code=303)


def _item_incident(session, principal, item_id: int) -> int:
    item = session.get(ResponsePlanItem, item_id)
    if item is None or not principal.covers(item.jurisdiction_code):
        raise NotFound()
    return item.incident_id


def _part_ctx(session, principal, plan_id: int) -> dict:
    plan = digital.plan_for_read(session, principal, plan_id)
    part = digital.part(session, plan)
    for lv in part["levels"]:
        lv["described"] = conditions.describe(lv["conditions"])
    can_edit = (
        principal.can(Perm.PLANS_MANAGE)
        and principal.covers(plan.jurisdiction_code)
        and plan.state != PlanState.REPEALED
    )
    return {
        "plan": plan,
        "part": part,
        "can_edit": can_edit,
        "kind_label": document.KIND_NAMES.get(plan.kind, ""),
        "blocks": document.chapter(part),
        "duration": document.duration,
        "resources_text": forms.resources_text,
    }


@router.get("/plans/{plan_id}/response")
def response_document(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The response part as the printed plan's 应急响应 chapter."""
    return _page(request, "plans/response_doc.html", _part_ctx(session, principal, plan_id))


@router.get("/plans/{plan_id}/response.docx")
def response_document_docx(plan_id: int, principal: CurrentPrincipal, session: DbSession, db: Db):
    """The chapter as a Word document (audited download)."""
    ctx = _part_ctx(session, principal, plan_id)
    body = document.docx(ctx["plan"], ctx["part"])
    return audited_download(
        db,
        principal,
        body,
        entity="plans",
        entity_id=plan_id,
        filename=f"{ctx['plan'].title}-应急响应.docx",
        jurisdiction_code=ctx["plan"].jurisdiction_code,
        media_type=document.DOCX,
        note="response part",
    )


def _editor(request, session, principal, plan_id: int, errors: dict | None = None, status_code: int = 200):
    ctx = _part_ctx(session, principal, plan_id)
    if not ctx["can_edit"]:
        raise Forbidden()
    ctx |= {
        "errors": errors or {},
        "used": digital.used_action_ids(session, plan_id),
        "figure_names": FIGURE_NAMES,
        "grading_kinds": list(conditions.KIND_LABELS.items()),
    }
    return _page(request, "plans/response_edit.html", ctx, status_code)


@router.get("/plans/{plan_id}/response/edit")
def response_editor(plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return _editor(request, session, principal, plan_id)


class _Editor:
    """A form posted to the editor: validated, run in a savepoint, then back to the editor."""

    def __init__(self, plan_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
        self.plan_id, self.request, self.principal, self.session = plan_id, request, principal, session

    async def run(self, build, service, *args) -> object:
        """``service(session, principal, plan_id, *args, data)`` with ``data = build(form)`` (without
        ``data`` when ``build`` is None: a delete reads nothing)."""
        session, principal, plan_id = self.session, self.principal, self.plan_id
        form = await self.request.form()
        try:
            data = () if build is None else (build(form),)
            await run_in_threadpool(in_savepoint, session, service, session, principal, plan_id, *args, *data)
        except (ValidationError, YingjiError) as exc:
            if isinstance(exc, YingjiError) and exc.status_code in (401, 403, 404):
                raise
            errors = form_errors(exc)
            status = 409 if isinstance(exc, YingjiError) and exc.status_code == 409 else 422
            return await run_in_threadpool(_editor, self.request, session, principal, plan_id, errors, status)
        return RedirectResponse(f"/plans/{plan_id}/response/edit", status_code=303)


Editor = Annotated[_Editor, Depends()]


@router.post("/plans/{plan_id}/response/levels/{level}")
async def level_form(level: LevelNo, editor: Editor):
    return await editor.run(forms.level_in, digital.set_level, level)


@router.post("/plans/{plan_id}/response/levels/{level}/delete")
async def level_delete_form(level: LevelNo, editor: Editor):
    return await editor.run(None, digital.delete_level, level)


@router.post("/plans/{plan_id}/response/levels/{level}/actions")
async def action_add_form(level: LevelNo, editor: Editor):
    return await editor.run(forms.action_in, digital.add_action, level)


@router.post("/plans/{plan_id}/response/actions/{action_id}")
async def action_edit_form(action_id: int, editor: Editor):
    return await editor.run(forms.action_patch, digital.update_action, action_id)


@router.post("/plans/{plan_id}/response/actions/{action_id}/delete")
async def action_delete_form(action_id: int, editor: Editor):
    return await editor.run(None, digital.delete_action, action_id)


@router.post("/plans/{plan_id}/response/from-rules")
async def from_rules_form(editor: Editor):
    return await editor.run(forms.from_rules_in, digital.levels_from_rules)
