"""seismic (issue 14): 防震减灾助理员 / 灾情速报员 registry and their reports

Reserved in order for issue 14's domains; the domain fills it with scripts/migration.py.

Revision ID: 0034_seismic
Revises: 0033_tipoffs
Create Date: 2026-12-06 13:30:00
"""

revision = "0034_seismic"
down_revision = "0033_tipoffs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
