"""The warning lifecycle: one explicit transition table (``codes.py``), the approval rule, the
第六十四条 check at submit, at approval and at publish, return for edit, updates and lifts that
reference the first issue, and expiry by a job at ``expires``.

draft → submitted → approved → published → updated (a newer issue replaced it) / lifted (解除) /
expired. The 第六十四条 check runs at every step towards publishing, so a warning can never be
approved and then be unpublishable; one approved with a flaw is returned for edit (退回修改).

Red and orange must be approved by a holder of ``warning.approve`` other than the author;
blue and yellow may go from draft (or submitted) straight to published (``warning_levels.json``).

A lift is a Cancel message. At a level that needs no approval it is sent at once (第七十条: a warning
is lifted as soon as the danger has passed); a red or orange lift needs the same approval as the
issue, so that no one person can stop a red warning: the Cancel waits ``submitted`` until another
leader approves, and publishing it lifts the warning. Imported messages waiting for approval are
published through ``capimport.publish_held`` (they keep their sender and identifier).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.i18n import N_
from yingji.jobs import queue
from yingji.warnings import capmodel, hooks, profile, values, versions
from yingji.warnings.codes import MOVES, PENDING, STATUS_LABELS, TRANSITIONS, Action, S  # noqa: F401
from yingji.warnings.compose import lock
from yingji.warnings.hooks import WarningEvent
from yingji.warnings.models import Warning

# 突发事件应对法 第六十四条第二款: what a warning must state, in the law's order.
ARTICLE_64 = {
    "category": N_("warning category (event type)"),  # 预警类别
    "level": N_("level"),  # 级别
    "start_time": N_("start time"),  # 起始时间
    "area": N_("possible area of impact"),  # 可能影响的范围
    "matters": N_("matters to heed"),  # 警示事项
    "measures": N_("measures to take"),  # 应当采取的措施
    "issuer": N_("issuing body"),  # 发布单位
    "issue_time": N_("issue time"),  # 发布时间
}


class ContentMissing(ValidationFailed):
    code = "warning_incomplete"
    message = "The warning cannot be published; 突发事件应对法 第六十四条 requires: {missing}."


# The same refusal at each step towards publishing, worded for the step (one row per missing item).
INCOMPLETE_AT = {
    "submit": N_("The warning cannot be submitted; 突发事件应对法 第六十四条 requires: {missing}."),
    "approve": N_("The warning cannot be approved; 突发事件应对法 第六十四条 requires: {missing}."),
    "publish": ContentMissing.message,
}


def check_move(current: str, target: str) -> None:
    if target not in TRANSITIONS.get(current, frozenset()):
        raise Conflict("A warning cannot go from {current} to {target}.", current=current, target=target)


def missing_contents(warning: Warning, *, issue_time_set: bool = True) -> list[str]:
    """The 第六十四条 items the warning lacks (keys of :data:`ARTICLE_64`), in the law's order."""
    info = warning.primary_info
    missing = []
    if not (warning.event or "").strip() or not (info and info.categories):
        missing.append("category")
    if warning.level not in values.LEVELS:
        missing.append("level")
    if warning.effective is None and warning.onset is None:
        missing.append("start_time")
    areas = warning.all_areas()
    if not any((a.polygons or a.circles or a.geocodes) for a in areas):
        missing.append("area")
    if not (warning.description or "").strip():
        missing.append("matters")
    if not (warning.instruction or "").strip():
        missing.append("measures")
    if not (warning.sender_name or "").strip():
        missing.append("issuer")
    if not issue_time_set and warning.sent is None:
        missing.append("issue_time")
    return missing


def refuse_if_incomplete(warning: Warning, step: str = "publish") -> None:
    """Refuse ``step`` (submit, approve, publish) of a warning that lacks a 第六十四条 item; the
    message names them all (Chinese, then English) and ``details`` has one row per item."""
    from yingji.core.i18n import translate

    missing = missing_contents(warning)
    if missing:
        raise ContentMissing(
            INCOMPLETE_AT[step],
            missing="、".join(translate(ARTICLE_64[m], "zh_CN") for m in missing)
            + " / "
            + ", ".join(translate(ARTICLE_64[m], "en") for m in missing),
            details=[{"field": m, "message": ARTICLE_64[m]} for m in missing],
        )


def _move(
    session: Session, principal: Principal | None, warning: Warning, target: S, action: Action, note=None
) -> None:
    check_move(warning.status, target)
    warning.status = target.value
    versions.record(session, warning, action, principal, note)


def submit(session: Session, principal: Principal, warning_id: int) -> Warning:
    """Send a draft for approval."""
    warning = lock(session, principal, warning_id)
    writable(principal, warning.jurisdiction_code, Perm.WARNING_DRAFT)
    check_move(warning.status, S.SUBMITTED)
    if _composed_here(warning):
        refuse_if_incomplete(warning, "submit")
    warning.submitted_at = clock.now()
    _move(session, principal, warning, S.SUBMITTED, Action.SUBMITTED)
    return warning


def approve(session: Session, principal: Principal, warning_id: int, note: str = "") -> Warning:
    """A leader approves a submitted warning; for red and orange not the author."""
    warning = lock(session, principal, warning_id)
    writable(principal, warning.jurisdiction_code, Perm.WARNING_APPROVE)
    own = warning.author_user_id is not None and principal.user_id == warning.author_user_id
    if own and values.approver_must_differ() and values.requires_approval(warning.level):
        raise Forbidden("The author cannot approve their own red or orange warning.")
    check_move(warning.status, S.APPROVED)
    if _composed_here(warning):
        refuse_if_incomplete(warning, "approve")
    warning.approved_by_user_id = principal.user_id
    warning.approved_at = clock.now()
    warning.review_note = note or None
    _move(session, principal, warning, S.APPROVED, Action.APPROVED, note or None)
    return warning


def reject(session: Session, principal: Principal, warning_id: int, note: str = "") -> Warning:
    """Send a submitted warning back to its author as a draft. An approved one is returned for
    edit (:func:`return_for_edit`: the reason is then required)."""
    warning = lock(session, principal, warning_id)
    writable(principal, warning.jurisdiction_code, Perm.WARNING_APPROVE)
    if warning.status == S.APPROVED:
        return return_for_edit(session, principal, warning_id, note)
    if warning.status not in MOVES[Action.REJECTED][0]:
        check_move(warning.status, S.DRAFT)
        raise Conflict("Only a warning waiting for approval can be sent back.")
    warning.approved_by_user_id = None
    warning.approved_at = None
    warning.review_note = note or None
    _move(session, principal, warning, S.DRAFT, Action.REJECTED, note or None)
    return warning


def may_return(principal: Principal, warning: Warning) -> bool:
    """Whether ``principal`` may return this approved warning for edit: one who may approve or
    publish warnings where it is."""
    return (
        warning.status in MOVES[Action.RETURNED][0]
        and principal.covers(warning.jurisdiction_code)
        and (principal.can(Perm.WARNING_APPROVE) or principal.can(Perm.WARNING_PUBLISH))
    )


def return_for_edit(session: Session, principal: Principal, warning_id: int, reason: str) -> Warning:
    """退回修改: an approved warning not yet published goes back to draft for its author to edit
    and submit again. The approval is cleared (the edited text must be approved afresh); the
    reason is kept as the review note and in the history (audited like every write)."""
    warning = lock(session, principal, warning_id)
    perm = Perm.WARNING_APPROVE if principal.can(Perm.WARNING_APPROVE) else Perm.WARNING_PUBLISH
    writable(principal, warning.jurisdiction_code, perm)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.on("reason", "Give the reason for returning the warning.")
    starts, target = MOVES[Action.RETURNED]
    if warning.status not in starts:
        raise Conflict("Only an approved warning that is not yet published can be returned for edit.")
    warning.approved_by_user_id = None
    warning.approved_at = None
    warning.submitted_at = None
    warning.review_note = reason[:2000]
    _move(session, principal, warning, target, Action.RETURNED, reason[:2000])
    return warning


def _composed_here(warning: Warning) -> bool:
    """Warnings written here (Alert, Update); imported messages and lifts are sent as they are."""
    return warning.origin == "local" and warning.msg_type != "Cancel"


def _new_identifier(session: Session, warning: Warning) -> str:
    """The first free ``_N`` of this sender at this second; the standard has ten (0–9), so an
    eleventh message in the same second is refused rather than given a non-standard identifier."""
    for n in range(profile.sequence_max() + 1):
        candidate = profile.identifier(warning.sender_code or "0" * 14, warning.sent, n)
        taken = session.scalar(
            select(Warning.id).where(Warning.sender == warning.sender, Warning.identifier == candidate)
        )
        if taken is None:
            return candidate
    raise Conflict(
        "Ten warnings of this sender were already sent this second (the identifier's sequence is "
        "0 to 9). Send again in a moment."
    )


def reference_of(warning: Warning) -> str:
    """``sender,identifier,sent`` of a sent message (CAP references)."""
    from yingji.warnings.capwrite import cap_time

    return f"{warning.sender},{warning.identifier},{cap_time(warning.sent)}"


def _stamp(session: Session, principal: Principal, warning: Warning) -> None:
    """Set what sending fixes: sent, identifier, profile headline, references."""
    warning.sent = clock.now()
    warning.identifier = _new_identifier(session, warning)
    for info in warning.infos:
        if not info.headline and (info.language or "").startswith("zh"):
            info.headline = profile.headline(
                warning.msg_type, warning.sender_name or "", warning.event or "", warning.level
            )
        if info.effective is None:
            info.effective = warning.sent
    capmodel.sync_summary(warning)
    warning.published_at = warning.sent
    warning.published_by_user_id = principal.user_id


def _schedule_expiry(session: Session, warning: Warning) -> None:
    if warning.expires is not None:
        queue.enqueue(
            session,
            "warnings.expire",
            {"warning_id": warning.id},
            due_at=warning.expires,
            dedupe_key=f"warnings.expire:{warning.id}:{warning.expires.isoformat()}",
        )


def publish(session: Session, principal: Principal, warning_id: int) -> Warning:
    """Publish: approval where the level needs it, the 第六十四条 check, then identifier, sent,
    references (updates), the expiry timer and the ``published``/``updated`` hook."""
    warning = lock(session, principal, warning_id)
    writable(principal, warning.jurisdiction_code, Perm.WARNING_PUBLISH)
    held = warning.origin != "local" or warning.msg_type == "Cancel"
    check_move(warning.status, S.LIFTED if warning.msg_type == "Cancel" else S.PUBLISHED)
    if (held or values.requires_approval(warning.level)) and warning.status != S.APPROVED:
        if warning.msg_type == "Cancel":
            raise Conflict("The lift must be approved before it takes effect.")
        raise Conflict(
            "A {level} warning must be approved before it is published.", level=warning.level or ""
        )
    if warning.origin != "local":
        from yingji.warnings import capimport  # capimport builds on this module

        return capimport.publish_held(session, principal, warning)
    if warning.msg_type == "Cancel":
        return _publish_lift(session, principal, warning)
    if warning.expires is not None and warning.expires <= clock.now():
        raise ValidationFailed(details=[{"field": "expires", "message": "The warning has already expired."}])
    refuse_if_incomplete(warning)
    previous = None
    if warning.previous_id is not None:
        previous = lock(session, principal, warning.previous_id)
        if previous.status != S.PUBLISHED:
            raise Conflict("The warning this update replaces is no longer current.")
    _stamp(session, principal, warning)
    event = WarningEvent.PUBLISHED
    if previous is not None:
        root = session.get(Warning, warning.root_id) or previous
        chain = [reference_of(root)] + ([reference_of(previous)] if previous.id != root.id else [])
        warning.references = chain
        previous.ended_at = warning.sent
        _move(session, principal, previous, S.UPDATED, Action.SUPERSEDED, warning.identifier)
        event = WarningEvent.UPDATED
    _move(session, principal, warning, S.PUBLISHED, Action.PUBLISHED)
    _schedule_expiry(session, warning)
    if warning.relay:
        hooks.emit(session, warning, event)
    return warning


def _copy_as(session: Session, principal: Principal, current: Warning, msg_type: str) -> Warning:
    root_id = current.root_id or current.id
    copy = Warning(
        status=S.DRAFT.value,
        origin="local",
        msg_type=msg_type,
        root_id=root_id,
        previous_id=current.id,
        author_user_id=principal.user_id,
        jurisdiction_code=current.jurisdiction_code,
        level=current.level,
        category=current.category,
        event_type=current.event_type,
        template_key=current.template_key,
        locked_fields=current.locked_fields,
        sender=current.sender,
        sender_code=current.sender_code,
        cap_status=current.cap_status,
        scope=current.scope,
        codes=list(current.codes or []),
        relay=current.relay,
        revision=1,
        drill_id=current.drill_id,  # an update or lift of a drill's warning stays the drill's
    )
    infos = [capmodel.info_dict(i) for i in current.infos]
    for info in infos:
        info["headline"] = None if (info.get("language") or "").startswith("zh") else info.get("headline")
        info["effective"] = None
    capmodel.set_infos(copy, infos)
    capmodel.sync_summary(copy)
    session.add(copy)
    return copy


def current_issue(session: Session, principal: Principal, warning_id: int) -> Warning:
    """The published issue of the chain that ``warning_id`` belongs to (locked)."""
    warning = lock(session, principal, warning_id)
    root_id = warning.root_id or warning.id
    current = session.scalar(
        select(Warning.id).where(
            (Warning.id == root_id) | (Warning.root_id == root_id), Warning.status == S.PUBLISHED
        )
    )
    if current is None:
        raise Conflict("This warning is not in force.")
    return lock(session, principal, current)


def start_update(session: Session, principal: Principal, warning_id: int) -> Warning:
    """A draft Update of the warning in force; it goes through approval and publish like any draft."""
    current = current_issue(session, principal, warning_id)
    writable(principal, current.jurisdiction_code, Perm.WARNING_DRAFT)
    update = _copy_as(session, principal, current, "Update")
    versions.record(session, update, Action.CREATED, principal, current.identifier)
    return update


def pending_lift(session: Session, warning: Warning) -> Warning | None:
    """The lift of ``warning``'s chain that waits for approval, if any."""
    root_id = warning.root_id or warning.id
    return session.scalar(
        select(Warning).where(
            Warning.root_id == root_id,
            Warning.msg_type == "Cancel",
            Warning.origin == "local",
            Warning.status.in_(PENDING),
        )
    )


def lift(session: Session, principal: Principal, warning_id: int, reason: str) -> Warning:
    """解除: a Cancel message referencing the first issue. Where the level needs approval the Cancel
    waits ``submitted`` for a leader (see the module docstring); otherwise the chain is lifted at
    once and the Cancel row is born ``lifted`` (it is the lift itself, sent as it is created)."""
    current = current_issue(session, principal, warning_id)
    writable(principal, current.jurisdiction_code, Perm.WARNING_PUBLISH)
    if pending_lift(session, current) is not None:
        raise Conflict("A lift of this warning is already waiting for approval.")
    cancel = _copy_as(session, principal, current, "Cancel")
    cancel.note = reason
    for info in cancel.infos:
        if (info.language or "").startswith("zh"):
            info.description = reason
            info.instruction = "预警解除，请恢复正常生产生活秩序，仍需注意安全。"
        info.response_types = ["AllClear"]
        info.expires = None
    capmodel.sync_summary(cancel)
    session.flush()
    if values.requires_approval(current.level):
        cancel.submitted_at = clock.now()
        _move(session, principal, cancel, S.SUBMITTED, Action.LIFT_REQUESTED, reason)
        return cancel
    return _execute_lift(session, principal, cancel, current)


def _publish_lift(session: Session, principal: Principal, cancel: Warning) -> Warning:
    """An approved lift takes effect: the chain's issue in force now is lifted."""
    current = current_issue(session, principal, cancel.id)
    writable(principal, current.jurisdiction_code, Perm.WARNING_PUBLISH)
    cancel.previous_id = current.id
    return _execute_lift(session, principal, cancel, current)


def _execute_lift(session: Session, principal: Principal, cancel: Warning, current: Warning) -> Warning:
    _stamp(session, principal, cancel)
    root = session.get(Warning, cancel.root_id) or current
    cancel.references = [reference_of(root)] + ([reference_of(current)] if current.id != root.id else [])
    if cancel.status == S.APPROVED:
        check_move(cancel.status, S.LIFTED)
    cancel.status = S.LIFTED.value
    cancel.ended_at = cancel.sent
    versions.record(session, cancel, Action.LIFTED, principal, cancel.note)
    current.ended_at = cancel.sent
    _move(session, principal, current, S.LIFTED, Action.LIFTED, cancel.note)
    if current.relay:
        hooks.emit(session, cancel, WarningEvent.LIFTED)
    return cancel


def expire(session: Session, warning_id: int) -> Warning | None:
    """The expiry job: a published warning past ``expires`` becomes expired (else nothing)."""
    warning = session.scalar(select(Warning).where(Warning.id == warning_id).with_for_update())
    now = clock.now()
    if warning is None or warning.status != S.PUBLISHED or warning.expires is None or warning.expires > now:
        return None
    warning.ended_at = now
    _move(session, None, warning, S.EXPIRED, Action.EXPIRED)
    if warning.relay:
        hooks.emit(session, warning, WarningEvent.EXPIRED)
    return warning


def can_publish_directly(warning: Warning) -> bool:
    return not values.requires_approval(warning.level)
