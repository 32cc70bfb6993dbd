"""field (issue 15): the grid worker's app: offline submissions

Reserved in order for issue 15's parts; the domain fills it with scripts/migration.py, or leaves it
empty when it needs no table.

Revision ID: 0038_field
Revises: 0037_directory
Create Date: 2026-12-06 14:20:00
"""

revision = "0038_field"
down_revision = "0037_directory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
