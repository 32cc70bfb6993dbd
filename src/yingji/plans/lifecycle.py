"""The lifecycle of a plan (国办发〔2024〕5号 第三条): 编制 → 征求意见/评审 (comments recorded) → 审批
(by the signatory the kind requires) → 印发 → 公布 and 备案 (to the body RULES2 §9.3 names, which
accepts or returns it) → 评估 → 修订 / 废止. Every step checks the one transition table
``PLAN_MOVES``, the writer's scope and permission, and writes the plan's history; a step out of
order is a 409 and leaves nothing behind.

A revision keeps the issued version in force (state ``revising``) while the new version goes
through its own stages (``PlanVersion.stage``): a major revision repeats consultation and approval,
a minor one may be issued directly (RULES2 §9.5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, visible, writable
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.org import codes as division_codes
from yingji.org.models import Jurisdiction, Unit
from yingji.plans import clocks
from yingji.plans.codes import (
    PLAN_MOVES,
    DraftStage,
    FilingState,
    PlanState,
    TriggerState,
    VersionStatus,
)
from yingji.plans.labels import STATE_LABELS, receiver_name, route_of, signatories_of, trigger_reasons
from yingji.plans.models import Plan, PlanFiling, PlanReview, PlanTrigger, PlanVersion
from yingji.plans.registry import event, get
from yingji.plans.schemas import (
    EvaluatedIn,
    FilingDecisionIn,
    FilingIn,
    IssueIn,
    PublishIn,
    RepealIn,
    ReviewIn,
    ReviseIn,
    StepIn,
)

S = PlanState


_bad = ValidationFailed.on  # one field refused with its message


def _move(plan: Plan, to: PlanState) -> str:
    """Check the transition table; returns the state before."""
    before = PlanState(plan.state)
    if to not in PLAN_MOVES[before]:
        raise Conflict(
            "This step is not possible in the plan's current state.",
            details=[{"field": "state", "message": STATE_LABELS[before]}],
        )
    plan.state = to.value
    return before.value


def _writable(session: Session, principal: Principal, plan_id: int) -> Plan:
    plan = get(session, principal, plan_id, lock=True)
    writable(principal, plan.jurisdiction_code, Perm.PLANS_MANAGE)
    return plan


def draft_version(session: Session, plan: Plan) -> PlanVersion | None:
    """The version being drafted: the plan's own before its first issue, the next one in revision."""
    return session.scalar(
        select(PlanVersion)
        .where(PlanVersion.plan_id == plan.id, PlanVersion.status == VersionStatus.DRAFT)
        .order_by(PlanVersion.version_no.desc())
        .limit(1)
    )


def _not_future(field: str, day: date) -> None:
    if day > clocks.today():
        raise _bad(field, N_("The date lies in the future."))


# -- drafting, consultation, approval -------------------------------------------------------------
def submit(session: Session, principal: Principal, plan_id: int, data: StepIn) -> Plan:
    """编制 → 征求意见/评审 (or, in a revision, the draft version to consultation)."""
    plan = _writable(session, principal, plan_id)
    if plan.state == S.REVISING:
        draft = draft_version(session, plan)
        if draft.stage != DraftStage.DRAFTING:
            raise Conflict("The new version is already in consultation or approval.")
        draft.stage = DraftStage.REVIEW
        before = plan.state
    else:
        before = _move(plan, S.REVIEW)
    event(session, principal, plan, "submit", before, data.comment)
    session.flush()
    return plan


def review(session: Session, principal: Principal, plan_id: int, data: ReviewIn) -> PlanReview:
    """Record a comment of consultation or review on the version being drafted."""
    plan = _writable(session, principal, plan_id)
    draft = draft_version(session, plan)
    in_review = plan.state == S.REVIEW or (
        plan.state == S.REVISING and draft is not None and draft.stage == DraftStage.REVIEW
    )
    if not in_review or draft is None:
        raise Conflict("Comments are recorded while the plan is in consultation and review.")
    row = PlanReview(
        plan_id=plan.id,
        version_no=draft.version_no,
        **data.model_dump(),
        user_id=principal.user_id,
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(row)
    event(session, principal, plan, "review", plan.state, f"{data.reviewer}: {data.comment}"[:4000])
    session.flush()
    return row


def _reviews(session: Session, plan: Plan, version_no: int) -> int:
    return len(
        session.scalars(
            select(PlanReview.id).where(PlanReview.plan_id == plan.id, PlanReview.version_no == version_no)
        ).all()
    )


def to_approval(session: Session, principal: Principal, plan_id: int, data: StepIn) -> Plan:
    """征求意见/评审 → 审批: only after at least one comment was recorded."""
    plan = _writable(session, principal, plan_id)
    draft = draft_version(session, plan)
    if draft is None or _reviews(session, plan, draft.version_no) == 0:
        raise Conflict(
            "Record the comments of the consultation or review before sending the plan for approval."
        )
    if plan.state == S.REVISING:
        if draft.stage != DraftStage.REVIEW:
            raise Conflict("The new version is not in consultation.")
        draft.stage, before = DraftStage.APPROVAL, plan.state
    else:
        before = _move(plan, S.APPROVAL)
    event(session, principal, plan, "to_approval", before, data.comment)
    session.flush()
    return plan


def send_back(session: Session, principal: Principal, plan_id: int, data: StepIn) -> Plan:
    """Back one step: approval → review, review → drafting (a reason is required)."""
    if not data.comment:
        raise _bad("comment", N_("Say why the plan goes back."))
    plan = _writable(session, principal, plan_id)
    if plan.state == S.REVISING:
        draft = draft_version(session, plan)
        back = {DraftStage.APPROVAL: DraftStage.REVIEW, DraftStage.REVIEW: DraftStage.DRAFTING}.get(
            draft.stage
        )
        if back is None:
            raise Conflict("The new version is still being drafted.")
        draft.stage, before = back, plan.state
    else:
        to = {S.APPROVAL: S.REVIEW, S.REVIEW: S.DRAFTING}.get(PlanState(plan.state))
        if to is None:
            raise Conflict("Only a plan in review or approval can be sent back.")
        before = _move(plan, to)
    event(session, principal, plan, "return", before, data.comment)
    session.flush()
    return plan


def issue(session: Session, principal: Principal, plan_id: int, data: IssueIn) -> Plan:
    """审批 and 印发: the signatory the kind requires signs; the version comes into force and its
    clocks start (filing and publication 20 working days, evaluation 3 years)."""
    plan = _writable(session, principal, plan_id)
    allowed = signatories_of(plan.kind)
    if data.signatory_role not in allowed:
        raise _bad("signatory_role", N_("This kind of plan is approved and signed by someone else."))
    _not_future("issued_on", data.issued_on)
    draft = draft_version(session, plan)
    if draft is None:
        raise Conflict("There is no version to issue.")
    if plan.state == S.REVISING and draft.major and draft.stage != DraftStage.APPROVAL:
        raise Conflict("A major revision goes through consultation and approval before it is issued.")
    if plan.issued_on is not None and data.issued_on < plan.issued_on:
        raise _bad("issued_on", N_("A new version cannot be issued before the version in force."))
    before = _move(plan, S.ISSUED)
    old = plan.version_no
    if draft.version_no != old:
        session.execute(
            update(PlanVersion)
            .where(PlanVersion.plan_id == plan.id, PlanVersion.status == VersionStatus.IN_FORCE)
            .values(status=VersionStatus.SUPERSEDED)
        )
        clocks.cancel_all(session, plan)
    draft.status, draft.stage = VersionStatus.IN_FORCE, DraftStage.APPROVAL
    draft.signatory, draft.signatory_role = data.signatory, data.signatory_role
    draft.doc_number, draft.issued_on = data.doc_number, data.issued_on
    plan.version_no, plan.doc_number, plan.issued_on = draft.version_no, data.doc_number, data.issued_on
    plan.published_on = plan.filed_on = None
    session.flush()
    clocks.start(session, plan, plan.version_no, clocks.KINDS, data.issued_on)
    for t in session.scalars(
        select(PlanTrigger).where(PlanTrigger.plan_id == plan.id, PlanTrigger.state == TriggerState.OPEN)
    ):
        t.state, t.handled_version_no = TriggerState.HANDLED, plan.version_no
    event(session, principal, plan, "issue", before, data.comment or data.doc_number)
    session.flush()
    return plan


# -- publication and filing --------------------------------------------------------------------------
def _version(session: Session, plan: Plan) -> PlanVersion:
    return session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version_no == plan.version_no)
    )


def publish(session: Session, principal: Principal, plan_id: int, data: PublishIn) -> Plan:
    plan = _writable(session, principal, plan_id)
    if plan.published_on is not None:
        raise Conflict("This version is already published.")
    _not_future("published_on", data.published_on)
    if plan.issued_on and data.published_on < plan.issued_on:
        raise _bad("published_on", N_("A plan is published after it is issued."))
    before = _move(plan, S.PUBLISHED)
    plan.published_on = data.published_on
    _version(session, plan).published_on = data.published_on
    clocks.meet(session, plan, "publish", data.published_on)
    event(session, principal, plan, "publish", before, data.how)
    session.flush()
    return plan


def receiver_code(kind: str, code: str) -> str:
    """The jurisdiction whose body receives the filing of a plan of ``kind`` made at ``code``."""
    level = route_of(kind)["level"]
    if level == "same":
        return code
    if level == "county":
        return code[:6] if len(code) >= 6 else code
    above = division_codes.ancestors(code)
    return above[-1] if above else ""


def expected_receiver(plan: Plan) -> tuple[str, list[str]]:
    """(jurisdiction, bodies) of the filing route of the plan's kind (RULES2 §9.3)."""
    return receiver_code(plan.kind, plan.jurisdiction_code), list(route_of(plan.kind)["bodies"])


def file(session: Session, principal: Principal, plan_id: int, data: FilingIn) -> PlanFiling:
    """Send the version in force for filing to the body that receives its kind of plan."""
    plan = _writable(session, principal, plan_id)
    if plan.state not in (S.ISSUED, S.PUBLISHED) or plan.filed_on is not None:
        raise Conflict("Only an issued plan that is not yet filed can be sent for filing.")
    open_one = session.scalar(
        select(PlanFiling.id).where(
            PlanFiling.plan_id == plan.id,
            PlanFiling.version_no == plan.version_no,
            PlanFiling.state == FilingState.SUBMITTED,
        )
    )
    if open_one is not None:
        raise Conflict("A filing of this version is waiting for the receiving body.")
    where, bodies = expected_receiver(plan)
    if data.to_jurisdiction_code != where or data.to_body not in bodies:
        raise _bad("to_body", N_("This body does not receive the filing of this kind of plan."))
    place = session.get(Jurisdiction, where)
    if place is None:
        raise _bad("to_jurisdiction_code", N_("Unknown jurisdiction."))
    to_name = data.to_name
    if data.to_unit_id is not None:
        unit = session.get(Unit, data.to_unit_id)
        if unit is None or unit.jurisdiction_code != where:
            raise _bad("to_unit_id", N_("The receiving unit must belong to the receiving jurisdiction."))
        to_name = unit.name
    submitted = data.submitted_on or clocks.today()
    _not_future("submitted_on", submitted)
    if plan.issued_on and submitted < plan.issued_on:
        raise _bad("submitted_on", N_("A plan is filed after it is issued."))
    filing = PlanFiling(
        plan_id=plan.id,
        version_no=plan.version_no,
        to_jurisdiction_code=where,
        to_body=data.to_body,
        to_unit_id=data.to_unit_id,
        to_name=(to_name or receiver_name(place.name, data.to_body))[:120],
        cc=route_of(plan.kind).get("cc") or None,
        submitted_on=submitted,
        state=FilingState.SUBMITTED,
        jurisdiction_code=plan.jurisdiction_code,
    )
    session.add(filing)
    event(session, principal, plan, "file", plan.state, filing.to_name)
    session.flush()
    return filing


def get_filing(session: Session, principal: Principal, filing_id: int) -> PlanFiling:
    """A filing seen by the sender's side or by the receiving body."""
    filing = session.get(PlanFiling, filing_id)
    if filing is None:
        raise NotFound()
    if principal.covers(filing.jurisdiction_code) or principal.covers(filing.to_jurisdiction_code):
        return filing
    return visible(principal, filing)


def decide_filing(
    session: Session, principal: Principal, filing_id: int, data: FilingDecisionIn
) -> PlanFiling:
    """The receiving body accepts (备案登记) or returns the filing with all missing items at once."""
    filing = get_filing(session, principal, filing_id)  # the sender sees it (403 below), others 404
    session.refresh(filing, with_for_update=True)
    writable(principal, filing.to_jurisdiction_code, Perm.PLANS_MANAGE)
    if filing.state != FilingState.SUBMITTED:
        raise Conflict("This filing was already decided.")
    plan = session.get(Plan, filing.plan_id, with_for_update=True, populate_existing=True)
    if filing.version_no != plan.version_no or plan.state == S.REPEALED:
        raise Conflict("This filing is of a version no longer in force.")
    on = data.decided_on or clocks.today()
    _not_future("decided_on", on)
    if on < filing.submitted_on:
        raise _bad("decided_on", N_("A filing is decided after it was submitted."))
    filing.decided_on, filing.decided_by = on, principal.display_name[:120]
    if data.accept:
        filing.state = FilingState.ACCEPTED
        before = plan.state
        if plan.state != S.FILED:
            before = _move(plan, S.FILED)
        plan.filed_on = on
        _version(session, plan).filed_on = on
        clocks.meet(session, plan, "filing", filing.submitted_on)
        event(session, principal, plan, "filing_accepted", before, data.reason)
    else:
        if not data.reason:
            raise _bad("reason", N_("List what is missing when returning a filing."))
        filing.state, filing.reason = FilingState.RETURNED, data.reason
        event(session, principal, plan, "filing_returned", plan.state, data.reason)
    session.flush()
    return filing


# -- evaluation, revision, repeal, triggers -------------------------------------------------------------
def start_evaluation(session: Session, principal: Principal, plan_id: int, data: StepIn) -> Plan:
    plan = _writable(session, principal, plan_id)
    if plan.state in (S.PUBLISHED, S.FILED) and plan.filed_on is None:
        raise Conflict("File the plan before evaluating it.")
    before = _move(plan, S.EVALUATING)
    event(session, principal, plan, "evaluate", before, data.comment)
    session.flush()
    return plan


def conclude_evaluation(session: Session, principal: Principal, plan_id: int, data: EvaluatedIn) -> Plan:
    """评估 ends: the plan stays as it is (next evaluation in 3 years) or goes into revision."""
    plan = _writable(session, principal, plan_id)
    if plan.state != S.EVALUATING:
        raise Conflict("The plan is not being evaluated.")
    _not_future("evaluated_on", data.evaluated_on)
    if plan.issued_on and data.evaluated_on < plan.issued_on:
        raise _bad("evaluated_on", N_("An evaluation ends after the plan was issued."))
    plan.evaluated_on = data.evaluated_on
    clocks.meet(session, plan, "evaluation", data.evaluated_on)
    if data.outcome == "keep":
        before = _move(plan, S.FILED)
        event(session, principal, plan, "evaluated", before, data.findings)
        session.flush()
        clocks.start_next_evaluation(session, plan, data.evaluated_on)
        return plan
    reason = data.reason or "evaluation"
    event(session, principal, plan, "evaluated", plan.state, data.findings)
    return _revise(
        session, principal, plan, ReviseIn(reason=reason, major=True, change_summary=data.findings)
    )


def revise(session: Session, principal: Principal, plan_id: int, data: ReviseIn) -> Plan:
    return _revise(session, principal, _writable(session, principal, plan_id), data)


def _revise(session: Session, principal: Principal, plan: Plan, data: ReviseIn) -> Plan:
    if data.reason not in trigger_reasons():
        raise _bad("reason", N_("Name one of the revision cases of the rules."))
    before = _move(plan, S.REVISING)
    n = (
        session.scalar(
            select(PlanVersion.version_no)
            .where(PlanVersion.plan_id == plan.id)
            .order_by(PlanVersion.version_no.desc())
            .limit(1)
        )
        or 0
    ) + 1
    session.add(
        PlanVersion(
            plan_id=plan.id,
            version_no=n,
            status=VersionStatus.DRAFT,
            stage=DraftStage.DRAFTING,
            major=data.major,
            reason=data.reason,
            change_summary=data.change_summary,
            jurisdiction_code=plan.jurisdiction_code,
        )
    )
    event(session, principal, plan, "revise", before, data.change_summary)
    session.flush()
    return plan


def repeal(session: Session, principal: Principal, plan_id: int, data: RepealIn) -> Plan:
    plan = _writable(session, principal, plan_id)
    before = _move(plan, S.REPEALED)
    clocks.cancel_all(session, plan)
    session.execute(
        update(PlanVersion)
        .where(
            PlanVersion.plan_id == plan.id,
            PlanVersion.status.in_((VersionStatus.DRAFT, VersionStatus.IN_FORCE)),
        )
        .values(status=VersionStatus.REPEALED)
    )
    session.execute(
        update(PlanTrigger)
        .where(PlanTrigger.plan_id == plan.id, PlanTrigger.state == TriggerState.OPEN)
        .values(state=TriggerState.DISMISSED)
    )
    event(session, principal, plan, "repeal", before, data.reason)
    session.flush()
    return plan
