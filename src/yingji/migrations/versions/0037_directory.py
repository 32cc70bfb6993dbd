"""directory (issue 15): directory: place names people use (aliases, pinyin)

Reserved in order for issue 15's parts; the domain fills it with scripts/migration.py, or leaves it
empty when it needs no table.

Revision ID: 0037_directory
Revises: 0036_handbook
Create Date: 2026-12-06 14:20:00
"""

revision = "0037_directory"
down_revision = "0036_handbook"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
