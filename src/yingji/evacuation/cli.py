"""``yingji relief tally --order ID --json``: the live accounting of an evacuation order as one JSON
object (threatened, moved, sheltered, safe_elsewhere, unaccounted: households and people).

Read with the whole-country system scope from the configured database (as ``yingji plans``). A
missing database or order ends with exit code 2 and a message in Chinese then English."""

from __future__ import annotations

import json
import sys

import click

from yingji.core.i18n import N_, translate

EXIT_NOT_FOUND = 2
NO_DATABASE = N_("No database is configured (set YINGJI_DATABASE_URL or YINGJI_VAR_DIR).")
NO_ORDER = N_("No evacuation order {order}.")
BUCKETS = ("threatened", "moved", "sheltered", "safe_elsewhere", "unaccounted", "returned")


def _fail(message: str, **params) -> None:
    click.echo(f"{translate(message, 'zh_CN', **params)}\n{translate(message, 'en', **params)}", err=True)
    sys.exit(EXIT_NOT_FOUND)


@click.group()
def relief() -> None:
    """救灾救助: evacuation accounting. Relief: evacuation accounting."""


@relief.command("tally")
@click.option("--order", "order_id", type=int, required=True, help="The evacuation order's id.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object (the default output too).")
@click.option("--within", default=None, help="A division code: the accounting of that place only.")
def tally_command(order_id: int, as_json: bool, within: str | None) -> None:
    """threatened = moved + sheltered + safe elsewhere + unaccounted (+ returned), households and people."""
    from yingji.rules.cli import _database_configured

    if not _database_configured():
        _fail(NO_DATABASE)
    import yingji.core.schema  # noqa: F401 (every mapper, so the ORM can read)
    from yingji.auth.scope import Principal
    from yingji.config import load_settings
    from yingji.core.db import open_database
    from yingji.core.errors import NotFound
    from yingji.evacuation.tally import tally
    from yingji.org import codes

    db = open_database(load_settings())
    try:
        with db.reading() as session:
            try:
                place = codes.normalise(within) if within else None
                result = tally(session, Principal.system(), order_id, within=place)
            except (NotFound, ValueError):
                _fail(NO_ORDER, order=order_id)
    finally:
        db.dispose()
    out = {"order_id": result.order_id, "state": result.state.value, "as_of": result.as_of.isoformat()}
    for name in BUCKETS:
        count = getattr(result, name)
        out[name] = {"households": count.households, "people": count.people}
    out["rows"] = [
        {"code": r.code, "name": r.name, **{n: getattr(r, n).households for n in BUCKETS}}
        for r in result.rows
    ]
    click.echo(json.dumps(out, ensure_ascii=False))
