"""``yingji ingest`` (being built)."""

import click


@click.command()
@click.argument("source")
def ingest(source: str) -> None:
    """Ingest sensor readings (mqtt://host:port/topic…)."""
