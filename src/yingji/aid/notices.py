"""Public notices (公示) of a programme's list in each village, and of a rebuilding case in its
natural village (条例 第二十条): from the day posted for the notice period (a setting); objections are
recorded while it runs and answered by the town or county. An upheld objection removes or corrects
the household (audited with the answer); on a rebuilding case it sends the case back to the
village's review."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.aid import labels
from yingji.aid.access import check_step
from yingji.aid.codes import ProgrammeState, RebuildState, RecipientState
from yingji.aid.models import AidNotice, AidProgramme, AidRecipient, RebuildCase
from yingji.aid.schemas import AnswerIn, ObjectionIn
from yingji.auth.scope import Principal, visible
from yingji.core import clock
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_


class NoticeClosed(Conflict):
    code = "notice_closed"
    message = "The public notice is not running (from {posted_on} to {until})."


class AlreadyAnswered(Conflict):
    code = "objection_answered"
    message = "This objection was answered already."


def today():
    return clock.to_local(clock.now()).date()


def is_open(notice: AidNotice) -> bool:
    return notice.posted_on <= today() <= notice.until


def get(session: Session, principal: Principal, notice_id: int) -> AidNotice:
    return visible(principal, session.get(AidNotice, notice_id))


def post_for_case(session: Session, principal: Principal, case: RebuildCase) -> AidNotice:
    start = today()
    notice = AidNotice(
        rebuild_case_id=case.id,
        jurisdiction_code=case.jurisdiction_code[:12],
        posted_on=start,
        until=start + timedelta(days=labels.notice_days() - 1),
        where="自然村公示栏",
        objections=[],
        posted_by=principal.user_id,
    )
    session.add(notice)
    session.flush()
    return notice


def of_programme(session: Session, principal: Principal, programme_id: int) -> list[AidNotice]:
    from yingji.auth.scope import in_scope

    return list(
        session.scalars(
            select(AidNotice)
            .where(AidNotice.programme_id == programme_id, in_scope(AidNotice.jurisdiction_code, principal))
            .order_by(AidNotice.id.desc())
        )
    )


def latest_of_case(session: Session, case_id: int) -> AidNotice | None:
    return session.scalar(
        select(AidNotice).where(AidNotice.rebuild_case_id == case_id).order_by(AidNotice.id.desc()).limit(1)
    )


def unanswered(notice: AidNotice | None) -> int:
    return 0 if notice is None else sum(1 for o in notice.objections or [] if o.get("upheld") is None)


def object_(session: Session, principal: Principal, notice_id: int, data: ObjectionIn) -> AidNotice:
    """An objection raised during the notice, written down by the village or above."""
    notice = get(session, principal, notice_id)
    check_step(principal, notice.jurisdiction_code, "village")
    if not is_open(notice):
        raise NoticeClosed(posted_on=notice.posted_on.isoformat(), until=notice.until.isoformat())
    entry = {"on": clock.now().isoformat(), "by": data.by, "text": data.text, "upheld": None, "answer": None}
    if notice.programme_id is not None:
        programme = session.get(AidProgramme, notice.programme_id)
        if programme.state != ProgrammeState.NOTICE.value:
            raise NoticeClosed(posted_on=notice.posted_on.isoformat(), until=notice.until.isoformat())
        if data.recipient_id is not None:
            recipient = _recipient_of(session, notice, data.recipient_id)
            if recipient.state != RecipientState.LISTED.value:
                raise ValidationFailed.on("recipient_id", N_("This household is not on the notice."))
            recipient.state = RecipientState.OBJECTED.value
            entry["recipient_id"] = recipient.id
            entry["head_name"] = recipient.head_name
    else:
        case = session.get(RebuildCase, notice.rebuild_case_id)
        if case.state != RebuildState.NOTICE.value:
            raise NoticeClosed(posted_on=notice.posted_on.isoformat(), until=notice.until.isoformat())
    notice.objections = [*(notice.objections or []), entry]
    session.flush()
    return notice


def _recipient_of(session: Session, notice: AidNotice, recipient_id: int) -> AidRecipient:
    recipient = session.get(AidRecipient, recipient_id)
    if (
        recipient is None
        or recipient.programme_id != notice.programme_id
        or recipient.jurisdiction_code[:12] != notice.jurisdiction_code
    ):
        raise NotFound()
    return recipient


def answer(session: Session, principal: Principal, notice_id: int, index: int, data: AnswerIn) -> AidNotice:
    """The town's or county's answer to an objection (民主评议 of the objection)."""
    from yingji.aid import rebuild, recipients

    notice = get(session, principal, notice_id)
    check_step(principal, notice.jurisdiction_code, "town")
    objections = [dict(o) for o in notice.objections or []]
    if not 0 <= index < len(objections):
        raise NotFound()
    entry = objections[index]
    if entry.get("upheld") is not None:
        raise AlreadyAnswered()
    entry |= {"upheld": data.upheld, "answer": data.answer, "answered_at": clock.now().isoformat()}
    entry["answered_by"] = principal.display_name
    if notice.programme_id is not None and entry.get("recipient_id"):
        recipient = _recipient_of(session, notice, entry["recipient_id"])
        if data.upheld and data.action == "remove":
            recipient.state = RecipientState.REMOVED.value
            recipient.reason = data.answer
        else:
            if data.upheld and data.correction is not None:
                recipients.correct(recipient, data.correction)
            recipient.state = RecipientState.LISTED.value
        entry["action"] = data.action if data.upheld else "kept"
    elif notice.rebuild_case_id is not None and data.upheld:
        case = session.get(RebuildCase, notice.rebuild_case_id)
        if case.state == RebuildState.NOTICE.value:
            rebuild.step_back(session, principal, case, data.answer)
        entry["action"] = "back_to_review"
    notice.objections = objections
    session.flush()
    return notice


def outs(session: Session, notices: list[AidNotice]) -> list[dict]:
    from yingji.org import places

    names = places.names(session, [n.jurisdiction_code for n in notices])
    return [
        {
            "id": n.id,
            "programme_id": n.programme_id,
            "rebuild_case_id": n.rebuild_case_id,
            "jurisdiction_code": n.jurisdiction_code,
            "village_name": names.get(n.jurisdiction_code),
            "posted_on": n.posted_on,
            "until": n.until,
            "open": is_open(n),
            "where": n.where,
            "objections": list(n.objections or []),
        }
        for n in notices
    ]
