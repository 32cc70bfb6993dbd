"""``yingji forces``: load a road network, run the rule checks, find the nearest teams.

yingji forces load-roads roads.geojson      # travel times follow these roads from now on
yingji forces clear-roads                   # back to the straight-line estimate
yingji forces checks --within 520602        # counts of every check
yingji forces warn                          # send today's check summaries to the levels' inboxes
yingji forces nearest 109.19 27.73 --need flood_rescue --need water_rescue
"""

from __future__ import annotations

import json
from pathlib import Path

import click


def _db():
    from yingji.cli import _db as open_db  # not at import time: yingji.cli imports this module

    return open_db()


def _principal(db, username: str | None):
    from yingji.cli import _principal as acting_as

    return acting_as(db, username, what="forces-cli")


@click.group()
def forces() -> None:
    """Rescue forces (救援力量): road network, checks, nearest teams."""


@forces.command("load-roads")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", default=None, help="Act as this user (default: the system).")
def load_roads(path: Path, username: str | None) -> None:
    """Load GeoJSON road lines (LineString / MultiLineString; properties speed_kmh, oneway)."""
    from yingji.geo import roads

    db = _db()
    principal = _principal(db, username)
    with db.writing(principal.as_actor()) as session:
        row = roads.load(session, principal, path.read_bytes(), path.name)
        click.echo(f"road network {row.name}: {row.node_count:,} nodes, {row.edge_count:,} directed edges")


@forces.command("clear-roads")
def clear_roads() -> None:
    """Forget the loaded road networks (travel times go back to the straight-line estimate)."""
    from yingji.geo import roads

    db = _db()
    principal = _principal(db, None)
    with db.writing(principal.as_actor()) as session:
        click.echo(f"removed {roads.clear(session, principal)} road network(s)")


@forces.command("checks")
@click.option("--within", default=None, help="Division code to narrow to.")
@click.option("--days", type=int, default=30, show_default=True, help="Warn this many days ahead.")
@click.option("--as", "username", default=None, help="Act as this user (default: the system).")
def run_checks(within: str | None, days: int, username: str | None) -> None:
    """Print the count of every forces check."""
    from yingji.core.i18n import translate
    from yingji.forces import checks, codes

    db = _db()
    principal = _principal(db, username)
    with db.reading() as session:
        report = checks.run(session, principal, within=within, days=days, limit=1)
    for kind, n in report.counts.items():
        label = translate(checks.CHECKS[kind][0], "zh_CN", min=codes.MIN_VOLUNTEER_MEMBERS, days=days)
        click.echo(f"{n:>7,}  {label}")


@forces.command("warn")
def warn() -> None:
    """Send today's check summary to every level with findings (once per level and day)."""
    from yingji.core.db import Actor
    from yingji.forces.jobs import warn_levels

    db = _db()
    with db.writing(Actor.system("forces-cli")) as session:
        click.echo(f"told {warn_levels(session)} level(s)")


@forces.command("nearest")
@click.argument("lon", type=float)
@click.argument("lat", type=float)
@click.option("--need", "needs", multiple=True, help="Capability code (repeatable).")
@click.option("--limit", type=int, default=10, show_default=True)
@click.option("--as", "username", default=None, help="Act as this user (default: the system).")
def nearest(lon: float, lat: float, needs: tuple[str, ...], limit: int, username: str | None) -> None:
    """The nearest on-call teams to a point that bring one of the needed capabilities."""
    from yingji.forces import index, team_dispatch
    from yingji.geo.travel import model_for

    db = _db()
    principal = _principal(db, username)
    with db.reading() as session:
        found = index.nearest(
            index.current(session),
            lon,
            lat,
            list(needs),
            scope=principal.jurisdiction_code,
            model=model_for(session),
            limit=limit,
        )
        for c in found:
            row = team_dispatch.Recommendation(c, team_dispatch.reason_text(c, "zh_CN")).as_dict()
            click.echo(json.dumps(row, ensure_ascii=False))
