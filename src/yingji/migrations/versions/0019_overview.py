"""overview: a covering index of incidents by time, for the situation overview's 30-day trends of a
city or a province (two short range scans instead of the whole scope's range)

Revision ID: 0019_overview
Revises: 0018_video
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0019_overview"
down_revision = "0018_video"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_incidents_occurred_cover",
        "incidents",
        ["occurred_at", "jurisdiction_code", "category", "merged_into_id"],
        unique=False,
        sqlite_where=sa.text("merged_into_id IS NULL"),
        postgresql_where=sa.text("merged_into_id IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_incidents_occurred_cover",
        table_name="incidents",
        sqlite_where=sa.text("merged_into_id IS NULL"),
        postgresql_where=sa.text("merged_into_id IS NULL"),
    )
