"""ledger (issue 17 part 3): set-based posting of stock documents

Reserved in order for the parts of issues 15-17 worked side by side; the part fills it with
scripts/migration.py, or leaves it empty when it needs no schema change.

Revision ID: 0041_ledger
Revises: 0040_queue
Create Date: 2026-12-06 16:40:00
"""

revision = "0041_ledger"
down_revision = "0040_queue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
