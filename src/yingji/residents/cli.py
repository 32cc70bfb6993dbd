"""``yingji residents``: import and export the resident registry from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click


@click.group()
def residents() -> None:
    """The resident registry."""


@residents.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default=None, help="Act as this user (their jurisdiction and permissions).")
def import_(path: Path, as_user: str | None) -> None:
    """Import an .xlsx of residents (a file with any bad row imports nothing)."""
    from yingji.auth import audit
    from yingji.cli import _db, _ensure_schema, _principal
    from yingji.core.errors import ImportRejected
    from yingji.core.i18n import translate
    from yingji.residents.exchange import import_residents

    db = _db()
    _ensure_schema(db)
    principal = _principal(db, as_user)
    try:
        with db.writing(principal.as_actor()) as session:
            result = import_residents(session, principal, path.read_bytes()).as_dict()
            audit.record(session, "import", "residents", None, after=result, note=f"file={path.name}")
    except ImportRejected as exc:
        click.echo(translate(exc.message, "zh_CN", **exc.params), err=True)
        for d in exc.details:
            msg = translate(d["message"], "zh_CN", **(d.get("params") or {}))
            click.echo(
                f"  第{d.get('row')}行 row {d.get('row')} [{d.get('column')}] {d.get('value')!s}: {msg}",
                err=True,
            )
        sys.exit(1)
    click.echo(json.dumps({"kind": "residents", **result}, ensure_ascii=False))


@residents.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--within", default=None, help="Only this subtree (division code).")
@click.option("--as", "as_user", default=None, help="Act as this user (their scope; phones masked for them).")
def export(output: Path, within: str | None, as_user: str | None) -> None:
    """Export residents to an .xlsx that imports back unchanged."""
    from yingji.cli import _db, _principal
    from yingji.org import codes
    from yingji.residents.exchange import export_residents

    db = _db()
    principal = _principal(db, as_user)
    with db.reading() as session:
        body = export_residents(session, principal, codes.normalise(within) if within else None)
    output.write_bytes(body)
    click.echo(f"wrote {output} ({len(body):,} bytes)")
