"""events: the log of events pushed to browsers (issue 11)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIME = yingji.core.types.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "event_log",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("payload", JSON, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_log")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_event_log_created", "event_log", ["created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_log_created", table_name="event_log")
    op.drop_table("event_log")
