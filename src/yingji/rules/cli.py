"""``yingji rules grade`` and ``yingji rules deadlines``: one JSON object on stdin, one on stdout.

The national tables need no database. When the input names a jurisdiction and a database is
configured (``YINGJI_DATABASE_URL``, or the default SQLite file exists), that place's overrides
apply. Bad input: exit code 2 and ``{"error": {...}}`` on stdout.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import N_

EXIT_BAD_INPUT = 2
EXIT_NO_DATABASE = 1
DATABASE_UNAVAILABLE = N_("The database cannot be read: use --national for the national tables only.")


def _database_configured() -> bool:
    if os.environ.get("YINGJI_DATABASE_URL"):
        return True
    return (Path(os.environ.get("YINGJI_VAR_DIR", "./var")) / "yingji.db").is_file()


def _tables_resolver() -> tuple[Callable[[str], dict | None], Callable[[], None]]:
    """A jurisdiction → effective tables function over the configured database, and a closer."""
    from sqlalchemy import inspect

    from yingji.config import load_settings
    from yingji.core.db import open_database
    from yingji.rules import overrides

    url = os.environ.get("YINGJI_DATABASE_URL", "")
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).is_file():
        raise SQLAlchemyError(f"no database file at {url[len('sqlite:///') :]}")  # do not create one
    db = open_database(load_settings())
    has_table = inspect(db.engine).has_table("rule_overrides")

    def resolve(code: str) -> dict | None:
        if not has_table:
            return None
        with db.reading() as session:
            return overrides.tables_for(session, code)

    return resolve, db.dispose


def _emit(obj: dict) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False))


def _error(exc: YingjiError) -> None:
    from yingji.core.http import error_body

    _emit(error_body(exc.code, exc.message, exc.params, exc.details))
    sys.exit(EXIT_BAD_INPUT)


def _run(handler: Callable, national: bool) -> None:
    try:
        text = sys.stdin.read()
        try:
            payload = json.loads(text)
        except ValueError:
            raise ValidationFailed(details=[{"field": "", "message": "Send one JSON object."}]) from None
        resolver, close = (None, None)
        wants_local = not national and isinstance(payload, dict) and payload.get("jurisdiction")
        if wants_local and _database_configured():
            resolver, close = _tables_resolver()
        try:
            result = handler(payload, resolver)
        finally:
            if close is not None:
                close()
    except YingjiError as exc:
        _error(exc)
        return
    except SQLAlchemyError as exc:
        from yingji.core.http import error_body

        _emit(error_body("database_unavailable", DATABASE_UNAVAILABLE, {}, [{"reason": str(exc)[:300]}]))
        sys.exit(EXIT_NO_DATABASE)
    _emit(result)


@click.group()
def rules() -> None:
    """Grading and reporting rules (one JSON object on stdin, one on stdout)."""


NATIONAL = click.option("--national", is_flag=True, help="Ignore local overrides (national tables only).")


@rules.command("grade")
@NATIONAL
def grade_command(national: bool) -> None:
    """Grade an event: {"kind": …, measures…} → {"grade", "label", "basis"}."""
    from yingji.rules.interface import grade_request

    _run(grade_request, national)


@rules.command("deadlines")
@NATIONAL
def deadlines_command(national: bool) -> None:
    """Reporting deadlines: {"kind", "grade", "received_at", "jurisdiction"} → {"deadlines": […]}."""
    from yingji.rules.interface import deadlines_request

    _run(deadlines_request, national)


@rules.command("tables")
def tables_command() -> None:
    """List the rule tables with their version and source (JSON)."""
    from yingji.rules import tables
    from yingji.rules.grading import categories

    listed = [
        {"name": n, "version": tables.base(n)["version"], "source": tables.base(n)["source"]}
        for n in tables.TABLE_NAMES
    ]
    cats = categories()
    listed.append({"name": "event_categories", "version": cats["version"], "source": cats["source"]})
    _emit({"tables": listed})
