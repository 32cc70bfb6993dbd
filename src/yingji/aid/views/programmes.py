"""Programme pages: the list (and a new programme), a programme (state and its moves, the survey's
progress by village, the list, notices with objections, the distribution form, totals, Excel), and
the village's survey on the phone."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from yingji.aid import distribution, labels, notices, programmes, recipients
from yingji.aid.access import may_step
from yingji.aid.codes import ProgrammeKind, ProgrammeState
from yingji.aid.schemas import AnswerIn, DistributionIn, ObjectionIn, ProgrammeIn, RecipientIn, VerifyIn
from yingji.aid.views.common import form_of, page, parse
from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import in_scope
from yingji.core.deps import DbSession
from yingji.core.i18n import N_
from yingji.org import places
from yingji.org.params import url_code
from yingji.supplies.models import Warehouse

router = APIRouter(include_in_schema=False)


@router.get("/aid")
def programmes_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    rows = programmes.search(session, principal)
    ctx = {
        "rows": programmes.outs(session, rows),
        "can_manage": principal.can(Perm.AID_MANAGE),
        "kinds": [(k.value, labels.label(labels.KIND_LABELS, k)) for k in ProgrammeKind],
        "home": principal.jurisdiction_code,
        "survey_rule": labels.rules()["winter_spring_survey"],
    }
    return page(request, "aid/programmes.html", ctx)


@router.post("/aid/programmes")
async def programme_create(request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    data = parse(
        ProgrammeIn,
        {
            k: f.get(k)
            for k in ("title", "kind", "jurisdiction_code", "season", "standard_yuan_per_person", "note")
        },
    )
    programme = programmes.create(session, principal, data)
    return RedirectResponse(f"/aid/programmes/{programme.id}", status_code=303)


@router.get("/aid/programmes/{programme_id:int}")
def programme_page(
    programme_id: int,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
    village: str | None = None,
):
    programme = programmes.get(session, principal, programme_id)
    code = url_code(village)
    rows = recipients.search(session, principal, programme.id, village=code)
    stores = list(
        session.scalars(
            select(Warehouse)
            .where(in_scope(Warehouse.jurisdiction_code, principal), Warehouse.active.is_(True))
            .order_by(Warehouse.jurisdiction_code)
            .limit(50)
        )
    )
    ctx = {
        "p": programmes.outs(session, [programme])[0],
        "progress": programmes.progress(session, principal, programme),
        "recipients": recipients.outs(session, principal, rows),
        "village": code or "",
        "notices": notices.outs(session, notices.of_programme(session, principal, programme.id)),
        "totals": programmes.totals(session, principal, programme),
        "summary": distribution.summary(session, programme.id),
        "ledger": distribution.ledger(session, principal, programme.id, limit=50),
        "stores": stores,
        "can_manage": principal.can(Perm.AID_MANAGE) and principal.covers(programme.jurisdiction_code),
        "can_field": principal.can(Perm.AID_VILLAGE) or principal.can(Perm.AID_MANAGE),
        "client_key": f"aid-{uuid.uuid4().hex[:24]}",
        "State": ProgrammeState,
    }
    return page(request, "aid/programme.html", ctx)


@router.post("/aid/programmes/{programme_id:int}/move")
async def programme_move(
    programme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    try:
        to = ProgrammeState(f.get("to", ""))
    except ValueError:
        from yingji.core.errors import ValidationFailed

        raise ValidationFailed.on("to", N_("Not a valid choice.")) from None
    programmes.move(
        session,
        principal,
        programme_id,
        to,
        note=f.get("note") or None,
        override_note=f.get("override_note") or None,
    )
    return RedirectResponse(f"/aid/programmes/{programme_id}", status_code=303)


@router.post("/aid/programmes/{programme_id:int}/verify")
async def programme_verify(
    programme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    ids = [int(x) for x in f["_form"].getlist("recipient_ids") if str(x).isdigit()]
    data = parse(VerifyIn, {"recipient_ids": ids, "village": f.get("village")})
    recipients.verify(session, principal, programme_id, data)
    return RedirectResponse(f"/aid/programmes/{programme_id}#list", status_code=303)


@router.post("/aid/recipients/{recipient_id:int}/remove")
async def recipient_remove(
    recipient_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    reason = f.get("reason", "")
    if len(reason) < 2:
        from yingji.core.errors import ValidationFailed

        raise ValidationFailed.on("reason", N_("Give the reason."))
    r = recipients.remove(session, principal, recipient_id, reason)
    return RedirectResponse(f"/aid/programmes/{r.programme_id}#list", status_code=303)


@router.post("/aid/notices/{notice_id:int}/objections")
async def notice_object(notice_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    f = await form_of(request)
    data = parse(ObjectionIn, {k: f.get(k) for k in ("by", "text", "recipient_id")})
    notice = notices.object_(session, principal, notice_id, data)
    return RedirectResponse(_back(notice), status_code=303)


@router.post("/aid/notices/{notice_id:int}/objections/{index:int}/answer")
async def notice_answer(
    notice_id: int, index: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    data = parse(
        AnswerIn, {"upheld": f.get("upheld") == "yes", "answer": f.get("answer"), "action": f.get("action")}
    )
    notice = notices.answer(session, principal, notice_id, index, data)
    return RedirectResponse(_back(notice), status_code=303)


def _back(notice) -> str:
    if notice.programme_id is not None:
        return f"/aid/programmes/{notice.programme_id}#notices"
    return f"/aid/rebuild/{notice.rebuild_case_id}"


@router.post("/aid/programmes/{programme_id:int}/distribute")
async def programme_distribute(
    programme_id: int, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    keys = ("recipient_id", "kind", "client_key", "amount_yuan", "pay_form", "warehouse_id", "item_code")
    keys += ("quantity", "receiver_name", "note", "override_note")
    data = parse(DistributionIn, {k: f.get(k) for k in keys})
    distribution.distribute(session, principal, programme_id, data)
    return RedirectResponse(f"/aid/programmes/{programme_id}#ledger", status_code=303)


# -- the village's survey on the phone --------------------------------------------------------
@router.get("/aid/programmes/{programme_id:int}/village/{code}")
def village_page(
    programme_id: int, code: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    programme = programmes.get(session, principal, programme_id)
    village = url_code(code)
    if village is None or len(village) != 12:
        from yingji.core.errors import NotFound

        raise NotFound()
    ctx = {
        "p": programmes.outs(session, [programme])[0],
        "village": village,
        "village_name": places.names(session, [village]).get(village, village),
        "households": recipients.village_households(session, principal, programme, village),
        "surveyed": recipients.outs(
            session, principal, recipients.search(session, principal, programme.id, village=village)
        ),
        "can_survey": may_step(principal, village, "village") and programme.state in recipients.SURVEY_STATES,
    }
    return page(request, "aid/village.html", ctx)


@router.post("/aid/programmes/{programme_id:int}/village/{code}")
async def village_survey(
    programme_id: int, code: str, request: Request, principal: CurrentPrincipal, session: DbSession
):
    f = await form_of(request)
    needs = {k: "1" for k in f["_form"].getlist("needs") if k in labels.need_categories()}
    keys = ("resident_id", "jurisdiction_code", "head_name", "id_number", "head_phone", "family_type")
    keys += ("family_size", "address", "people_in_need")
    data = parse(RecipientIn, {k: f.get(k) for k in keys} | {"needs": needs})
    recipients.add(session, principal, programme_id, data)
    return RedirectResponse(f"/aid/programmes/{programme_id}/village/{code}#surveyed", status_code=303)
