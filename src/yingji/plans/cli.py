"""``yingji plans due --issued-on YYYY-MM-DD``: the legal clocks of a plan issued that day, as one
JSON object ``{filing_due, publish_due, evaluation_due}`` (filing and publication 20 working days
after issue, the issue day not counted; evaluation 3 years after issue).

Working days come from the holiday notices loaded into the configured database (when there is
one) and otherwise from the ``chinese-calendar`` package. A year neither knows ends with exit code
2 and a clear message, never a guess."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from sqlalchemy.exc import SQLAlchemyError

from yingji.core.i18n import translate
from yingji.rules.cli import _database_configured

EXIT_UNKNOWN_YEAR = 2


def _calendar():
    """The calendar with the loaded notices when a database is configured and readable."""
    from yingji.plans.calendar import Calendar

    if not _database_configured():
        return Calendar()
    from sqlalchemy import inspect

    import yingji.core.schema  # noqa: F401 (every mapper, so the ORM can read)
    from yingji.config import load_settings
    from yingji.core.db import open_database

    try:
        db = open_database(load_settings())
        try:
            if not inspect(db.engine).has_table("work_calendar_years"):
                return Calendar()
            with db.reading() as session:
                return Calendar.of(session)
        finally:
            db.dispose()
    except SQLAlchemyError as exc:
        click.echo(
            f"warning: the database cannot be read ({str(exc)[:120]}); using the package only", err=True
        )
        return Calendar()


@click.group()
def plans() -> None:
    """Emergency plans (应急预案): the legal clocks."""


@plans.command("due")
@click.option("--issued-on", "issued_on", required=True, help="The issue date (印发日期), YYYY-MM-DD.")
def due_command(issued_on: str) -> None:
    """When filing, publication and evaluation of a plan issued on that day fall due."""
    from yingji.plans.calendar import CalendarUnknown
    from yingji.plans.clocks import due_dates

    try:
        day = date.fromisoformat(issued_on)
    except ValueError:
        click.echo("日期格式应为 YYYY-MM-DD / Write the date as YYYY-MM-DD.", err=True)
        sys.exit(EXIT_UNKNOWN_YEAR)
    try:
        result = due_dates(_calendar(), day)
    except CalendarUnknown as exc:
        zh = translate(exc.message, "zh_CN", **exc.params)
        en = translate(exc.message, "en", **exc.params)
        click.echo(f"{zh}\n{en}", err=True)
        sys.exit(EXIT_UNKNOWN_YEAR)
    click.echo(json.dumps({k: v.isoformat() for k, v in result.items()}))
