"""assessment (issue 14): assessment: schemes, indicators, scores with evidence, vetoes, results

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0035_assessment
Revises: 0034_seismic
Create Date: 2026-12-06 13:30:00
"""

revision = "0035_assessment"
down_revision = "0034_seismic"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
