"""tipoffs (issue 14): tip-offs completed: kinds, reward workflow

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0033_tipoffs
Revises: 0032_training
Create Date: 2026-12-06 13:30:00
"""

revision = "0033_tipoffs"
down_revision = "0032_training"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
