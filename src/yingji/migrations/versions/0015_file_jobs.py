"""files: exports and imports run as jobs with progress (issue 10)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIME = yingji.core.types.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "file_jobs",
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("locale", sa.String(length=10), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.Column("result", JSON, nullable=True),
        sa.Column("message", sa.String(length=300), nullable=True),
        sa.Column("message_params", JSON, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("expires_at", TIME, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_file_jobs_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_file_jobs")),
    )
    op.create_index("ix_file_jobs_user", "file_jobs", ["user_id", "id"], unique=False)
    op.create_index("ix_file_jobs_expiry", "file_jobs", ["state", "expires_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_file_jobs_expiry", table_name="file_jobs")
    op.drop_index("ix_file_jobs_user", table_name="file_jobs")
    op.drop_table("file_jobs")
