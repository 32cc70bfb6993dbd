"""``yingji cap`` (being built)."""

import click


@click.group()
def cap() -> None:
    """CAP 1.2 warnings: validate, import, export."""
