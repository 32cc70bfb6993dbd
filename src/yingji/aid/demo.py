"""Demo data of aid (called from ``demo.builder.DEMO_EXTRAS``)."""

from __future__ import annotations


def build(db, data, options, progress) -> None:
    """Nothing yet (issue 13 fills it)."""
