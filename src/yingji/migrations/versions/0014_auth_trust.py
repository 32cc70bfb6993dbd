"""auth: token expiry and revocation, disabled users, security events (issue 10)

Revision ID: 0014
Revises: 0012
Create Date: 2026-12-06
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import yingji.core.types

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TOKEN_DAYS = 90


def upgrade() -> None:
    op.create_table(
        "security_events",
        sa.Column("bucket", sa.String(length=250), nullable=False),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", BIGID, nullable=True),
        sa.Column("username", sa.String(length=100), nullable=True),
        sa.Column("user_jurisdiction_code", CODE, nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=True),
        sa.Column("entity", sa.String(length=64), nullable=True),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=True),
        sa.Column("method", sa.String(length=10), nullable=True),
        sa.Column("path", sa.String(length=300), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", BIGID, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
        sa.UniqueConstraint("bucket", name=op.f("uq_security_events_bucket")),
    )
    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_security_events_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_events_ip"), ["ip"], unique=False)
        batch_op.create_index("ix_security_events_jurisdiction_at", ["jurisdiction_code", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_events_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_security_events_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "ix_security_events_user_jurisdiction_at", ["user_jurisdiction_code", "at"], unique=False
        )

    # Throttle rows are short-lived state: the old lockouts are dropped, not converted.
    op.execute("DELETE FROM login_throttle")
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_failure_at", yingji.core.types.UTCDateTime(), nullable=True))
        batch_op.alter_column(
            "key", existing_type=sa.VARCHAR(length=120), type_=sa.String(length=200), existing_nullable=False
        )
        batch_op.create_index("ix_login_throttle_last_failure_at", ["last_failure_at"], unique=False)

    # Tokens made before expiry existed: they expire TOKEN_DAYS after this upgrade (not at once,
    # which would stop every sensor gateway and script the moment the server is updated).
    tokens = sa.table(
        "api_tokens",
        sa.column("expires_at", yingji.core.types.UTCDateTime()),
    )
    op.execute(
        tokens.update()
        .where(tokens.c.expires_at.is_(None))
        .values(expires_at=datetime.now(UTC) + timedelta(days=TOKEN_DAYS))
    )


def downgrade() -> None:
    op.execute("DELETE FROM login_throttle")
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index("ix_login_throttle_last_failure_at")
        batch_op.alter_column(
            "key", existing_type=sa.String(length=200), type_=sa.VARCHAR(length=120), existing_nullable=False
        )
        batch_op.drop_column("last_failure_at")

    with op.batch_alter_table("security_events", schema=None) as batch_op:
        batch_op.drop_index("ix_security_events_user_jurisdiction_at")
        batch_op.drop_index(batch_op.f("ix_security_events_user_id"))
        batch_op.drop_index(batch_op.f("ix_security_events_kind"))
        batch_op.drop_index("ix_security_events_jurisdiction_at")
        batch_op.drop_index(batch_op.f("ix_security_events_ip"))
        batch_op.drop_index(batch_op.f("ix_security_events_at"))
    op.drop_table("security_events")
