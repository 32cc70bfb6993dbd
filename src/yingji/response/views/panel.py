"""The incident's response panel (a partial the incident page loads) and its full-page form, the
panel's form posts and the situation report downloads. With htmx the posts answer the refreshed panel;
without, a redirect back. Bad input re-renders with the message; 403/404 stay errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from yingji.auth.deps import CurrentPrincipal
from yingji.core.deps import Db, DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.core.i18n import gettext
from yingji.org import picker
from yingji.response import closure, command, consultations, investigation, levels, panel, sitreps, tasks
from yingji.response.api import export_sitrep
from yingji.response.common import incident_for_read
from yingji.response.schemas import (
    ActivationIn,
    AdjustIn,
    ClosureIn,
    CommandPostIn,
    ConsultationIn,
    DecisionTaskIn,
    EndIn,
    ExtensionIn,
    InvestigationIn,
    SectionIn,
    SitrepIn,
    TaskIn,
)
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
LIST_FIELDS = {"person_ids", "unit_ids", "expert_person_ids", "expert_ids", "member_ids"}
LINE_FIELDS = {"experts", "decisions"}
# People-picker fields: an id with JS, a mobile number or a unique name without (org/picker.py).
PERSON_FIELDS = ("assignee_person_id", "commander_person_id", "deputy_person_id")


def _values(form: FormData, model: type[BaseModel]) -> dict[str, Any]:
    """Form fields → model input: blanks are absent, id lists from multi-selects, lines from textareas."""
    out: dict[str, Any] = {}
    for name in model.model_fields:
        if name in LIST_FIELDS:
            out[name] = [int(v) for v in form.getlist(name) if str(v).strip().isdigit()]
        elif name in LINE_FIELDS:
            out[name] = str(form.get(name, "")).splitlines()
        elif name in ("submit",):
            out[name] = form.get(name) in ("1", "on", "true")
        elif (value := str(form.get(name, "")).strip()) != "":
            out[name] = value
    return out


def _people(session, principal, values: dict[str, Any]) -> dict[str, Any]:
    for name in PERSON_FIELDS:
        if name in values:
            values[name] = picker.resolve(session, principal, values[name], name)
    return values


def _sections(form: FormData) -> list[SectionIn] | None:
    """Rows s0_name, s0_lead, s0_members … of the command-post form (blank names are dropped)."""
    if "s0_name" not in form:
        return None
    out, i = [], 0
    while f"s{i}_name" in form:
        name = str(form.get(f"s{i}_name", "")).strip()
        if name:
            lead = str(form.get(f"s{i}_lead", "")).strip()
            members = [int(v) for v in form.getlist(f"s{i}_members") if str(v).isdigit()]
            code = str(form.get(f"s{i}_code", "")).strip() or "custom"
            out.append(
                SectionIn(
                    code=code, name=name, lead_person_id=int(lead) if lead else None, member_ids=members
                )
            )
        i += 1
    return out


def _message(exc: ValidationError | YingjiError) -> str:
    if isinstance(exc, ValidationError):
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
        return gettext("Please check: {fields}", fields=", ".join(fields) or "—")
    text = gettext(exc.message, **exc.params)
    if exc.details:
        text += " " + "; ".join(f"{d.get('field', '')}: {gettext(d['message'])}" for d in exc.details)
    return text


def _run(session, fn, *args):
    with session.begin_nested():
        return fn(*args)


async def _act(request: Request, session, principal, incident_id: int, model, action) -> Any:
    """Validate the form into ``model`` and run ``action(data)`` in a savepoint; answer the panel."""
    form = await request.form()
    try:
        values = await run_in_threadpool(_people, session, principal, _values(form, model))
        if model is CommandPostIn:
            values["sections"] = _sections(form)
        data = model(**values)
        await run_in_threadpool(_run, session, action, data)
    except (ValidationError, YingjiError) as exc:
        if isinstance(exc, YingjiError) and exc.status_code in (401, 403, 404):
            raise
        return await run_in_threadpool(_panel, request, session, principal, incident_id, _message(exc), 422)
    if request.headers.get("hx-request"):
        return await run_in_threadpool(_panel, request, session, principal, incident_id, None, 200)
    return RedirectResponse(f"/response/incidents/{incident_id}", status_code=303)


def _panel(request, session, principal, incident_id, error, status):
    ctx = panel.gather(session, principal, incident_id) | {"error": error}
    htmx = request.headers.get("hx-request")
    # htmx swaps only 2xx answers: the error is shown inside the refreshed panel.
    return render(
        request, "response/panel.html" if htmx else "response/page.html", ctx, 200 if htmx else status
    )


SERVICES = {
    "activate": (ActivationIn, levels.activate),
    "adjust": (AdjustIn, levels.adjust),
    "end": (EndIn, levels.end),
    "command-post": (CommandPostIn, command.set_post),
    "consultations": (ConsultationIn, consultations.create),
    "tasks": (TaskIn, tasks.create),
    "sitreps": (SitrepIn, sitreps.create),
    "close": (ClosureIn, closure.close),
    "investigation": (InvestigationIn, investigation.update),
    "extend": (ExtensionIn, investigation.extend),
}


@router.post("/response/incidents/{incident_id}/{what}")
async def incident_form(
    incident_id: int, what: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    """One endpoint per panel form: activate, adjust, end, command-post, consultations, tasks, sitreps,
    close, investigation, extend."""
    if what not in SERVICES:
        raise NotFound()
    model, service = SERVICES[what]
    return await _act(
        request,
        session,
        principal,
        incident_id,
        model,
        lambda data: service(session, principal, incident_id, data),
    )


@router.post("/response/decisions/{decision_id}/task")
async def decision_form(decision_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    incident_id = await run_in_threadpool(_decision_incident, session, principal, decision_id)
    return await _act(
        request,
        session,
        principal,
        incident_id,
        DecisionTaskIn,
        lambda data: tasks.create_from_decision(session, principal, decision_id, data),
    )


def _decision_incident(session, principal, decision_id: int) -> int:
    from yingji.response.models import Consultation, ConsultationDecision

    decision = session.get(ConsultationDecision, decision_id)
    if decision is None:
        raise NotFound()
    incident_id = session.get(Consultation, decision.consultation_id).incident_id
    incident_for_read(session, principal, incident_id)
    return incident_id


@router.get("/incidents/{incident_id}/response")
def response_panel(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """The partial the incident page loads (``hx-get``): level, command post, tasks, reports, closure."""
    return render(
        request, "response/panel.html", panel.gather(session, principal, incident_id) | {"error": None}
    )


@router.get("/response/incidents/{incident_id}")
def response_page(incident_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(
        request, "response/page.html", panel.gather(session, principal, incident_id) | {"error": None}
    )


@router.get("/response/sitreps/{sitrep_id}.docx")
def sitrep_docx(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db):
    return export_sitrep(session, db, principal, sitrep_id, "docx")


@router.get("/response/sitreps/{sitrep_id}.pdf")
def sitrep_pdf(sitrep_id: int, principal: CurrentPrincipal, session: DbSession, db: Db):
    return export_sitrep(session, db, principal, sitrep_id, "pdf")
