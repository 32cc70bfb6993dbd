"""``yingji ingest``: sensor readings from an MQTT broker (runs until stopped) or from a JSON file."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click


@click.command()
@click.argument("source")
@click.option(
    "--as", "as_user", default=None, help="Ingest as this user (their area; needs monitoring.manage)."
)
@click.option(
    "--client-id", default="yingji-ingest", show_default=True, help="MQTT client id (its session persists)."
)
@click.option("--qos", type=click.IntRange(0, 1), default=1, show_default=True, help="MQTT subscription QoS.")
@click.option(
    "--batch", "batch_size", type=int, default=5000, show_default=True, help="Readings per transaction."
)
@click.option(
    "--flush-ms", type=int, default=200, show_default=True, help="Longest wait before a batch is written."
)
@click.option(
    "--max-messages", type=int, default=None, help="Stop after this many messages (tests, replays)."
)
@click.option("--idle-exit", type=float, default=None, help="Stop after this many seconds without a message.")
def ingest(
    source: str,
    as_user: str | None,
    client_id: str,
    qos: int,
    batch_size: int,
    flush_ms: int,
    max_messages: int | None,
    idle_exit: float | None,
) -> None:
    """Ingest sensor readings: SOURCE is mqtt://host:port/topic/# (topic per sensor, JSON {"t", "v"}
    or a list of them) or a JSON file of [{"sensor", "t", "v"}] ("-" for standard input).

    Rejected readings are counted per sensor and reason (see /monitoring/rejections)."""
    from yingji.cli import _db, _ensure_schema, _principal

    db = _db()
    _ensure_schema(db)
    principal = _principal(db, as_user)
    if source.startswith(("mqtt://", "mqtts://")):
        _mqtt(db, principal, source, client_id, qos, batch_size, flush_ms / 1000, max_messages, idle_exit)
    else:
        _file(db, principal, source)


def _mqtt(db, principal, url, client_id, qos, batch_size, flush_s, max_messages, idle_exit) -> None:
    from yingji.monitoring.mqtt import Subscriber, parse_url

    try:
        src = parse_url(url)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="SOURCE") from None
    sub = Subscriber(db, src, principal, client_id=client_id, qos=qos, batch_size=batch_size, flush_s=flush_s)
    try:
        sub.start()
    except OSError as exc:
        raise click.ClickException(f"cannot reach the MQTT broker: {exc}") from None
    stop = threading.Event()
    before = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            before[sig] = signal.signal(sig, lambda *_: stop.set())
    click.echo(f"ingesting {src.topic} from {src.host}:{src.port} (Ctrl-C stops)", err=True)
    try:
        total = sub.run(stop, max_messages=max_messages, idle_exit_s=idle_exit)
    finally:
        sub.stop()
        for sig, handler in before.items():
            signal.signal(sig, handler)
    click.echo(json.dumps({"messages": sub.messages, **total.as_dict()}, ensure_ascii=False))


def _file(db, principal, path: str) -> None:
    from yingji.monitoring import ingest as service
    from yingji.monitoring.parse import from_items

    text = sys.stdin.read() if path == "-" else _read(path)
    try:
        items = json.loads(text)
    except ValueError:
        raise click.ClickException('the file is not JSON: expected [{"sensor", "t", "v"}, …]') from None
    with db.writing(principal.as_actor()) as session:
        result = service.ingest(session, principal, from_items(items), source=f"file:{Path(path).name}"[:100])
    click.echo(json.dumps(result.as_dict(), ensure_ascii=False))


def _read(path: str) -> str:
    file = Path(path)
    if not file.is_file():
        raise click.BadParameter(
            "write mqtt://host:port/topic/# or the path of a JSON file", param_hint="SOURCE"
        )
    return file.read_text(encoding="utf-8")
