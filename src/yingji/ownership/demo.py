"""Demo ownership (首接负责制): the officers who received the demo's incidents at their level own them
there, the verifier of a demo tip-off owns it, and each city and county duty desk has a few calls of
the day answered by its duty officer (one handed to the commander where the city has one)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from yingji.auth.models import User
from yingji.auth.roles import Perm, permissions_of
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.duty import calls
from yingji.duty.schemas import CallIn
from yingji.incidents.models import IncidentReceipt
from yingji.ownership.codes import TakenHow
from yingji.ownership.models import Owned
from yingji.risk.tipoffs.models import Tipoff

CALLS = (
    ("李大爷", "13800000001", "村口河沟水位上涨很快,请派人看看", "pending", None),
    ("王女士", "13800000002", "咨询地质灾害避险转移的集合点", "advised", None),
    ("赵师傅", "13800000003", "反映某加油站夜间违规卸油", "transferred", "区市场监督管理局"),
)


def build(db: Database, data, options, progress) -> None:
    rows = []
    with db.writing(Actor.system("demo")) as session:
        users = {u.id: u for u in session.scalars(select(User).where(User.active).order_by(User.id))}
        # the demo's receipts name no officer: each level's desk (its first duty room user) took them in
        desk: dict[str, User] = {}
        for u in users.values():
            if Perm.INCIDENT_MANAGE not in permissions_of(u.role):
                continue
            first = desk.get(u.jurisdiction_code)
            if first is None or (u.role == "duty_officer" and first.role != "duty_officer"):
                desk[u.jurisdiction_code] = u
        for r in session.scalars(select(IncidentReceipt).where(IncidentReceipt.how != "forwarded")):
            user = users.get(r.by_user_id) if r.by_user_id else desk.get(r.level_code)
            if user is None or user.jurisdiction_code != r.level_code:
                continue  # a reporter of a level below is no receiver here
            how = TakenHow.DESK if r.how in ("submitted", "own") else TakenHow.ACCEPTED
            rows.append(
                _owned("incident", r.incident_id, r.jurisdiction_code, r.level_code, user, how, r.received_at)
            )
        for t in session.scalars(select(Tipoff).where(Tipoff.state != "received")):
            code = t.jurisdiction_code
            user = users.get(t.verified_by_user_id) if t.verified_by_user_id else None
            while user is None and code:
                candidate = desk.get(code)
                user = (
                    candidate if candidate and Perm.DANGER_MANAGE in permissions_of(candidate.role) else None
                )
                code = code[:-3] if len(code) > 6 else code[:-2]
            if user is not None:
                at = t.verified_at or t.received_at
                rows.append(
                    _owned(
                        "tipoff", t.id, t.jurisdiction_code, t.jurisdiction_code, user, TakenHow.CLAIMED, at
                    )
                )
        held = {tuple(r) for r in session.execute(select(Owned.kind, Owned.item_id, Owned.holder_code))}
        rows = [r for r in rows if (r.kind, r.item_id, r.holder_code) not in held]  # a rebuilt demo
        session.add_all(rows)
        session.flush()
        duty = [u for u in users.values() if u.role == "duty_officer" and len(u.jurisdiction_code) <= 6]
        now = clock.now()
        for user in duty:
            principal = Principal.of(user)
            for i, (name, phone, summary, outcome, to) in enumerate(CALLS):
                data_in = CallIn(
                    received_at=now - timedelta(hours=3 - i),
                    caller_name=name,
                    caller_phone=phone,
                    summary=summary,
                    outcome=outcome,
                    transferred_to=to,
                    client_key=f"demo-call-{user.id}-{i}",
                )
                calls.record(session, principal, data_in)
    progress("ownership", len(rows), len(rows))


def _owned(kind, item_id, place, holder, user, how, at) -> Owned:
    return Owned(
        kind=kind,
        item_id=item_id,
        jurisdiction_code=place,
        holder_code=holder,
        first_user_id=user.id,
        first_name=user.display_name,
        first_at=at,
        first_how=how.value,
        owner_user_id=user.id,
        owner_name=user.display_name,
        owner_since=at,
    )
