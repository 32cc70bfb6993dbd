"""``yingji duty``: who is on now, roster import, routine-report and gap checks.

yingji duty now --place 520602          # the duty units of a place, nearest first
yingji duty now --unit 42 --json
yingji duty import roster.xlsx --unit 42
yingji duty check-reports               # plan reminders/overdue jobs, print today's status
yingji duty check-gaps                  # warn units of uncovered shifts ahead
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click


def _db():
    from yingji.cli import _db as open_db  # not at import time: yingji.cli imports this module

    return open_db()


def _principal(db, username: str | None):
    from yingji.cli import _principal as acting_as

    return acting_as(db, username, what="duty-cli")


@click.group()
def duty() -> None:
    """Duty rosters and routine reports (值班值守)."""


@duty.command("now")
@click.option("--unit", type=int, default=None, help="Unit id of a duty unit.")
@click.option("--place", default=None, help="Division code: its duty units and those above, nearest first.")
@click.option("--at", "at_text", default=None, help="ISO-8601 instant instead of now.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def now(unit: int | None, place: str | None, at_text: str | None, as_json: bool) -> None:
    """Who is on duty now (leader, officers, backups with phones)."""
    from yingji.auth.scope import Principal
    from yingji.duty import oncall, out
    from yingji.duty.rotation import to_local_text
    from yingji.org import codes

    if (unit is None) == (place is None):
        raise click.UsageError("give --unit or --place")
    try:
        at = datetime.fromisoformat(at_text) if at_text else None
        code = codes.normalise(place) if place else None
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    db = _db()
    with db.reading() as session:
        found = oncall.on_duty(session, unit_id=unit, jurisdiction_code=code, at=at)
        system = Principal.system(what="duty-cli")
        items = [out.on_duty(d, system) for d in found]
    db.dispose()
    if as_json:
        click.echo(json.dumps({"items": items}, ensure_ascii=False, default=str))
        return
    if not items:
        click.echo("没有值班表 / no duty roster")
    for d in items:
        s = d["shift"]
        window = f"{to_local_text(s['starts_at'])} – {to_local_text(s['ends_at'])}"
        click.echo(f"{d['jurisdiction_name']} {d['unit_name']}  {window}")
        for label, people in (("带班领导", s["leaders"]), ("值班员", s["officers"]), ("备班", s["backups"])):
            names = ", ".join(
                f"{p['name']} {p['mobile'] or ''}" + (f" (代 {p['acting_for']})" if p["acting_for"] else "")
                for p in people
            )
            click.echo(f"  {label}: {names or '—'}")
        if s["gaps"]:
            click.echo(f"  缺岗 gaps: {', '.join(s['gaps'])}")


@duty.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--unit", type=int, required=True, help="Unit id whose roster the file fills.")
@click.option("--as", "as_user", default=None, help="Act as this user (their scope and permissions).")
def import_(path: Path, unit: int, as_user: str | None) -> None:
    """Import a roster sheet (.xlsx): all rows or none; creates the unit's roster if needed."""
    from sqlalchemy import select

    from yingji.auth import audit
    from yingji.core.errors import ImportRejected
    from yingji.core.i18n import translate
    from yingji.duty import exchange, rosters
    from yingji.duty.models import Roster
    from yingji.duty.schemas import RosterIn

    db = _db()
    principal = _principal(db, as_user)
    try:
        with db.writing(principal.as_actor()) as session:
            roster = session.scalar(select(Roster).where(Roster.unit_id == unit))
            if roster is None:
                roster = rosters.create(session, principal, RosterIn(unit_id=unit))
            result = exchange.import_roster(session, principal, roster.id, path.read_bytes())
            audit.record(
                session, "import", "duty_rosters", roster.id, after=result.as_dict(), note=f"file={path.name}"
            )
    except ImportRejected as exc:
        for d in exc.details:
            msg = translate(d["message"], "zh_CN", **(d.get("params") or {}))
            click.echo(f"第 {d.get('row')} 行 {d.get('column', '')} {d.get('value', '')}: {msg}", err=True)
        raise click.ClickException(translate(exc.message, "zh_CN", **exc.params)) from None
    finally:
        db.dispose()
    click.echo(json.dumps({"roster_id": roster.id, **result.as_dict()}, ensure_ascii=False))


@duty.command("check-reports")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def check_reports(as_json: bool) -> None:
    """Plan today's reminder and overdue jobs, and show who has not reported yet."""
    from yingji.auth.scope import Principal
    from yingji.core.db import Actor
    from yingji.duty import jobs, routine
    from yingji.duty.codes import ReportStatus

    db = _db()
    with db.writing(Actor.system("duty-cli")) as session:
        planned = jobs.plan_reports(session)
    with db.reading() as session:
        summary = routine.day_summary(session, Principal.system(what="duty-cli"), routine.today())
    db.dispose()
    late = [
        {"code": r.code, "name": r.name, "status": r.status}
        for r in summary.rows
        if r.status in (ReportStatus.MISSING, ReportStatus.LATE)
    ]
    result = {
        "day": summary.day.isoformat(),
        "jobs_planned": planned,
        "counts": summary.counts(),
        "late_or_missing": late,
    }
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
        return
    click.echo(f"{result['day']}: {result['counts']} (new jobs: {planned})")
    for row in late:
        click.echo(f"  {row['status']:8} {row['code']} {row['name']}")


@duty.command("check-gaps")
def check_gaps() -> None:
    """Warn each unit (inbox) of shifts ahead with no leader or no officer."""
    from yingji.core.db import Actor
    from yingji.duty import gaps

    db = _db()
    with db.writing(Actor.system("duty-cli")) as session:
        found = gaps.find(session, gaps.active_rosters(session))
        sent = gaps.warn(session, found)
    db.dispose()
    for g in found:
        click.echo(f"{g.day.isoformat()} {g.unit_name} {g.role}")
    click.echo(json.dumps({"gaps": len(found), "messages": sent}))
