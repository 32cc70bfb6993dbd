"""``yingji relief tally --order ID --json``: the live accounting of an evacuation order as one JSON
object (threatened, moved, sheltered, safe_elsewhere, unaccounted: households and people)."""

from __future__ import annotations

import click


@click.group()
def relief() -> None:
    """救灾救助: evacuation accounting. Relief: evacuation accounting."""
