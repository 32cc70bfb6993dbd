"""``yingji rules`` (being built)."""

import click


@click.group()
def rules() -> None:
    """Grading and reporting rules."""
