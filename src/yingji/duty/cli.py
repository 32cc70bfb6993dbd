"""``yingji duty`` (being built)."""

import click


@click.group()
def duty() -> None:
    """Duty rosters and routine reports."""
