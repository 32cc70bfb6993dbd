"""Small SQL helpers shared by the domains."""

from __future__ import annotations

from sqlalchemy import func


def unindexed(column):
    """The column as an expression no planner drives a scan from. SQLite keeps no statistics on
    skewed values ('closed' is most rows), so a filter on such a column is checked inside the index
    the query should use (a covering scope index, a time range) rather than chosen as the access path."""
    return func.coalesce(column, "")
