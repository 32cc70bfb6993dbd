"""handbook (issue 14): 三清单一手册: generated handbooks and their print and distribution log

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0036_handbook
Revises: 0035_assessment
Create Date: 2026-12-06 13:30:00
"""

revision = "0036_handbook"
down_revision = "0035_assessment"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
