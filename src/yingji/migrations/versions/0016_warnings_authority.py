"""warnings: who may act on whose warnings (sender authorities) and the hosts feeds may be fetched
from (issue 10)

These tables belong to this revision only; an earlier revision must not create them.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import yingji.core.types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = yingji.core.types.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "warning_sender_authorities",
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("authority", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", ID, nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_warning_sender_authorities_created_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_warning_sender_authorities_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_sender_authorities")),
        sa.UniqueConstraint(
            "sender", "authority", "jurisdiction_code", name="uq_warning_sender_authorities_pair"
        ),
    )
    op.create_index(
        op.f("ix_warning_sender_authorities_sender"), "warning_sender_authorities", ["sender"], unique=False
    )
    op.create_index(
        op.f("ix_warning_sender_authorities_jurisdiction_code"),
        "warning_sender_authorities",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "warning_feed_hosts",
        sa.Column("pattern", sa.String(length=255), nullable=False),
        sa.Column("allow_private", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", ID, nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_warning_feed_hosts_created_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_feed_hosts")),
        sa.UniqueConstraint("pattern", name="uq_warning_feed_hosts_pattern"),
    )


def downgrade() -> None:
    op.drop_table("warning_feed_hosts")
    op.drop_index(
        op.f("ix_warning_sender_authorities_jurisdiction_code"), table_name="warning_sender_authorities"
    )
    op.drop_index(op.f("ix_warning_sender_authorities_sender"), table_name="warning_sender_authorities")
    op.drop_table("warning_sender_authorities")
