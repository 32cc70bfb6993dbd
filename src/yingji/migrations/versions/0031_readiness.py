"""readiness (issue 14): readiness scorecards (863 / 六有 / 五有): hand confirmations, town HQ meetings

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0031_readiness
Revises: 0030_governance
Create Date: 2026-12-06 13:30:00
"""

revision = "0031_readiness"
down_revision = "0030_governance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
