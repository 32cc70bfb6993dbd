"""The officers' side of tip-offs: who may read them, the list, one tip-off, and the sealed contact.

The contact is never part of a list, an answer, an export or an audit snapshot; only a REWARD_APPROVE
holder whose jurisdiction covers the tip-off opens it (``contact``), and the opening is audited
(who, which tip-off — not what it said)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.auth.security import note_refusal
from yingji.core.errors import Forbidden
from yingji.core.pagination import Page, paginate
from yingji.org.models import Jurisdiction
from yingji.ownership import out as owners_out
from yingji.ownership import taking
from yingji.risk.tipoffs import sealed
from yingji.risk.tipoffs.codes import (
    GRADE_LABELS,
    KIND_LABELS,
    OWNER_KIND,
    PAY_LABELS,
    REWARD_LABELS,
    STATE_LABELS,
    VERDICT_LABELS,
)
from yingji.risk.tipoffs.models import Tipoff

READERS = (Perm.DANGER_MANAGE, Perm.REWARD_APPROVE, Perm.ASSESS_MANAGE)


def may_read(principal: Principal) -> bool:
    return any(principal.can(p) for p in READERS)


def require_reader(principal: Principal) -> None:
    if not may_read(principal):
        note_refusal(principal, "forbidden", 403, note="perm:tipoffs")
        raise Forbidden()


def get(session: Session, principal: Principal, tipoff_id: int) -> Tipoff:
    require_reader(principal)
    return visible(principal, session.get(Tipoff, tipoff_id))


def search(
    session: Session,
    principal: Principal,
    *,
    kind: str | None = None,
    state: str | None = None,
    reward_state: str | None = None,
    month: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page:
    require_reader(principal)
    stmt = select(Tipoff).where(in_scope(Tipoff.jurisdiction_code, principal))
    if kind:
        stmt = stmt.where(Tipoff.kind == kind)
    if state:
        stmt = stmt.where(Tipoff.state == state)
    if reward_state:
        stmt = stmt.where(Tipoff.reward_state == reward_state)
    if month:
        stmt = stmt.where(Tipoff.received_month == month)
    return paginate(session, stmt.order_by(Tipoff.received_at.desc(), Tipoff.id.desc()), page, size)


def may_see_contact(principal: Principal, row: Tipoff) -> bool:
    return principal.can(Perm.REWARD_APPROVE) and principal.covers(row.jurisdiction_code)


def contact(
    session: Session, principal: Principal, tipoff_id: int, secret: str | None = None, db=None
) -> dict:
    """The reporter's name and phone, for paying the reward: REWARD_APPROVE of the place only. From a
    GET (a read session never commits) pass ``db``: the opening is recorded in its own transaction."""
    row = get(session, principal, tipoff_id)
    writable(principal, row.jurisdiction_code, Perm.REWARD_APPROVE)
    opened = sealed.unseal(row.contact_sealed, secret) or {}

    def _record(target: Session) -> None:
        audit.record(
            target,
            "open_contact",
            "risk_tipoffs",
            row.id,
            jurisdiction_code=row.jurisdiction_code,
            note="reporter contact opened for the reward",
        )

    if db is None:
        _record(session)
    else:
        with db.writing(principal.as_actor()) as own:
            _record(own)
    return {"id": row.id, "name": opened.get("name"), "phone": opened.get("phone")}


def outs(session: Session, rows: list[Tipoff]) -> list[dict]:
    codes = {r.jurisdiction_code for r in rows}
    names = (
        dict(
            session.execute(
                select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.code.in_(codes))
            ).all()
        )
        if codes
        else {}
    )
    owned = taking.owners_of(session, OWNER_KIND, [r.id for r in rows])
    return [out(r, names.get(r.jurisdiction_code), (owned.get(r.id) or [None])[0]) for r in rows]


def out(r: Tipoff, place: str | None = None, owner=None) -> dict:
    """What officers see of a tip-off: everything but the reporter (``has_contact`` only), and who
    took it in and owns it (首接负责制)."""
    return {
        "owner": owners_out.owner(owner),
        "id": r.id,
        "ref": r.public_ref,
        "kind": r.kind,
        "kind_label": KIND_LABELS.get(r.kind, r.kind),
        "title": r.title,
        "details": r.details,
        "location": r.location,
        "unit_named": r.unit_named,
        "jurisdiction_code": r.jurisdiction_code,
        "jurisdiction_name": place,
        "danger_id": r.danger_id,
        "state": r.state,
        "state_label": STATE_LABELS.get(r.state, r.state),
        "received_at": r.received_at,
        "has_contact": r.has_contact,
        "verdict": r.verdict,
        "verdict_label": VERDICT_LABELS.get(r.verdict) if r.verdict else None,
        "verified_by_name": r.verified_by_name,
        "verified_by_user_id": r.verified_by_user_id,
        "verified_at": r.verified_at,
        "verification_note": r.verification_note,
        "evidence": r.evidence,
        "penalty_cny": r.penalty_cny,
        "concealed_deaths": r.concealed_deaths,
        "accident_grade": r.accident_grade,
        "accident_grade_label": GRADE_LABELS.get(r.accident_grade) if r.accident_grade else None,
        "reward_state": r.reward_state,
        "reward_state_label": REWARD_LABELS.get(r.reward_state, r.reward_state),
        "reward_cny": r.reward_cny,
        "reward_basis": r.reward_basis,
        "approved_by_name": r.approved_by_name,
        "approved_at": r.approved_at,
        "refusal_reason": r.refusal_reason,
        "paid_cny": r.paid_cny,
        "paid_on": r.paid_on,
        "pay_method": r.pay_method,
        "pay_method_label": PAY_LABELS.get(r.pay_method) if r.pay_method else None,
        "pay_receipt": r.pay_receipt,
    }
