"""Sessions (培训班次) and their participants: the training file of 安全生产法 第二十八条 (时间, 内容,
参加人员, 考核结果).

A participant comes from a registry (org people and grid workers, team members, an enterprise's head
or safety manager, a 灾害信息员) or is an outsider by name. Signing in is idempotent twice over: a
repeated ``client_key`` returns the row it made, and the same person twice in a session is the same
row (``ref_key`` unique per session), so a phone that retries or two organisers signing the same
person in never count a person-time twice. The first sign-in marks a planned session held (a guarded
UPDATE: the state moves once however many sign in at the same time)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, mask_phone, visible, writable
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.damage.models import DisasterOfficer
from yingji.forces.models import Team, TeamMember
from yingji.org import places
from yingji.org.models import GridAssignment, Person, Unit
from yingji.risk.models import Enterprise
from yingji.training import courses, labels
from yingji.training.codes import SESSION_MOVES, ParticipantKind, Result, Role, SessionState, Via
from yingji.training.models import TrainingParticipant, TrainingSession
from yingji.training.schemas import AssessIn, ParticipantIn, PhoneSignIn, SessionIn

_bad = ValidationFailed.on
ENTERPRISE_ROLES = (Role.ENTERPRISE_HEAD, Role.SAFETY_MANAGER)


# -- sessions -----------------------------------------------------------------------------------
def search(
    session: Session,
    principal: Principal,
    *,
    year: int | None = None,
    within: str | None = None,
    course_id: int | None = None,
    state: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[TrainingSession]:
    stmt = select(TrainingSession).where(in_scope(TrainingSession.jurisdiction_code, principal))
    stmt = places.narrow(session, principal, stmt, TrainingSession.jurisdiction_code, within)
    if year:
        stmt = stmt.where(
            TrainingSession.starts_on >= date(year, 1, 1), TrainingSession.starts_on <= date(year, 12, 31)
        )
    if course_id:
        stmt = stmt.where(TrainingSession.course_id == course_id)
    if state:
        stmt = stmt.where(TrainingSession.state == state)
    return paginate(
        session, stmt.order_by(TrainingSession.starts_on.desc(), TrainingSession.id.desc()), page, size
    )


def get(session: Session, principal: Principal, session_id: int) -> TrainingSession:
    return visible(principal, session.get(TrainingSession, session_id))


def create(session: Session, principal: Principal, data: SessionIn) -> TrainingSession:
    code = data.jurisdiction_code or principal.jurisdiction_code
    writable(principal, code, Perm.TRAINING_MANAGE)
    places.get(session, principal, code)
    try:
        course = courses.get(session, principal, data.course_id)
    except NotFound:
        raise _bad("course_id", N_("Choose a course of your place or of a place above it.")) from None
    if not course.active:
        raise _bad("course_id", N_("This course is no longer offered."))
    if data.organiser_unit_id is not None:
        unit = session.get(Unit, data.organiser_unit_id)
        if unit is None or not principal.covers(unit.jurisdiction_code):
            raise _bad("organiser_unit_id", N_("Choose an organising unit of your jurisdiction."))
    values = data.model_dump(exclude={"jurisdiction_code", "mode", "ends_on", "hours", "title"})
    row = TrainingSession(
        **values,
        title=data.title or course.title,
        mode=data.mode.value if data.mode else course.mode,
        ends_on=data.ends_on or data.starts_on,
        hours=course.hours if data.hours is None else data.hours,
        jurisdiction_code=code,
        state=SessionState.PLANNED.value,
    )
    session.add(row)
    session.flush()
    return row


def for_update(session: Session, principal: Principal, session_id: int) -> TrainingSession:
    row = get(session, principal, session_id)
    writable(principal, row.jurisdiction_code, Perm.TRAINING_MANAGE)
    return row


def move(session: Session, principal: Principal, session_id: int, to: SessionState) -> TrainingSession:
    row = for_update(session, principal, session_id)
    if to not in SESSION_MOVES[SessionState(row.state)]:
        raise Conflict("A {state} session cannot become {to}.", state=row.state, to=to.value)
    if to is SessionState.HELD and row.starts_on > clock.now().date():
        raise Conflict("The session has not started yet.")
    done = session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == row.id, TrainingSession.state == row.state)
        .values(state=to.value, updated_at=clock.now())
    ).rowcount
    if not done:
        raise Conflict("The session was changed meanwhile; reload it.")
    session.refresh(row)
    return row


def counts(session: Session, ids: list[int]) -> dict[int, tuple[int, int]]:
    if not ids:
        return {}
    rows = session.execute(
        select(
            TrainingParticipant.session_id,
            func.count(),
            func.count().filter(TrainingParticipant.result == Result.PASSED.value),
        )
        .where(TrainingParticipant.session_id.in_(ids))
        .group_by(TrainingParticipant.session_id)
    ).all()
    return {sid: (n, p) for sid, n, p in rows}


def outs(session: Session, rows: list[TrainingSession]) -> list[dict]:
    from yingji.training.models import TrainingCourse

    n = counts(session, [r.id for r in rows])
    titles = dict(
        session.execute(
            select(TrainingCourse.id, TrainingCourse.title).where(
                TrainingCourse.id.in_({r.course_id for r in rows})
            )
        ).all()
    )
    names = places.names(session, [r.jurisdiction_code for r in rows])
    out = []
    for r in rows:
        total, passed = n.get(r.id, (0, 0))
        out.append(
            {
                "id": r.id,
                "course_id": r.course_id,
                "course_title": titles.get(r.course_id, ""),
                "title": r.title,
                "mode": r.mode,
                "mode_label": labels.label(labels.MODE, r.mode),
                "starts_on": r.starts_on,
                "ends_on": r.ends_on,
                "place": r.place,
                "organiser_unit_id": r.organiser_unit_id,
                "organiser": r.organiser,
                "jurisdiction_code": r.jurisdiction_code,
                "jurisdiction_name": names.get(r.jurisdiction_code),
                "teacher": r.teacher,
                "hours": r.hours,
                "materials": r.materials,
                "state": r.state,
                "state_label": labels.label(labels.STATE, r.state),
                "drill_id": r.drill_id,
                "note": r.note,
                "participants": total,
                "passed": passed,
            }
        )
    return out


# -- participants -------------------------------------------------------------------------------
def _may_sign_in(row: TrainingSession) -> None:
    if row.state == SessionState.CANCELLED.value:
        raise Conflict("The session is cancelled.")
    if row.starts_on > clock.now().date():
        raise Conflict("The session has not started yet.")


def _mark_held(session: Session, row: TrainingSession) -> None:
    session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == row.id, TrainingSession.state == SessionState.PLANNED.value)
        .values(state=SessionState.HELD.value, updated_at=clock.now())
    )


def resolve(session: Session, principal: Principal, row: TrainingSession, data: ParticipantIn) -> dict:
    """The participant's columns from the registry row named (who, where they belong, which role)."""
    kind = ParticipantKind(data.kind)
    out = {
        "kind": kind.value,
        "person_id": None,
        "member_id": None,
        "enterprise_id": None,
        "officer_id": None,
    }

    def seen(code: str, field: str) -> None:
        # a registry entry of the principal's area or of the session's place
        if not (principal.covers(code) or code.startswith(row.jurisdiction_code)):
            raise _bad(field, N_("Choose someone of your jurisdiction."))

    role = data.role
    if kind is ParticipantKind.PERSON:
        p = session.get(Person, data.person_id) if data.person_id else None
        if p is None:
            raise _bad("person_id", N_("Choose the person from the registry."))
        seen(p.jurisdiction_code, "person_id")
        grid = session.scalar(select(GridAssignment.id).where(GridAssignment.person_id == p.id).limit(1))
        out |= {"person_id": p.id, "name": p.name, "mobile": p.mobile, "home_code": p.jurisdiction_code}
        out["ref_key"] = f"p:{p.id}"
        role = role or (Role.GRID_WORKER if grid else Role.OTHER)
    elif kind is ParticipantKind.MEMBER:
        m = session.get(TeamMember, data.member_id) if data.member_id else None
        if m is None:
            raise _bad("member_id", N_("Choose the team member from the registry."))
        seen(m.jurisdiction_code, "member_id")
        team = session.get(Team, m.team_id)
        out |= {"member_id": m.id, "person_id": m.person_id, "name": m.name, "mobile": m.mobile}
        out |= {"home_code": m.jurisdiction_code, "unit_name": team.name if team else None}
        out["ref_key"] = f"p:{m.person_id}" if m.person_id else f"m:{m.id}"
        role = role or Role.TEAM_MEMBER
    elif kind is ParticipantKind.ENTERPRISE:
        e = session.get(Enterprise, data.enterprise_id) if data.enterprise_id else None
        if e is None:
            raise _bad("enterprise_id", N_("Choose the enterprise from the registry."))
        seen(e.jurisdiction_code, "enterprise_id")
        if role not in ENTERPRISE_ROLES:
            raise _bad("role", N_("Say whether the principal head or the safety manager attends."))
        name = e.principal_name if role is Role.ENTERPRISE_HEAD else e.safety_manager_name
        name = data.name or name
        if not name:
            raise _bad("name", N_("Give the participant's name."))
        out |= {
            "enterprise_id": e.id,
            "name": name,
            "home_code": e.jurisdiction_code,
            "unit_name": e.name[:200],
        }
        out["mobile"] = data.mobile or (
            e.principal_phone if role is Role.ENTERPRISE_HEAD else e.safety_manager_phone
        )
        out["ref_key"] = f"e:{e.id}:{role.value}"
    elif kind is ParticipantKind.OFFICER:
        o = session.get(DisasterOfficer, data.officer_id) if data.officer_id else None
        if o is None:
            raise _bad("officer_id", N_("Choose the officer from the register."))
        seen(o.jurisdiction_code, "officer_id")
        out |= {"officer_id": o.id, "person_id": o.person_id, "name": o.name, "mobile": o.mobile}
        out |= {"home_code": o.jurisdiction_code, "unit_name": o.position}
        out["ref_key"] = f"p:{o.person_id}" if o.person_id else f"o:{o.id}"
        role = role or Role.INFO_OFFICER
    else:
        if not data.name:
            raise _bad("name", N_("Give the participant's name."))
        out |= {"name": data.name, "mobile": data.mobile, "home_code": row.jurisdiction_code}
        out["ref_key"] = f"x:{data.name}|{data.mobile or ''}"[:120]
        role = role or Role.OTHER
    if role in ENTERPRISE_ROLES and kind is not ParticipantKind.ENTERPRISE:
        raise _bad(
            "role", N_("Enterprise heads and safety managers are signed in from the enterprise registry.")
        )
    out["role"] = Role(role).value
    out["mobile"] = (out.get("mobile") or None) and str(out["mobile"])[:20]
    if data.unit_name:
        out["unit_name"] = data.unit_name
    return out


def sign_in(
    session: Session, principal: Principal, session_id: int, data: ParticipantIn, via: Via = Via.DESK
) -> tuple[TrainingParticipant, bool]:
    """Sign a participant in; ``(row, created)``. Repeats (same client key, same person) return the
    row already there."""
    row = for_update(session, principal, session_id)
    if data.client_key:
        found = session.scalar(
            select(TrainingParticipant).where(TrainingParticipant.client_key == data.client_key)
        )
        if found is not None:
            if found.session_id != row.id:
                raise Conflict("This client key was used for another sign-in.")
            return found, False
    _may_sign_in(row)
    values = resolve(session, principal, row, data)
    found = session.scalar(
        select(TrainingParticipant).where(
            TrainingParticipant.session_id == row.id, TrainingParticipant.ref_key == values["ref_key"]
        )
    )
    if found is not None:
        return found, False
    hours = row.hours if data.hours is None else data.hours
    if hours > row.hours and row.hours > 0:
        raise _bad("hours", N_("A participant cannot have more hours than the session."))
    part = TrainingParticipant(
        session_id=row.id,
        jurisdiction_code=row.jurisdiction_code,
        year=row.starts_on.year,
        held_on=row.starts_on,
        hours=hours,
        result=data.result.value,
        score=data.score,
        via=via.value,
        client_key=data.client_key,
        signed_in_by=principal.user_id,
        signed_in_at=clock.now(),
        **values,
    )
    try:
        with session.begin_nested():
            session.add(part)
            session.flush()
    except IntegrityError:
        # signed in at the same moment by someone else: theirs stands
        found = session.scalar(
            select(TrainingParticipant).where(
                TrainingParticipant.session_id == row.id, TrainingParticipant.ref_key == values["ref_key"]
            )
        )
        if found is None:
            raise Conflict("This client key was used for another sign-in.") from None
        return found, False
    _mark_held(session, row)
    return part, True


def phone_sign_in(
    session: Session, principal: Principal, session_id: int, data: PhoneSignIn
) -> tuple[TrainingParticipant, bool]:
    """The phone page: a mobile number finds the person (people, then team members), else the
    outsider with the name given."""
    person = session.scalar(select(Person).where(Person.mobile == data.mobile))
    common = {"client_key": data.client_key, "unit_name": data.unit_name}
    if person is not None:
        inp = ParticipantIn(kind=ParticipantKind.PERSON, person_id=person.id, role=data.role, **common)
    else:
        member = session.scalar(select(TeamMember).where(TeamMember.mobile == data.mobile).limit(1))
        if member is not None:
            inp = ParticipantIn(kind=ParticipantKind.MEMBER, member_id=member.id, role=data.role, **common)
        else:
            inp = ParticipantIn(
                kind=ParticipantKind.OUTSIDER, name=data.name, mobile=data.mobile, role=data.role, **common
            )
    return sign_in(session, principal, session_id, inp, Via.PHONE)


def participants(session: Session, principal: Principal, session_id: int, page: int = 1, size: int = 200):
    row = get(session, principal, session_id)
    stmt = (
        select(TrainingParticipant)
        .where(TrainingParticipant.session_id == row.id)
        .order_by(TrainingParticipant.id)
    )
    return paginate(session, stmt, page, size)


def _participant(session: Session, principal: Principal, session_id: int, participant_id: int):
    row = for_update(session, principal, session_id)
    part = session.get(TrainingParticipant, participant_id)
    if part is None or part.session_id != row.id:
        raise NotFound()
    return row, part


def assess(
    session: Session, principal: Principal, session_id: int, participant_id: int, data: AssessIn
) -> TrainingParticipant:
    """Record the 考核结果 (and score, hours) of a participant."""
    row, part = _participant(session, principal, session_id, participant_id)
    if data.hours is not None:
        if row.hours > 0 and data.hours > row.hours:
            raise _bad("hours", N_("A participant cannot have more hours than the session."))
        part.hours = data.hours
    if data.result is not None:
        part.result = data.result.value
    if data.score is not None:
        part.score = data.score
    session.flush()
    return part


def remove(session: Session, principal: Principal, session_id: int, participant_id: int) -> None:
    _row, part = _participant(session, principal, session_id, participant_id)
    session.delete(part)
    session.flush()


def participant_out(part: TrainingParticipant, principal: Principal, created: bool = False) -> dict:
    return {
        "id": part.id,
        "session_id": part.session_id,
        "kind": part.kind,
        "kind_label": labels.label(labels.KIND, part.kind),
        "role": part.role,
        "role_label": labels.label(labels.ROLE, part.role),
        "name": part.name,
        "mobile": mask_phone(part.mobile, principal),
        "unit_name": part.unit_name,
        "home_code": part.home_code,
        "person_id": part.person_id,
        "member_id": part.member_id,
        "enterprise_id": part.enterprise_id,
        "officer_id": part.officer_id,
        "hours": part.hours,
        "result": part.result,
        "result_label": labels.label(labels.RESULT, part.result),
        "score": part.score,
        "via": part.via,
        "signed_in_at": part.signed_in_at,
        "created": created,
    }
