"""standards (issue 16 part 6): CAP identifiers per GB/T 35965.1, GB/T 35561 codes

Reserved in order for the parts of issues 15-17 worked side by side; the part fills it with
scripts/migration.py, or leaves it empty when it needs no schema change.

Revision ID: 0042_standards
Revises: 0041_ledger
Create Date: 2026-12-06 16:40:00
"""

revision = "0042_standards"
down_revision = "0041_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
