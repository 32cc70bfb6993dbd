"""Damage reports (初报 / 续报 / 零报 / 核报) of a village, town, county or city into a process: figures
per place on the indicators with their 累计 and 实时 values, checked (unknown indicator, a value the
indicator does not have, 累计 below 实时, a figure in force that would go down without an explanation:
each a bilingual error), idempotent by ``client_key`` (a phone's retry is the same report), submitted
up, accepted or returned by the level above; an accepted report's figures become the figures in force
(``values.apply``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core import clock
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.damage import indicators, labels, processes, schedule, values
from yingji.damage.codes import REPORT_MOVES, EventState, ReportKind, ReportState
from yingji.damage.models import DamageFigure, DamagePhoto, DamageReport, DamageValue, DisasterEvent
from yingji.damage.schemas import FigureIn, ReportIn
from yingji.damage.values import CUMULATIVE_BELOW_CURRENT
from yingji.events.publish import publish
from yingji.notify.inbox import notify_level
from yingji.org import codes as division_codes
from yingji.org import places

REPORT_LEVELS = ("village", "town", "county", "city")


def get(session: Session, principal: Principal, report_id: int, *, lock: bool = False) -> DamageReport:
    options = {"with_for_update": True, "populate_existing": True} if lock else {}
    report = session.get(DamageReport, report_id, **options)
    if report is None:
        raise NotFound()
    event = processes.get(session, principal, report.event_id)
    if not (
        principal.covers(report.jurisdiction_code) or processes.may_see(principal, report.jurisdiction_code)
    ):
        raise NotFound()
    del event
    return report


def check_figures(place: str, figures: list[FigureIn]) -> list[dict]:
    """The figures as rows, or a ValidationFailed listing every bad one."""
    known = indicators.indicators()
    problems, rows, seen = [], [], set()
    for i, f in enumerate(figures):
        where = f"figures[{i}]"
        code = f.jurisdiction_code or place
        ind = known.get(f.indicator)
        if ind is None:
            problems.append(
                {
                    "field": f"{where}.indicator",
                    "message": "Unknown indicator: {code}.",
                    "params": {"code": f.indicator},
                }
            )
            continue
        if not code.startswith(place) or len(code) > 12:
            problems.append(
                {
                    "field": f"{where}.jurisdiction_code",
                    "message": "A figure is for the report's place or a village or town inside it.",
                }
            )
            continue
        if f.current is not None and not ind.has_current:
            problems.append(
                {
                    "field": f"{where}.current",
                    "message": "{name} has no current value.",
                    "params": {"name": ind.zh},
                }
            )
            continue
        if f.cumulative is not None and f.current is not None and f.cumulative < f.current:
            problems.append(
                {
                    "field": f"{where}.cumulative",
                    "message": CUMULATIVE_BELOW_CURRENT,
                    "params": {
                        "name": ind.zh,
                        "cumulative": f"{f.cumulative:g}",
                        "current": f"{f.current:g}",
                    },
                }
            )
            continue
        if (code, f.indicator) in seen:
            problems.append({"field": where, "message": "The same figure is given twice."})
            continue
        seen.add((code, f.indicator))
        if f.cumulative is None and f.current is None:
            continue
        rows.append(
            {
                "jurisdiction_code": code,
                "indicator": f.indicator,
                "cumulative": f.cumulative,
                "current": f.current,
            }
        )
    if problems:
        raise ValidationFailed(details=problems)
    return rows


def _place(session, principal, event: DisasterEvent, code: str) -> str:
    level = division_codes.level_of(code)
    if level not in REPORT_LEVELS:
        raise ValidationFailed.on(
            "jurisdiction_code", N_("Reports come from a village, town, county or city.")
        )
    ev = event.jurisdiction_code
    if not (code.startswith(ev) or ev.startswith(code)):
        raise ValidationFailed.on("jurisdiction_code", N_("This place lies outside the disaster process."))
    writable(principal, code, Perm.DAMAGE_REPORT)
    places.get(session, principal, code)
    return code


def _due(session, event: DisasterEvent, kind: ReportKind, code: str, serial: int, report_date):
    rules = indicators.reporting_rules(session, code)  # the reporting place's limits (its overrides)
    level = division_codes.level_of(code)
    if kind == ReportKind.INITIAL:
        return schedule.initial_due(rules, level, event.occurred_at)
    if kind == ReportKind.ZERO and report_date is not None:
        return schedule.zero_due(rules, level, report_date)
    if kind == ReportKind.FINAL:
        return schedule.final_due(rules, level, event.stable_at)
    return schedule.continued_due(rules, event.hazard, event.occurred_at, serial)


def save(session: Session, principal: Principal, event_id: int, data: ReportIn) -> tuple[DamageReport, bool]:
    """Create (or, for an expected draft of the same place, kind and day, fill) a report; with
    ``submit`` send it up. Returns (report, created); the same ``client_key`` again returns the first."""
    # The process is locked first, so two sends of one client key queue and the second finds the first.
    event = processes.get(session, principal, event_id, lock=True)
    if data.client_key:
        found = session.scalar(select(DamageReport).where(DamageReport.client_key == data.client_key))
        if found is not None:
            if found.event_id != event_id:
                raise Conflict("This client key was used for another report.")
            return get(session, principal, found.id), False
    if event.state == EventState.CLOSED.value:
        raise Conflict("The disaster process is closed.")
    code = _place(session, principal, event, data.jurisdiction_code or principal.jurisdiction_code)
    rows = check_figures(code, data.figures)
    kind = ReportKind(data.kind)
    report_date = data.report_date
    if kind == ReportKind.ZERO and report_date is None:
        report_date = clock.to_local(clock.now()).date()
    draft = _open_draft(session, event, kind, code, report_date)
    if draft is None:
        serial = 1 + (
            session.scalar(
                select(func.count()).where(
                    DamageReport.event_id == event.id,
                    DamageReport.jurisdiction_code == code,
                    DamageReport.kind == kind.value,
                )
            )
            or 0
        )
        draft = DamageReport(
            event_id=event.id,
            kind=kind.value,
            serial=serial,
            jurisdiction_code=code,
            report_date=report_date,
            due_at=_due(session, event, kind, code, serial, report_date),
            state=ReportState.DRAFT.value,
        )
        session.add(draft)
    draft.as_of = (
        clock.to_utc(data.as_of)
        if data.as_of
        else (schedule.zero_as_of(report_date) if kind == ReportKind.ZERO else clock.now())
    )
    draft.narrative = dict(data.narrative)
    draft.explanation = data.explanation
    if data.client_key:
        draft.client_key = data.client_key
    session.flush()
    session.query(DamageFigure).filter(DamageFigure.report_id == draft.id).delete()
    for r in rows:
        session.add(DamageFigure(report_id=draft.id, event_id=event.id, **r))
    session.flush()
    if data.submit:
        submit(session, principal, draft.id)
    return draft, True


def _open_draft(session, event, kind: ReportKind, code: str, report_date) -> DamageReport | None:
    stmt = select(DamageReport).where(
        DamageReport.event_id == event.id,
        DamageReport.jurisdiction_code == code,
        DamageReport.kind == kind.value,
        DamageReport.state.in_((ReportState.DRAFT.value, ReportState.RETURNED.value)),
    )
    if kind == ReportKind.ZERO:
        stmt = stmt.where(DamageReport.report_date == report_date)
    elif kind == ReportKind.CONTINUED:
        return None
    return session.scalars(stmt.order_by(DamageReport.id)).first()


def figures_of(session: Session, report_id: int) -> list[DamageFigure]:
    stmt = select(DamageFigure).where(DamageFigure.report_id == report_id)
    return list(session.scalars(stmt.order_by(DamageFigure.jurisdiction_code, DamageFigure.id)))


def submit(session: Session, principal: Principal, report_id: int) -> DamageReport:
    report = get(session, principal, report_id, lock=True)
    writable(principal, report.jurisdiction_code, Perm.DAMAGE_REPORT)
    if ReportState.SUBMITTED not in REPORT_MOVES[ReportState(report.state)]:
        raise Conflict("This report was already sent.")
    event = session.get(DisasterEvent, report.event_id)
    figures = figures_of(session, report.id)
    values.check_drops(session, event, figures, report.explanation)
    level = division_codes.level_of(report.jurisdiction_code)
    rules = indicators.reporting_rules(session, event.jurisdiction_code)
    need = schedule.photos_needed(rules, event.response_launched) if level in ("county", "city") else 0
    if need and report.kind != ReportKind.ZERO.value:
        have = session.scalar(select(func.count()).where(DamagePhoto.report_id == report.id)) or 0
        if have < need:
            raise ValidationFailed(
                details=[
                    {
                        "field": "photos",
                        "params": {"n": need},
                        "message": "A response was launched: attach at least {n} photos.",
                    }
                ]
            )
    now = clock.now()
    report.state = ReportState.SUBMITTED.value
    report.submitted_at, report.submitted_by = now, principal.user_id
    report.late = bool(report.due_at and now > report.due_at)
    report.return_reason = None
    session.flush()
    parent = division_codes.ancestors(report.jurisdiction_code)
    if parent:
        notify_level(
            session,
            parent[-1],
            subject=f"灾情报告待审核: {labels.label(labels.KIND, report.kind)}",
            link=f"/damage/{event.id}",
            category="damage",
            key=f"damage-report:{report.id}",
            perm=Perm.DAMAGE_REPORT,
        )
    publish(
        session,
        "damage.changed",
        report.jurisdiction_code,
        {"event_id": event.id, "report_id": report.id, "what": "submitted"},
    )
    return report


def may_decide(principal: Principal, code: str) -> bool:
    """The level above decides: damage.verify over the place, or the officer of the place just above."""
    if not principal.covers(code) or principal.jurisdiction_code == code:
        return False
    if principal.can(Perm.DAMAGE_VERIFY):
        return True
    parent = division_codes.ancestors(code)
    return principal.can(Perm.DAMAGE_REPORT) and bool(parent) and parent[-1] == principal.jurisdiction_code


def decide(
    session: Session, principal: Principal, report_id: int, accept: bool, reason: str | None
) -> DamageReport:
    report = get(session, principal, report_id, lock=True)
    if not may_decide(principal, report.jurisdiction_code):
        raise Forbidden()
    target = ReportState.ACCEPTED if accept else ReportState.RETURNED
    if target not in REPORT_MOVES[ReportState(report.state)]:
        raise Conflict("Only a submitted report can be accepted or returned.")
    if not accept and not (reason or "").strip():
        raise ValidationFailed.on("reason", N_("Say why the report goes back."))
    event = processes.get(session, principal, report.event_id, lock=True)
    if accept:
        values.apply(session, principal, event, report, figures_of(session, report.id))
    report.state = target.value
    report.decided_at, report.decided_by = clock.now(), principal.user_id
    report.return_reason = None if accept else reason
    session.flush()
    if accept:
        from yingji.damage import rollup

        rollup.regrade(session, event)
    publish(
        session,
        "damage.changed",
        report.jurisdiction_code,
        {"event_id": event.id, "report_id": report.id, "what": target.value},
    )
    return report


def list_for(session: Session, principal: Principal, event: DisasterEvent) -> list[DamageReport]:
    stmt = select(DamageReport).where(DamageReport.event_id == event.id)
    if not principal.covers(event.jurisdiction_code):
        low, high = division_codes.subtree_bounds(principal.jurisdiction_code)
        stmt = stmt.where(DamageReport.jurisdiction_code >= low, DamageReport.jurisdiction_code < high)
    return list(
        session.scalars(stmt.order_by(DamageReport.due_at.is_(None), DamageReport.due_at, DamageReport.id))
    )


def outs(session: Session, reports: list[DamageReport], *, with_figures: bool = False) -> list[dict]:
    names = places.names(session, [r.jurisdiction_code for r in reports])
    ids = [r.id for r in reports]
    photos = (
        dict(
            session.execute(
                select(DamagePhoto.report_id, func.count())
                .where(DamagePhoto.report_id.in_(ids))
                .group_by(DamagePhoto.report_id)
            ).all()
        )
        if ids
        else {}
    )
    now = clock.now()
    out = []
    for r in reports:
        open_ = r.state in (ReportState.DRAFT.value, ReportState.RETURNED.value)
        row = {
            "id": r.id,
            "event_id": r.event_id,
            "kind": r.kind,
            "kind_label": labels.label(labels.KIND, r.kind),
            "serial": r.serial,
            "jurisdiction_code": r.jurisdiction_code,
            "jurisdiction_name": names.get(r.jurisdiction_code),
            "as_of": r.as_of,
            "report_date": r.report_date,
            "due_at": r.due_at,
            "submitted_at": r.submitted_at,
            "late": r.late,
            "overdue": bool(open_ and r.due_at and clock.to_utc(r.due_at) < now),
            "state": r.state,
            "state_label": labels.label(labels.STATE, r.state),
            "return_reason": r.return_reason,
            "explanation": r.explanation,
            "narrative": r.narrative or {},
            "client_key": r.client_key,
            "photos": photos.get(r.id, 0),
            "figures": [],
        }
        if with_figures:
            row["figures"] = [
                {
                    "jurisdiction_code": f.jurisdiction_code,
                    "indicator": f.indicator,
                    "cumulative": f.cumulative,
                    "current": f.current,
                }
                for f in figures_of(session, r.id)
            ]
        out.append(row)
    return out


def in_force(session: Session, event_id: int, code: str) -> dict[str, DamageValue]:
    stmt = select(DamageValue).where(DamageValue.event_id == event_id, DamageValue.jurisdiction_code == code)
    return {v.indicator: v for v in session.scalars(stmt)}
