"""queue (issue 17 part 2): the claim's partial index and what a faster queue needs

Reserved in order for the parts of issues 15-17 worked side by side; the part fills it with
scripts/migration.py, or leaves it empty when it needs no schema change.

Revision ID: 0040_queue
Revises: 0039_first_receiver
Create Date: 2026-12-06 16:40:00
"""

revision = "0040_queue"
down_revision = "0039_first_receiver"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
