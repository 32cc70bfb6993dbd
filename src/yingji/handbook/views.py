"""Handbook pages (desk and phone): a place's 三清单一手册 — what it holds and the data's date before
any download, its editions (generate PDF / DOCX, download), the print and distribution log with its
totals; a print run's page with its distributions."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.handbook import distribution, editions, model, out
from yingji.handbook.codes import RECIPIENT_LABELS, STATE_LABELS, RecipientKind
from yingji.handbook.schemas import DistributionIn, GenerateIn, PrintIn
from yingji.org import places
from yingji.org.codes import subtree_bounds
from yingji.org.models import Unit
from yingji.org.params import url_code
from yingji.web import forms, nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(
    N_("Supervision and assessment"),
    nav.NavItem("handbook", N_("Three lists and a handbook"), "/handbook", Perm.ORG_READ),
)
SUMMARY_LABELS = {
    "bodies": N_("Command bodies"),
    "member_units": N_("Member units"),
    "teams": N_("Rescue teams"),
    "team_members": N_("Team members"),
    "stores": N_("Stores"),
    "categories": N_("Supply categories"),
    "equipment_kinds": N_("Kinds of team equipment"),
    "plans": N_("Plans in force"),
}


_parse = forms.parse


async def _form(request: Request) -> dict:
    form = await request.form()
    return {k: str(v).strip() for k, v in form.items() if isinstance(v, str)}


def _recipient_units(session, code: str) -> list:
    """Units a copy may go to: the place's own, and the HQs and offices of the places just below."""
    low, high = subtree_bounds(code)
    child = model.child_length(code)
    cond = Unit.jurisdiction_code == code
    if child:
        cond = cond | (
            (Unit.jurisdiction_code >= low)
            & (Unit.jurisdiction_code < high)
            & (func.length(Unit.jurisdiction_code) == child)
            & Unit.kind.in_(model.CHILD_HQ_KINDS)
        )
    return list(
        session.execute(
            select(Unit.id, Unit.name)
            .where(cond)
            .order_by(Unit.jurisdiction_code, Unit.sort, Unit.id)
            .limit(500)
        )
    )


@router.get("/handbook")
def handbook_page(
    request: Request, principal: CurrentPrincipal, session: DbSession, place: str | None = None
):
    code = url_code(place)
    if code is None:
        top = places.root(session, principal)
        code = top.code if top is not None else ""
    book = editions.preview(session, principal, code)
    here = editions.place_of(session, principal, code)
    rows = [
        out.edition(e) | {"state_label": STATE_LABELS.get(e.state, e.state)}
        for e in editions.search(session, principal, code)
    ]
    ctx = {
        "place": here,
        "crumbs": places.breadcrumbs(session, principal, here),
        "children": [c for c in places.children(session, principal, code) if c.level != "group"],
        "book": out.preview(book, editions.size_of(session, code) > editions.job_rows()),
        "data_date": book.data_date,
        "summary_labels": SUMMARY_LABELS,
        "editions": rows,
        "can_see_phones": principal.can(Perm.CONTACT_PHONE),
        "can_export": principal.can(Perm.EXPORT),
        "can_manage": principal.can(Perm.HANDBOOK_MANAGE) and principal.covers(code),
        "prints": [out.print_run(p) for p in distribution.prints(session, principal, code)],
        "totals": distribution.totals(session, principal, code),
        "recipient_labels": RECIPIENT_LABELS,
        "today": date.today().isoformat(),
    }
    return render(request, "handbook/place.html", ctx)


@router.post("/handbook/{code}/editions")
async def generate(code: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    data = _parse(GenerateIn, await _form(request))
    editions.generate(session, request.app.state.settings, principal, code, data.format)
    return RedirectResponse(f"/handbook?place={code}#editions", status_code=303)


@router.post("/handbook/prints")
async def record_print(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _form(request)
    data = _parse(PrintIn, {k: f.get(k) for k in ("edition_id", "copies", "printed_on", "note")})
    row = distribution.record_print(
        session, principal, data.edition_id, data.copies, data.printed_on, data.note
    )
    return RedirectResponse(f"/handbook/prints/{row.id}", status_code=303)


@router.get("/handbook/prints/{print_id:int}")
def print_page(print_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    run = distribution.get_print(session, principal, print_id)
    ctx = {
        "run": out.print_run(run),
        "title": run.edition.title,
        "rows": [out.distribution(d) for d in distribution.distributions(session, principal, print_id)],
        "recipient_labels": RECIPIENT_LABELS,
        "kinds": [(k.value, RECIPIENT_LABELS[k]) for k in RecipientKind],
        "units": _recipient_units(session, run.jurisdiction_code),
        "can_manage": principal.can(Perm.HANDBOOK_MANAGE) and principal.covers(run.jurisdiction_code),
        "today": date.today().isoformat(),
    }
    return render(request, "handbook/print.html", ctx)


@router.post("/handbook/prints/{print_id:int}/distributions")
async def distribute(print_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await _form(request)
    data = _parse(
        DistributionIn,
        {
            k: f.get(k)
            for k in ("recipient_kind", "unit_id", "recipient_name", "copies", "distributed_on", "note")
        },
    )
    distribution.distribute(
        session,
        principal,
        print_id,
        recipient_kind=data.recipient_kind,
        copies=data.copies,
        distributed_on=data.distributed_on,
        unit_id=data.unit_id,
        recipient_name=data.recipient_name,
        note=data.note,
    )
    return RedirectResponse(f"/handbook/prints/{print_id}", status_code=303)
