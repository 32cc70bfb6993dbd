"""governance (issue 14): work tasks and supervision: task plans, measures, units, progress, ledger, 督办, year-end sign-off

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0030_governance
Revises: 0029_aid
Create Date: 2026-12-06 13:30:00
"""

revision = "0030_governance"
down_revision = "0029_aid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
