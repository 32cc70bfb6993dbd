"""first receiver (issue 15 part 2): 首接负责制, owner and named hand-overs of reports, calls and tip-offs

Reserved in order for the parts of issues 15-17 worked side by side; the part fills it with
scripts/migration.py, or leaves it empty when it needs no schema change.

Revision ID: 0039_first_receiver
Revises: 0038_field
Create Date: 2026-12-06 16:40:00
"""

revision = "0039_first_receiver"
down_revision = "0038_field"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
