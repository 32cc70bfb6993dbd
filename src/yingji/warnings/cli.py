"""``yingji cap``: validate, import and export CAP messages from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from yingji.core.i18n import N_


@click.group()
def cap() -> None:
    """CAP 1.2 warnings: validate, import, export."""


def _read(path: Path) -> bytes:
    from yingji.warnings import capxml

    size = path.stat().st_size
    if size > capxml.MAX_CAP_BYTES:
        click.echo(f"line ? <alert>: larger than {capxml.MAX_CAP_BYTES} bytes", err=True)
        sys.exit(1)
    return path.read_bytes()


def _refused(exc) -> None:
    from yingji.core.i18n import translate
    from yingji.warnings import capxml

    click.echo(
        f"{translate(exc.message, 'zh_CN', **exc.params)} / {translate(exc.message, 'en', **exc.params)}",
        err=True,
    )
    for line in capxml.describe(exc, "zh_CN"):
        click.echo(f"  {line}", err=True)
    sys.exit(1)


# Where an imported message went when its area lies outside every known jurisdiction (said on stderr).
OUTSIDE = {
    "root": N_(
        "The message's area is outside every known jurisdiction: kept at the root jurisdiction {code}."
    ),
    "importer": N_(
        "The message's area is outside every known jurisdiction: kept at your jurisdiction {code}."
    ),
}


@cap.command("validate")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(path: Path) -> None:
    """Exit 0 if FILE is valid CAP 1.2 (or 1.1, upgradable), else 1 with the reasons."""
    from yingji.warnings import capxml

    try:
        message = capxml.parse(_read(path))
    except capxml.CapRejected as exc:
        _refused(exc)
        return
    note = " (CAP 1.1, upgraded)" if message["cap_version"] == "1.1" else ""
    click.echo(f"valid CAP 1.2{note}: {message['sender']} {message['identifier']}")


@cap.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "as_user", default=None, help="Act as this user (their jurisdiction and permissions).")
@click.option("--relay", is_flag=True, help="Pass the warning on to our recipients.")
def import_(path: Path, as_user: str | None, relay: bool) -> None:
    """Import FILE; prints a JSON object with the stored id and identifier."""
    from yingji.cli import _db, _ensure_schema, _principal
    from yingji.core.errors import YingjiError
    from yingji.core.i18n import translate
    from yingji.warnings import capimport, capxml

    db = _db()
    _ensure_schema(db)
    principal = _principal(db, as_user)
    data = _read(path)
    try:
        with db.writing(principal.as_actor()) as session:
            result = capimport.import_message(
                session, principal, data, origin="import", origin_ref=path.name, relay=relay
            ).as_dict()
    except capxml.CapRejected as exc:
        _refused(exc)
        return
    except YingjiError as exc:  # refused (no jurisdiction yet, no authority …): say why, no traceback
        click.echo(
            f"{translate(exc.message, 'zh_CN', **exc.params)} / {translate(exc.message, 'en', **exc.params)}",
            err=True,
        )
        for d in exc.details:
            click.echo(f"  {translate(d.get('message', ''), 'zh_CN', **(d.get('params') or {}))}", err=True)
        sys.exit(1)
    if result["placement"] in (capimport.Placement.ROOT, capimport.Placement.IMPORTER):
        message = OUTSIDE[result["placement"]]
        code = result["jurisdiction_code"]
        click.echo(
            f"{translate(message, 'zh_CN', code=code)} / {translate(message, 'en', code=code)}", err=True
        )
    click.echo(json.dumps(result, ensure_ascii=False))


@cap.command("export")
@click.argument("warning_id", type=int)
@click.option(
    "--profile", "profile_name", type=click.Choice(["cap12", "cn"]), default="cap12", show_default=True
)
@click.option("--as", "as_user", default=None, help="Act as this user (their scope).")
def export(warning_id: int, profile_name: str, as_user: str | None) -> None:
    """Write warning ID as CAP 1.2 (``cap12``) or the Chinese profile (``cn``) to stdout."""
    from yingji.cli import _db, _principal
    from yingji.warnings import export as exporting

    db = _db()
    principal = _principal(db, as_user)
    with db.reading() as session:
        body, _name = exporting.export(session, principal, warning_id, profile_name)
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
