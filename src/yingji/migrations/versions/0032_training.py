"""training (issue 14): training and publicity: courses, sessions, participants, obligations, publicity events

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0032_training
Revises: 0031_readiness
Create Date: 2026-12-06 13:30:00
"""

revision = "0032_training"
down_revision = "0031_readiness"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
