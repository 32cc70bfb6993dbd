"""``yingji residents`` (being built)."""

import click


@click.group()
def residents() -> None:
    """The resident registry."""
