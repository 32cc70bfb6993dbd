"""The ``yingji`` command: serve, demo, worker, migrate, import, export, stats, users."""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

import click

from yingji import __version__, domains
from yingji.config import load_settings

log = logging.getLogger("yingji")


def _db():
    from yingji.core.db import open_database

    return open_database(load_settings())


def _ensure_schema(db) -> None:
    from yingji.core import migrate

    if not migrate.is_current(db.engine):
        click.echo("Migrating the database schema …", err=True)
        migrate.upgrade(db.engine)


def _principal(db, username: str | None, what: str = "cli"):
    """The CLI acts as the system (whole scope) or, with --as, as a named user with their scope."""
    from sqlalchemy import select

    from yingji.auth.models import User
    from yingji.auth.scope import Principal

    if not username:
        return Principal.system(what=what)
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"no such user: {username}")
        return Principal.of(user)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="yingji")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(verbose: bool) -> None:
    """应急 Yingji — integrated emergency-management platform (智慧应急综合平台).

    Configuration comes from environment variables (YINGJI_DATABASE_URL, …); with none set,
    everything runs on a SQLite file under ./var/.
    """
    from yingji.core.redact import configure_logging

    configure_logging(logging.DEBUG if verbose else logging.INFO)  # secrets masked in every line
    if not verbose:
        logging.getLogger("alembic").setLevel(logging.WARNING)


@cli.command()
@click.option("--host", default=None, help="Address to bind (default YINGJI_HOST or 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default YINGJI_PORT or 8000).")
@click.option(
    "--workers",
    type=int,
    default=1,
    show_default=True,
    help="HTTP worker processes (PostgreSQL only; SQLite runs one process).",
)
@click.option("--no-worker", is_flag=True, help="Do not start the in-process job worker on SQLite.")
def serve(host: str | None, port: int | None, workers: int, no_worker: bool) -> None:
    """Run the web application (pages and /api/v1)."""
    import uvicorn

    from yingji.core.redact import uvicorn_log_config

    settings = load_settings()
    db = _db()
    _ensure_schema(db)
    if settings.is_sqlite and workers > 1:
        raise click.ClickException("SQLite serves from one process; use PostgreSQL for --workers > 1")
    if no_worker:
        os.environ["YINGJI_INPROCESS_WORKER"] = "0"
    host = host or settings.host
    port = settings.port if port is None else port  # --port 0: a free port the OS picks
    _warn_demo_accounts(db)
    proxies = list(settings.trusted_proxies)
    click.echo(f"Yingji {__version__} on http://{host}:{port}  (database: {settings.database_kind})")
    click.echo(
        f"X-Forwarded-For believed from: {', '.join(proxies)}"
        if proxies
        else "X-Forwarded-For ignored (set YINGJI_TRUSTED_PROXIES behind a proxy)",
        err=True,
    )
    uvicorn.run(
        "yingji.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Only our proxies' X-Forwarded-For/-Proto count (the app reads the same list: auth/clientaddr.py);
        # uvicorn's default would believe any local process.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or [],
        log_level="info",
        log_config=uvicorn_log_config(logging.getLogger().level),
        # Event streams (/api/v1/events/stream) never end by themselves: on shutdown, close them after
        # a few seconds (browsers reconnect to another process with Last-Event-ID) instead of waiting.
        timeout_graceful_shutdown=5,
    )


def _warn_demo_accounts(db) -> None:
    """Loudly, at start: demo logins that still have the published password on PostgreSQL."""
    from yingji.auth import demo_accounts

    names = demo_accounts.warning(db)
    db.dispose()
    if not names:
        return
    log.warning("DEMO ACCOUNTS OPEN with the published demo password: %s", ", ".join(names))
    bar = "!" * 78
    click.echo(
        f"{bar}\n!! 警告：演示账号仍使用公开的演示密码，可被任何人登录：{', '.join(names)}\n"
        f"!! WARNING: demo accounts still have the published demo password: {', '.join(names)}\n"
        "!! 请停用或修改密码 / disable them or change their passwords: yingji users disable NAME\n"
        f"{bar}",
        err=True,
    )


@cli.command()
@click.option(
    "--province", is_flag=True, help="Build all of Guizhou (1,510 towns, 17,964 villages) for scale work."
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed, same demo.")
@click.option("--reset", is_flag=True, help="Drop everything in the database first.")
@click.option("--county", "counties", multiple=True, help="Only build these counties in detail (repeatable).")
@click.option(
    "--residents",
    type=int,
    default=None,
    help="Residents in the registry (default about 6 per village group; e.g. 1000000 for scale work).",
)
def demo(province: bool, seed: int, reset: bool, counties: tuple[str, ...], residents: int | None) -> None:
    """Build the demo city (Tongren, seed 003 scale) and print the demo logins."""
    from yingji.core import migrate
    from yingji.demo import builder

    db = _db()
    if reset:
        click.echo("Dropping the existing schema …", err=True)
        if migrate.current(db.engine) is not None:
            migrate.downgrade(db.engine, "base")
    _ensure_schema(db)
    if builder.is_built(db):
        click.echo("The demo is already built (use --reset to rebuild).")
        _print_logins(builder.existing_logins(db))
        return
    started = time.perf_counter()
    bars: dict[str, object] = {}

    def progress(step: str, done: int, total: int) -> None:
        bar = bars.get(step)
        if bar is None:
            label = {"places": "地图与组织 places", "write": "写入 writing"}.get(step, step)
            bar = bars[step] = click.progressbar(length=total, label=label, file=sys.stderr)
            bar.__enter__()
            bar.done = 0
        bar.update(done - bar.done)
        bar.done = done
        if done >= total:
            bar.__exit__(None, None, None)

    options = builder.DemoOptions(
        province=province, seed=seed, counties=list(counties) or None, residents=residents
    )
    data, logins = builder.build(db, options, progress)
    elapsed = time.perf_counter() - started
    click.echo(f"\nBuilt {'Guizhou' if province else 'Tongren'} in {elapsed:.1f} s: {data.count():,} rows.")
    with db.reading() as session:
        from yingji.org import stats

        click.echo(json.dumps(stats.counts(session), ensure_ascii=False))
    _print_logins(logins)


def _print_logins(logins) -> None:
    from yingji.auth.roles import ROLE_LABELS_MSGID
    from yingji.core.i18n import translate
    from yingji.demo.builder import DEMO_PASSWORD

    click.echo(f"\n演示账号 Demo logins (password / 密码: {DEMO_PASSWORD})")
    for login in logins:
        role = translate(ROLE_LABELS_MSGID[login.role], "zh_CN")
        click.echo(f"  {login.username:<11} {role:<10} {login.jurisdiction_name} ({login.jurisdiction_code})")


@cli.command()
@click.option("--once", is_flag=True, help="Run what is due now, then exit.")
@click.option("--concurrency", type=int, default=1, show_default=True, help="Worker threads in this process.")
@click.option("--kinds", default="", help="Only these job kinds (comma-separated).")
@click.option("--load", "modules", multiple=True, help="Extra module(s) with job handlers to import.")
@click.option(
    "--idle", type=float, default=0.5, show_default=True, help="Seconds to wait when nothing is due."
)
def worker(once: bool, concurrency: int, kinds: str, modules: tuple[str, ...], idle: float) -> None:
    """Run durable jobs (deadlines, reminders, deliveries). Start as many as you like on PostgreSQL."""
    from yingji.jobs import registry
    from yingji.jobs.worker import Worker

    registry.load_all(list(modules))
    db = _db()
    _ensure_schema(db)
    kind_list = [k.strip() for k in kinds.split(",") if k.strip()] or None
    # One worker with `concurrency` runner threads: it claims one job per free runner (several in
    # one statement) and is woken by enqueues (LISTEN/NOTIFY on PostgreSQL).
    worker = Worker(
        db,
        name=f"{socket.gethostname()}:{os.getpid()}:0",
        kinds=kind_list,
        idle_sleep_s=idle,
        concurrency=concurrency,
    )
    if once:
        n = worker.run_until_idle()
        click.echo(f"ran {n} jobs")
        return

    def stop(signum, frame):
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    thread = threading.Thread(target=worker.run_forever, daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(timeout=0.5)


@cli.command()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@click.option("--downgrade", "down", is_flag=True, help="Downgrade to --revision instead.")
def migrate(revision: str, down: bool) -> None:
    """Bring the database schema up to date (Alembic, one linear history)."""
    from yingji.core import migrate as m

    db = _db()
    if down:
        m.downgrade(db.engine, revision)
    else:
        m.upgrade(db.engine, revision)
    click.echo(f"schema at {m.current(db.engine)}")


@cli.command(name="import")
@click.argument("kind", type=click.Choice(["divisions", "units", "people", "grid"]))
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option("--as", "as_user", default=None, help="Act as this user (their jurisdiction and permissions).")
@click.option("--under", default=None, help="divisions: keep only this subtree (e.g. 5206).")
def import_(kind: str, path: Path | None, as_user: str | None, under: str | None) -> None:
    """Import divisions (CSV; the packaged Guizhou list when PATH is omitted) or an .xlsx of
    units, people or grid assignments. A file with any bad row imports nothing."""
    from yingji.auth import audit
    from yingji.core.errors import ImportRejected
    from yingji.core.i18n import translate
    from yingji.org import divisions, exchange

    db = _db()
    _ensure_schema(db)
    principal = _principal(db, as_user)
    try:
        with db.writing(principal.as_actor()) as session:
            if kind == "divisions":
                result = divisions.import_divisions(session, divisions.read_rows(path), under)
            else:
                if path is None:
                    raise click.UsageError("PATH is required for " + kind)
                result = exchange.IMPORTERS[kind](session, principal, path.read_bytes()).as_dict()
                audit.record(session, "import", kind, None, after=result, note=f"file={path.name}")
    except ImportRejected as exc:
        click.echo(translate(exc.message, "zh_CN", **exc.params), err=True)
        for d in exc.details:
            msg = translate(d["message"], "zh_CN", **(d.get("params") or {}))
            click.echo(
                f"  第{d.get('row')}行 row {d.get('row')} [{d.get('column')}] {d.get('value')!s}: {msg}",
                err=True,
            )
        sys.exit(1)
    click.echo(json.dumps({"kind": kind, **result}, ensure_ascii=False))


@cli.command()
@click.argument("kind", type=click.Choice(["units", "people", "grid"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--within", default=None, help="Only this subtree (division code).")
@click.option("--as", "as_user", default=None, help="Act as this user (their scope; phones masked for them).")
@click.option("--lang", default="zh_CN", type=click.Choice(["zh_CN", "en"]), show_default=True)
def export(kind: str, output: Path, within: str | None, as_user: str | None, lang: str) -> None:
    """Export units, people or grid assignments to an .xlsx that imports back unchanged."""
    from yingji.auth import audit
    from yingji.org import exchange

    db = _db()
    principal = _principal(db, as_user)
    with db.reading() as session:
        body = exchange.export_workbook(session, principal, kind, within, lang)
    output.write_bytes(body)
    with db.writing(principal.as_actor()) as session:
        audit.record(session, "export", kind, None, jurisdiction_code=within, note=str(output))
    click.echo(f"wrote {output} ({len(body):,} bytes)")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option("--within", default=None, help="Only this subtree (division code).")
def stats(as_json: bool, within: str | None) -> None:
    """Counts by entity and level: counties, towns, villages, grid cells, grid workers, units,
    people, users."""
    from yingji.org import stats as org_stats

    db = _db()
    with db.reading() as session:
        counts = org_stats.counts(session, within)
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False))
        return
    for key, value in counts.items():
        click.echo(f"{key:>22}  {value}")


# Command groups that live with their domain (``yingji rules …``, ``yingji duty …``).
DOMAIN_COMMANDS = domains.cli_groups()
for _module, _attr in DOMAIN_COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _attr))


def main() -> None:
    """Entry point: bilingual one-line errors instead of tracebacks for expected failures."""
    import yingji.core.schema  # noqa: F401 (every model: foreign keys cross domains, e.g. a response names its plan)
    from yingji.core.errors import YingjiError
    from yingji.core.i18n import translate

    try:
        cli(standalone_mode=True)
    except YingjiError as exc:
        zh = translate(exc.message, "zh_CN", **exc.params)
        en = translate(exc.message, "en", **exc.params)
        details = "; ".join(translate(d.get("message", ""), "zh_CN") for d in exc.details)
        click.echo(f"错误 error: {zh} / {en}" + (f" ({details})" if details else ""), err=True)
        sys.exit(2)
