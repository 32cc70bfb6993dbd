"""The needs survey and the list of recipients (救助对象): households from the resident registry
(a household = its place and household number) or typed in; the village surveys its own households,
the town or county verifies them onto the list, or removes them with the reason."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from yingji.aid import labels, programmes
from yingji.aid.access import check_step, id_parts, village_of
from yingji.aid.codes import ProgrammeState, RecipientState
from yingji.aid.models import AidProgramme, AidRecipient
from yingji.aid.schemas import RecipientIn, RecipientPatch, VerifyIn
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.org import places
from yingji.residents.models import Resident

SURVEY_STATES = (ProgrammeState.SURVEY.value, ProgrammeState.LISTING.value)


class NotNow(Conflict):
    code = "aid_not_now"
    message = "The programme is at “{state}”: this cannot be done now."


class AlreadyListed(Conflict):
    code = "household_listed"
    message = "This household is already on the programme's list."


class BadRecipientMove(Conflict):
    code = "bad_recipient_move"
    message = "This household is “{state}”: this cannot be done now."


def _open(programme: AidProgramme, states=SURVEY_STATES) -> None:
    if programme.state not in states:
        raise NotNow(state=labels.label(labels.STATE_LABELS, programme.state))


def _check_codes(family_type, pay_form, needs) -> None:
    if family_type is not None and family_type not in labels.family_types():
        raise ValidationFailed.on("family_type", N_("Not a known family type."))
    if pay_form is not None and pay_form not in labels.pay_forms():
        raise ValidationFailed.on("pay_form", N_("Not a known pay form."))
    if needs is not None and any(k not in labels.need_categories() for k in needs):
        raise ValidationFailed.on("needs", N_("Not a known need category."))


def get(session: Session, principal: Principal, recipient_id: int) -> AidRecipient:
    return visible(principal, session.get(AidRecipient, recipient_id))


def add(session: Session, principal: Principal, programme_id: int, data: RecipientIn) -> AidRecipient:
    """A household surveyed (its needs, family type, people in need) by its village or above."""
    programme = programmes.get(session, principal, programme_id)
    _open(programme)
    _check_codes(data.family_type, data.pay_form, data.needs)
    values = _from_resident(session, principal, data.resident_id) if data.resident_id else _typed(data)
    code = values["jurisdiction_code"]
    if not code.startswith(programme.jurisdiction_code) or len(code) < 12:
        raise ValidationFailed.on(
            "jurisdiction_code", N_("The household is not in a village of this programme.")
        )
    check_step(principal, code, "village")
    taken = select(AidRecipient.id).where(AidRecipient.programme_id == programme.id)
    if session.scalar(
        taken.where(AidRecipient.jurisdiction_code == code, AidRecipient.household == values["household"])
    ) or (
        values["head_id_hash"]
        and session.scalar(taken.where(AidRecipient.head_id_hash == values["head_id_hash"]))
    ):
        raise AlreadyListed()
    if data.family_size is not None:
        values["family_size"] = data.family_size
    if data.people_in_need > values["family_size"]:
        raise ValidationFailed.on("people_in_need", N_("More people in need than the family has."))
    values["head_phone"] = data.head_phone or values.get("head_phone")
    recipient = AidRecipient(
        programme_id=programme.id,
        **values,
        family_type=data.family_type,
        people_in_need=data.people_in_need,
        needs=dict(data.needs),
        planned_yuan=data.planned_yuan,
        pay_form=data.pay_form,
        state=RecipientState.SURVEYED.value,
        surveyed_at=clock.now(),
        surveyed_by=principal.user_id,
        paid_yuan=0,
        goods_yuan=0,
    )
    if data.address:
        recipient.address = data.address
    session.add(recipient)
    session.flush()
    return recipient


def _from_resident(session: Session, principal: Principal, resident_id: int) -> dict:
    resident = visible(principal, session.get(Resident, resident_id))
    members = session.scalars(
        select(Resident).where(
            Resident.jurisdiction_code == resident.jurisdiction_code,
            Resident.household == resident.household,
            Resident.active.is_(True),
        )
    ).all()
    return {
        "jurisdiction_code": resident.jurisdiction_code,
        "household": resident.household,
        "head_name": resident.name,
        "head_id_hash": resident.id_hash,
        "head_id_tail": resident.id_tail,
        "head_phone": resident.mobile,
        "family_size": max(1, len(members)),
        "address": resident.address,
    }


def _typed(data: RecipientIn) -> dict:
    digest, tail = id_parts(data.id_number)
    return {
        "jurisdiction_code": data.jurisdiction_code,
        # typed-in households without a number are keyed by the head's name (as the registry does)
        "household": data.household or data.head_name,
        "head_name": data.head_name,
        "head_id_hash": digest,
        "head_id_tail": tail,
        "family_size": data.family_size or data.people_in_need,
        "address": data.address,
    }


def update_(session: Session, principal: Principal, recipient_id: int, patch: RecipientPatch) -> AidRecipient:
    recipient = get(session, principal, recipient_id)
    programme = session.get(AidProgramme, recipient.programme_id)
    _open(programme)
    check_step(principal, recipient.jurisdiction_code, "village")
    correct(recipient, patch)
    session.flush()
    return recipient


def correct(recipient: AidRecipient, patch: RecipientPatch) -> None:
    changes = patch.model_dump(exclude_unset=True)
    _check_codes(changes.get("family_type"), changes.get("pay_form"), changes.get("needs"))
    apply_changes(recipient, changes)
    if recipient.people_in_need > recipient.family_size:
        raise ValidationFailed.on("people_in_need", N_("More people in need than the family has."))


def verify(session: Session, principal: Principal, programme_id: int, data: VerifyIn) -> int:
    """Surveyed households onto the list (by the town or county), one by one or a whole village."""
    programme = programmes.get(session, principal, programme_id)
    _open(programme)
    q = select(AidRecipient).where(
        AidRecipient.programme_id == programme.id,
        AidRecipient.state == RecipientState.SURVEYED.value,
        in_scope(AidRecipient.jurisdiction_code, principal),
    )
    if data.recipient_ids:
        q = q.where(AidRecipient.id.in_(data.recipient_ids))
    elif data.village:
        q = q.where(village_of(AidRecipient.jurisdiction_code) == data.village)
    else:
        raise ValidationFailed.on("recipient_ids", N_("Name the households or the village to verify."))
    rows = list(session.scalars(q))
    for r in rows:
        check_step(principal, r.jurisdiction_code, "town")
        r.state = RecipientState.LISTED.value
    session.flush()
    return len(rows)


def remove(session: Session, principal: Principal, recipient_id: int, reason: str) -> AidRecipient:
    """Off the list, with the reason (kept on the row and in the audit log)."""
    recipient = get(session, principal, recipient_id)
    programme = session.get(AidProgramme, recipient.programme_id)
    _open(programme, (*SURVEY_STATES, ProgrammeState.NOTICE.value))
    writable(principal, recipient.jurisdiction_code, Perm.AID_MANAGE)
    if recipient.state in (RecipientState.REMOVED.value, RecipientState.PAID.value):
        raise BadRecipientMove(state=labels.label(labels.RECIPIENT_LABELS, recipient.state))
    recipient.state = RecipientState.REMOVED.value
    recipient.reason = reason
    session.flush()
    return recipient


def search(
    session: Session,
    principal: Principal,
    programme_id: int,
    *,
    village: str | None = None,
    state: str | None = None,
    q: str = "",
    limit: int = 2000,
) -> list[AidRecipient]:
    programme = programmes.get(session, principal, programme_id)
    stmt = select(AidRecipient).where(
        AidRecipient.programme_id == programme.id, in_scope(AidRecipient.jurisdiction_code, principal)
    )
    if village:
        visible(principal, programme, village)
        stmt = stmt.where(village_of(AidRecipient.jurisdiction_code) == village)
    if state:
        stmt = stmt.where(AidRecipient.state == state)
    if q:
        stmt = stmt.where(AidRecipient.head_name.contains(q))
    return list(session.scalars(stmt.order_by(AidRecipient.jurisdiction_code, AidRecipient.id).limit(limit)))


def outs(session: Session, principal: Principal, rows: list[AidRecipient]) -> list[dict]:
    from yingji.auth.scope import mask_phone

    names = places.names(session, {r.jurisdiction_code[:12] for r in rows})
    needs, families, forms = labels.need_categories(), labels.family_types(), labels.pay_forms()
    return [
        {
            "id": r.id,
            "programme_id": r.programme_id,
            "jurisdiction_code": r.jurisdiction_code,
            "village_name": names.get(r.jurisdiction_code[:12]),
            "household": r.household,
            "head_name": r.head_name,
            "head_id_tail": r.head_id_tail,
            "head_phone": mask_phone(r.head_phone, principal),
            "family_type": r.family_type,
            "family_type_label": families.get(r.family_type or "", r.family_type or ""),
            "family_size": r.family_size,
            "address": r.address,
            "people_in_need": r.people_in_need,
            "needs": r.needs or {},
            "needs_label": "、".join(needs.get(k, k) for k in (r.needs or {})),
            "planned_yuan": r.planned_yuan,
            "paid_yuan": r.paid_yuan,
            "goods_yuan": r.goods_yuan,
            "pay_form": r.pay_form,
            "pay_form_label": forms.get(r.pay_form or "", r.pay_form or ""),
            "state": r.state,
            "state_label": labels.label(labels.RECIPIENT_LABELS, r.state),
            "reason": r.reason,
        }
        for r in rows
    ]


def village_households(
    session: Session, principal: Principal, programme: AidProgramme, village: str
) -> list[dict]:
    """The village's households from the resident registry (for the phone survey), each with whether
    it is on the programme already."""
    visible(principal, programme, village)
    rows = session.execute(
        select(
            Resident.jurisdiction_code,
            Resident.household,
            func.min(Resident.id).label("resident_id"),
            func.min(Resident.name).label("name"),
            func.count().label("members"),
        )
        .where(Resident.village_code == village, Resident.active.is_(True))
        .group_by(Resident.jurisdiction_code, Resident.household)
        .order_by(Resident.jurisdiction_code, Resident.household)
        .limit(1000)
    ).all()
    taken = {
        (c, h): s
        for c, h, s in session.execute(
            select(AidRecipient.jurisdiction_code, AidRecipient.household, AidRecipient.state).where(
                AidRecipient.programme_id == programme.id,
                village_of(AidRecipient.jurisdiction_code) == village,
            )
        )
    }
    return [
        {
            "jurisdiction_code": x.jurisdiction_code,
            "household": x.household,
            "resident_id": x.resident_id,
            "name": x.name,
            "members": x.members,
            "state": taken.get((x.jurisdiction_code, x.household)),
            "state_label": labels.label(
                labels.RECIPIENT_LABELS, taken.get((x.jurisdiction_code, x.household))
            ),
        }
        for x in rows
    ]


def mark_paid(session: Session, recipient_id: int) -> None:
    """Approved → paid once what was handed out reaches the plan (one UPDATE with the check)."""
    r = AidRecipient
    session.execute(
        update(r)
        .where(
            r.id == recipient_id,
            r.state == RecipientState.APPROVED.value,
            r.planned_yuan.is_not(None),
            r.paid_yuan + r.goods_yuan >= r.planned_yuan - 0.005,
        )
        .values(state=RecipientState.PAID.value)
        .execution_options(synchronize_session=False)
    )
