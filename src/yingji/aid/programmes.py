"""Aid programmes (救助工作): created in a county or town by its managers, moved along
``codes.PROGRAMME_MOVES`` (any other move is a 409); the winter–spring round carries its survey
deadline from the rules (条例 第二十一条: by the end of October) and shows when it is overdue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from yingji.aid import labels
from yingji.aid.access import WrongLevel, at_level, village_of
from yingji.aid.codes import PROGRAMME_MOVES, ProgrammeKind, ProgrammeState, RecipientState
from yingji.aid.models import AidNotice, AidProgramme, AidRecipient
from yingji.aid.schemas import ProgrammeIn, ProgrammePatch
from yingji.auth import audit
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.models import apply_changes
from yingji.org import codes as division_codes
from yingji.org import places
from yingji.org.models import Jurisdiction


class BadMove(Conflict):
    code = "bad_move"
    message = "This programme cannot move from {from_} to {to}."


class NoticeRunning(Conflict):
    code = "notice_running"
    message = "The public notice runs until {until}; give an override note to go on before it ends."


class ObjectionsOpen(Conflict):
    code = "objections_open"
    message = "{count} objections are not answered yet."


class NothingListed(Conflict):
    code = "nothing_listed"
    message = "No household is listed yet."


def today():
    return clock.to_local(clock.now()).date()


def get(session: Session, principal: Principal, programme_id: int) -> AidProgramme:
    """A programme of one's area or of a place above it (a village works in its county's programme;
    what it sees inside is still its own households only)."""
    programme = session.get(AidProgramme, programme_id)
    if programme is not None and principal.jurisdiction_code.startswith(programme.jurisdiction_code):
        return programme
    return visible(principal, programme)


def search(
    session: Session, principal: Principal, *, kind: str | None = None, state: str | None = None
) -> list[AidProgramme]:
    above = division_codes.ancestors(principal.jurisdiction_code) if principal.jurisdiction_code else []
    q = select(AidProgramme).where(
        or_(in_scope(AidProgramme.jurisdiction_code, principal), AidProgramme.jurisdiction_code.in_(above))
    )
    if kind:
        q = q.where(AidProgramme.kind == kind)
    if state:
        q = q.where(AidProgramme.state == state)
    return list(session.scalars(q.order_by(AidProgramme.id.desc()).limit(500)))


def create(session: Session, principal: Principal, data: ProgrammeIn) -> AidProgramme:
    writable(principal, data.jurisdiction_code, Perm.AID_MANAGE)
    place = session.get(Jurisdiction, data.jurisdiction_code)
    if place is None or place.level not in ("county", "town"):
        raise ValidationFailed.on("jurisdiction_code", N_("A programme belongs to a county or a town."))
    due = None
    if data.kind == ProgrammeKind.WINTER_SPRING:
        due = labels.survey_due(data.season, today())
    year = (data.season or str(today().year))[:4]
    prefix = f"JZ{place.code}-{year}-"
    n = session.scalar(select(func.count()).where(AidProgramme.code.startswith(prefix))) or 0
    programme = AidProgramme(
        code=f"{prefix}{n + 1:03d}",
        title=data.title,
        kind=data.kind.value,
        jurisdiction_code=place.code,
        season=data.season,
        event_id=data.event_id,
        survey_due=due,
        state=ProgrammeState.SURVEY.value,
        standard_yuan_per_person=data.standard_yuan_per_person,
        budget_yuan=data.budget_yuan,
        note=data.note,
    )
    session.add(programme)
    session.flush()
    return programme


def update_(session: Session, principal: Principal, programme_id: int, patch: ProgrammePatch) -> AidProgramme:
    programme = get(session, principal, programme_id)
    writable(principal, programme.jurisdiction_code, Perm.AID_MANAGE)
    apply_changes(programme, patch.model_dump(exclude_unset=True))
    session.flush()
    return programme


def move(
    session: Session,
    principal: Principal,
    programme_id: int,
    to: ProgrammeState,
    *,
    note: str | None = None,
    override_note: str | None = None,
) -> AidProgramme:
    """One step of the round; what each step needs is checked here (the table says which are allowed)."""
    programme = get(session, principal, programme_id)
    writable(principal, programme.jurisdiction_code, Perm.AID_MANAGE)
    here = ProgrammeState(programme.state)
    if to not in PROGRAMME_MOVES[here]:
        raise BadMove(from_=labels.label(labels.STATE_LABELS, here), to=labels.label(labels.STATE_LABELS, to))
    if to == ProgrammeState.NOTICE:
        _post_notices(session, principal, programme)
    elif to == ProgrammeState.APPROVED:
        _approve(session, principal, programme, override_note)
    elif to == ProgrammeState.CLOSED and not at_level(principal, "county"):
        raise WrongLevel(level=labels.label(labels.LEVEL_LABELS, "county"))
    before = programme.state
    programme.state = to.value
    session.flush()
    audit.record(
        session,
        "move",
        "aid_programmes",
        programme.id,
        jurisdiction_code=programme.jurisdiction_code,
        before={"state": before},
        after={"state": to.value},
        note=note,
    )
    return programme


def _post_notices(session: Session, principal: Principal, programme: AidProgramme) -> None:
    """One notice per village with listed households, for the notice period (a setting)."""
    village = village_of(AidRecipient.jurisdiction_code)
    villages = session.scalars(
        select(village)
        .where(AidRecipient.programme_id == programme.id, AidRecipient.state == RecipientState.LISTED.value)
        .group_by(village)
    ).all()
    if not villages:
        raise NothingListed()
    start = today()
    until = start + timedelta(days=labels.notice_days() - 1)
    for code in villages:
        session.add(
            AidNotice(
                programme_id=programme.id,
                jurisdiction_code=code,
                posted_on=start,
                until=until,
                where="村务公开栏",
                objections=[],
                posted_by=principal.user_id,
            )
        )
    session.flush()


def _approve(session: Session, principal: Principal, programme: AidProgramme, override_note) -> None:
    """The plan approved by the county government (条例 第二十一条): after the notice, with every
    objection answered; the listed households become approved and get their planned amount."""
    if not at_level(principal, "county"):
        raise WrongLevel(level=labels.label(labels.LEVEL_LABELS, "county"))
    objected = session.scalar(
        select(func.count()).where(
            AidRecipient.programme_id == programme.id, AidRecipient.state == RecipientState.OBJECTED.value
        )
    )
    if objected:
        raise ObjectionsOpen(count=objected)
    last = session.scalar(select(func.max(AidNotice.until)).where(AidNotice.programme_id == programme.id))
    if last is not None and last >= today():
        if not override_note:
            raise NoticeRunning(until=last.isoformat())
        audit.record(
            session,
            "override",
            "aid_programmes",
            programme.id,
            jurisdiction_code=programme.jurisdiction_code,
            after={"rule": "notice_period", "until": last.isoformat()},
            note=override_note,
        )
    planned = AidRecipient.planned_yuan
    if programme.standard_yuan_per_person is not None:
        planned = func.coalesce(
            AidRecipient.planned_yuan, AidRecipient.people_in_need * programme.standard_yuan_per_person
        )
    done = session.execute(
        update(AidRecipient)
        .where(AidRecipient.programme_id == programme.id, AidRecipient.state == RecipientState.LISTED.value)
        .values(state=RecipientState.APPROVED.value, planned_yuan=planned)
        .execution_options(synchronize_session=False)
    )
    # one summary row for the bulk change of the list (the listener sees ORM writes only)
    audit.record(
        session,
        "approve",
        "aid_recipients",
        None,
        jurisdiction_code=programme.jurisdiction_code,
        after={"programme_id": programme.id, "approved": done.rowcount},
    )
    programme.approved_at = clock.now()
    programme.approved_by = principal.user_id


# -- reading ----------------------------------------------------------------------------------
def survey_overdue(programme: AidProgramme) -> bool:
    return (
        programme.survey_due is not None
        and programme.state == ProgrammeState.SURVEY.value
        and today() > programme.survey_due
    )


def outs(session: Session, programmes: list[AidProgramme]) -> list[dict]:
    ids = [p.id for p in programmes]
    counts = {}
    if ids:
        counts = {
            r.programme_id: (r.households, r.people or 0)
            for r in session.execute(
                select(
                    AidRecipient.programme_id,
                    func.count().label("households"),
                    func.sum(AidRecipient.people_in_need).label("people"),
                )
                .where(AidRecipient.programme_id.in_(ids), AidRecipient.state != RecipientState.REMOVED.value)
                .group_by(AidRecipient.programme_id)
            )
        }
    names = places.names(session, [p.jurisdiction_code for p in programmes])
    return [
        {
            "id": p.id,
            "code": p.code,
            "title": p.title,
            "kind": p.kind,
            "kind_label": labels.label(labels.KIND_LABELS, p.kind),
            "jurisdiction_code": p.jurisdiction_code,
            "jurisdiction_name": names.get(p.jurisdiction_code),
            "season": p.season,
            "event_id": p.event_id,
            "survey_due": p.survey_due,
            "survey_overdue": survey_overdue(p),
            "state": p.state,
            "state_label": labels.label(labels.STATE_LABELS, p.state),
            "moves": sorted(m.value for m in PROGRAMME_MOVES[ProgrammeState(p.state)]),
            "standard_yuan_per_person": p.standard_yuan_per_person,
            "budget_yuan": p.budget_yuan,
            "approved_at": p.approved_at,
            "note": p.note,
            "households": counts.get(p.id, (0, 0))[0],
            "people_in_need": counts.get(p.id, (0, 0))[1],
        }
        for p in programmes
    ]


def totals(session: Session, principal: Principal, programme: AidProgramme) -> dict:
    """Households, people in need and what was handed out, per village and per town (需救助 / 已救助)."""
    r = AidRecipient
    live = r.state != RecipientState.REMOVED.value
    rows = session.execute(
        select(
            village_of(r.jurisdiction_code).label("village"),
            func.count().label("households"),
            func.sum(r.people_in_need).label("people"),
            func.sum(
                case(
                    (r.state.in_((RecipientState.LISTED, RecipientState.APPROVED, RecipientState.PAID)), 1),
                    else_=0,
                )
            ).label("listed"),
            func.sum(case(((r.paid_yuan + r.goods_yuan) > 0, 1), else_=0)).label("paid_households"),
            func.sum(r.paid_yuan).label("paid"),
            func.sum(r.goods_yuan).label("goods"),
        )
        .where(r.programme_id == programme.id, live, in_scope(r.jurisdiction_code, principal))
        .group_by(village_of(r.jurisdiction_code))
        .order_by(village_of(r.jurisdiction_code))
    ).all()
    villages = [_row(x.village, x) for x in rows]
    towns: dict[str, dict] = {}
    for v in villages:
        t = towns.setdefault(v["code"][:9], _row(v["code"][:9], None))
        _add(t, v)
    total = _row(programme.jurisdiction_code, None)
    for t in towns.values():
        _add(total, t)
    names = places.names(session, [v["code"] for v in villages] + list(towns) + [programme.jurisdiction_code])
    for row in [*villages, *towns.values(), total]:
        row["name"] = names.get(row["code"])
    return {"villages": villages, "towns": list(towns.values()), "total": total}


KEYS = ("households", "people_in_need", "listed", "paid_households", "paid_yuan", "goods_yuan")


def _row(code: str, x) -> dict:
    if x is None:
        return {"code": code, "name": None} | dict.fromkeys(KEYS, 0)
    return {
        "code": code,
        "name": None,
        "households": int(x.households or 0),
        "people_in_need": int(x.people or 0),
        "listed": int(x.listed or 0),
        "paid_households": int(x.paid_households or 0),
        "paid_yuan": round(float(x.paid or 0), 2),
        "goods_yuan": round(float(x.goods or 0), 2),
    }


def _add(into: dict, row: dict) -> None:
    for k in KEYS:
        into[k] = round(into[k] + row[k], 2) if isinstance(into[k], float) else into[k] + row[k]


def progress(session: Session, principal: Principal, programme: AidProgramme) -> list[dict]:
    """The survey's progress by village: households per recipient state."""
    r = AidRecipient
    village = village_of(r.jurisdiction_code)
    rows = session.execute(
        select(village.label("village"), r.state, func.count().label("n"))
        .where(r.programme_id == programme.id, in_scope(r.jurisdiction_code, principal))
        .group_by(village, r.state)
    ).all()
    out: dict[str, dict] = {}
    for x in rows:
        out.setdefault(x.village, {"code": x.village} | {s.value: 0 for s in RecipientState})[x.state] = x.n
    names = places.names(session, list(out))
    for code, row in out.items():
        row["name"] = names.get(code, code)
        row["total"] = sum(row[s.value] for s in RecipientState)
    return sorted(out.values(), key=lambda x: x["code"])
