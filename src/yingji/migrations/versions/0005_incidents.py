"""incidents, reports, timeline, receipts, reporting deadlines, photos, number counters

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 08:17:33.967929
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column(
            "number",
            sa.String(length=40).with_variant(sa.String(length=40, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("grading_kind", sa.String(length=40), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("occurred_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("grade", sa.String(length=3), nullable=True),
        sa.Column(
            "grade_basis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("response_level", sa.Integer(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reported_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("reporter_name", sa.String(length=60), nullable=True),
        sa.Column("reporter_phone", sa.String(length=30), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("closed_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("located_by", sa.String(length=8), nullable=True),
        sa.Column("final_report_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("supplementary_until", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("serious_injuries", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("trapped", sa.Integer(), nullable=False),
        sa.Column("direct_loss_cny", sa.BigInteger(), nullable=False),
        sa.Column("relocated", sa.Integer(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("needing_aid", sa.Integer(), nullable=False),
        sa.Column("collapsed_rooms", sa.Integer(), nullable=False),
        sa.Column("collapsed_households", sa.Integer(), nullable=False),
        sa.Column("threatened_people", sa.Integer(), nullable=False),
        sa.Column("potential_loss_cny", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('I', 'II', 'III', 'IV')", name=op.f("ck_incidents_grade")
        ),
        sa.CheckConstraint(
            "status IN ('reported', 'verified', 'responding', 'stabilised', 'closed')",
            name=op.f("ck_incidents_status"),
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_incidents_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"], ["incidents.id"], name=op.f("fk_incidents_merged_into_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_user_id"], ["users.id"], name=op.f("fk_incidents_reported_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_incidents_idempotency_key")),
        sa.UniqueConstraint("number", name=op.f("uq_incidents_number")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incidents_category"), ["category"], unique=False)
        batch_op.create_index(
            "ix_incidents_jurisdiction_occurred", ["jurisdiction_code", "occurred_at"], unique=False
        )
        batch_op.create_index("ix_incidents_occurred", ["occurred_at"], unique=False)
        batch_op.create_index(
            "ix_incidents_status_jurisdiction", ["status", "jurisdiction_code"], unique=False
        )
        batch_op.create_index(
            "ix_incidents_live_scope",
            ["jurisdiction_code", "occurred_at", "status", "category", "grade", "merged_into_id"],
            unique=False,
            sqlite_where=sa.text("merged_into_id IS NULL"),
            postgresql_where=sa.text("merged_into_id IS NULL"),
            postgresql_include=["id"],
        )

    op.create_table(
        "incident_reports",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "submitted_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("grade_after", sa.String(length=3), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column(
            "merged_from_report_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("deaths", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.Column("serious_injuries", sa.Integer(), nullable=False),
        sa.Column("injuries", sa.Integer(), nullable=False),
        sa.Column("trapped", sa.Integer(), nullable=False),
        sa.Column("direct_loss_cny", sa.BigInteger(), nullable=False),
        sa.Column("relocated", sa.Integer(), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("needing_aid", sa.Integer(), nullable=False),
        sa.Column("collapsed_rooms", sa.Integer(), nullable=False),
        sa.Column("collapsed_households", sa.Integer(), nullable=False),
        sa.Column("threatened_people", sa.Integer(), nullable=False),
        sa.Column("potential_loss_cny", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('first', 'follow_up', 'final', 'supplementary')", name=op.f("ck_incident_reports_kind")
        ),
        sa.CheckConstraint("source IN ('chain', 'own', 'merged')", name=op.f("ck_incident_reports_source")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reports_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["users.id"],
            name=op.f("fk_incident_reports_submitted_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["merged_from_report_id"],
            ["incident_reports.id"],
            name=op.f("fk_incident_reports_merged_from_report_id_incident_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reports")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_incident_reports_idempotency_key")),
        sa.UniqueConstraint("incident_id", "seq", name="incident_seq"),
    )
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_reports_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_reports_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index("ix_incident_reports_received", ["received_at"], unique=False)

    op.create_table(
        "incident_timeline",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_timeline_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_timeline")),
    )
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.create_index("ix_incident_timeline_incident_at", ["incident_id", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_timeline_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )

    _create_receipts_deadlines_photos()


CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _create_receipts_deadlines_photos() -> None:
    op.create_table(
        "incident_number_counters",
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_incident_number_counters")),
    )
    op.create_table(
        "incident_deadlines",
        sa.Column("incident_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("to_level", sa.String(length=10), nullable=False),
        sa.Column("to_code", CODE, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("due_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("grade", sa.String(length=3), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("met_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("overdue_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("report_id", ID, nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.CheckConstraint(
            "state IN ('open', 'met', 'late', 'missed', 'waived')", name=op.f("ck_incident_deadlines_state")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_deadlines_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_reports.id"],
            name=op.f("fk_incident_deadlines_report_id_incident_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_deadlines")),
    )
    with op.batch_alter_table("incident_deadlines", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_deadlines_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_deadlines_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index("ix_incident_deadlines_state_due", ["state", "due_at"], unique=False)

    op.create_table(
        "incident_photos",
        sa.Column("incident_id", ID, nullable=False),
        sa.Column("report_id", ID, nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by_user_id", ID, nullable=True),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_photos_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["incident_reports.id"], name=op.f("fk_incident_photos_report_id_incident_reports")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"], ["users.id"], name=op.f("fk_incident_photos_uploaded_by_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_photos")),
        sa.UniqueConstraint("incident_id", "sha256", name="uq_incident_photos_incident_sha256"),
    )
    with op.batch_alter_table("incident_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_photos_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_incident_photos_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )

    op.create_table(
        "incident_receipts",
        sa.Column("incident_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("level_code", CODE, nullable=False),
        sa.Column("received_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("how", sa.String(length=12), nullable=False),
        sa.Column("from_level", sa.String(length=10), nullable=True),
        sa.Column("by_user_id", ID, nullable=True),
        sa.Column("report_id", ID, nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.CheckConstraint(
            "how IN ('submitted', 'chain', 'own', 'acknowledged', 'forwarded', 'merged')",
            name=op.f("ck_incident_receipts_how"),
        ),
        sa.ForeignKeyConstraint(
            ["by_user_id"], ["users.id"], name=op.f("fk_incident_receipts_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_receipts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["incident_reports.id"],
            name=op.f("fk_incident_receipts_report_id_incident_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_receipts")),
        sa.UniqueConstraint("incident_id", "level", name="uq_incident_receipts_incident_level"),
    )
    with op.batch_alter_table("incident_receipts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_receipts_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )


def downgrade() -> None:
    for table in ("incident_receipts", "incident_photos", "incident_deadlines", "incident_number_counters"):
        op.drop_table(table)
    with op.batch_alter_table("incident_timeline", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_timeline_jurisdiction_code"))
        batch_op.drop_index("ix_incident_timeline_incident_at")

    op.drop_table("incident_timeline")
    with op.batch_alter_table("incident_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_reports_jurisdiction_code"))
        batch_op.drop_index(batch_op.f("ix_incident_reports_incident_id"))

    op.drop_table("incident_reports")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_jurisdiction")
        batch_op.drop_index("ix_incidents_occurred")
        batch_op.drop_index("ix_incidents_jurisdiction_occurred")
        batch_op.drop_index(batch_op.f("ix_incidents_category"))

    op.drop_table("incidents")
