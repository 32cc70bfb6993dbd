"""duty rosters, shifts, handover, leave, routine reports

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duty_report_settings",
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("deadline_minute", sa.SmallInteger(), nullable=False),
        sa.Column("remind_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("level IN ('town', 'county')", name=op.f("ck_duty_report_settings_level")),
        sa.CheckConstraint(
            "deadline_minute BETWEEN 0 AND 1439", name=op.f("ck_duty_report_settings_deadline")
        ),
        sa.CheckConstraint("remind_minutes BETWEEN 0 AND 720", name=op.f("ck_duty_report_settings_remind")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_duty_report_settings_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_report_settings")),
        sa.UniqueConstraint("jurisdiction_code", "level", name="uq_duty_report_settings_place_level"),
    )
    op.create_table(
        "duty_special_periods",
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column(
            "deadlines",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('holiday', 'flood_season', 'sensitive', 'other')",
            name=op.f("ck_duty_special_periods_kind"),
        ),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_duty_special_periods_period")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_duty_special_periods_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_special_periods")),
    )
    op.create_index(
        "ix_duty_special_periods_jurisdiction_start",
        "duty_special_periods",
        ["jurisdiction_code", "starts_on"],
        unique=False,
    )
    op.create_table(
        "duty_rosters",
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("shift_start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("timezone", sa.String(length=40), nullable=False),
        sa.Column("gap_days", sa.SmallInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("shift_start_minute BETWEEN 0 AND 1439", name=op.f("ck_duty_rosters_shift_start")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_duty_rosters_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_duty_rosters_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_rosters")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_duty_rosters_unit_id")),
    )
    op.create_index(
        op.f("ix_duty_rosters_jurisdiction_code"), "duty_rosters", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "duty_handovers",
        sa.Column("roster_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("written_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("written_by", sa.String(length=100), nullable=False),
        sa.Column("written_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column(
            "confirmed_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("confirm_note", sa.Text(), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["confirmed_by_user_id"],
            ["users.id"],
            name=op.f("fk_duty_handovers_confirmed_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["duty_rosters.id"],
            name=op.f("fk_duty_handovers_roster_id_duty_rosters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["written_by_user_id"],
            ["users.id"],
            name=op.f("fk_duty_handovers_written_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_handovers")),
        sa.UniqueConstraint("client_key", name=op.f("uq_duty_handovers_client_key")),
        sa.UniqueConstraint("roster_id", "shift_date", name="uq_duty_handovers_roster_shift"),
    )
    op.create_index(
        op.f("ix_duty_handovers_jurisdiction_code"), "duty_handovers", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "duty_leaves",
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("unit_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("starts_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("deputy_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("decided_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')", name=op.f("ck_duty_leaves_status")
        ),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_duty_leaves_period")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"],
            ["users.id"],
            name=op.f("fk_duty_leaves_decided_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deputy_person_id"], ["people.id"], name=op.f("fk_duty_leaves_deputy_person_id_people")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_duty_leaves_person_id_people")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_duty_leaves_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_leaves")),
        sa.UniqueConstraint("client_key", name=op.f("uq_duty_leaves_client_key")),
    )
    op.create_index(
        "ix_duty_leaves_jurisdiction_period", "duty_leaves", ["jurisdiction_code", "starts_at"], unique=False
    )
    op.create_index("ix_duty_leaves_person_period", "duty_leaves", ["person_id", "starts_at"], unique=False)
    op.create_index(op.f("ix_duty_leaves_unit_id"), "duty_leaves", ["unit_id"], unique=False)
    op.create_table(
        "duty_overrides",
        sa.Column("roster_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("shift_date", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("replaces_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("swap_key", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("kind IN ('override', 'swap')", name=op.f("ck_duty_overrides_kind")),
        sa.CheckConstraint("role IN ('leader', 'officer', 'backup')", name=op.f("ck_duty_overrides_role")),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR replaces_person_id IS NOT NULL", name=op.f("ck_duty_overrides_someone")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_duty_overrides_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_person_id"], ["people.id"], name=op.f("fk_duty_overrides_replaces_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["duty_rosters.id"],
            name=op.f("fk_duty_overrides_roster_id_duty_rosters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_overrides")),
    )
    op.create_index(
        op.f("ix_duty_overrides_jurisdiction_code"), "duty_overrides", ["jurisdiction_code"], unique=False
    )
    op.create_index(
        "ix_duty_overrides_roster_date", "duty_overrides", ["roster_id", "shift_date"], unique=False
    )
    op.create_index(op.f("ix_duty_overrides_swap_key"), "duty_overrides", ["swap_key"], unique=False)
    op.create_table(
        "duty_rotations",
        sa.Column("roster_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column(
            "members",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("days_per_turn", sa.SmallInteger(), nullable=False),
        sa.Column("per_shift", sa.SmallInteger(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('leader', 'officer', 'backup')", name=op.f("ck_duty_rotations_role")),
        sa.CheckConstraint("days_per_turn BETWEEN 1 AND 31", name=op.f("ck_duty_rotations_days_per_turn")),
        sa.CheckConstraint("per_shift BETWEEN 1 AND 20", name=op.f("ck_duty_rotations_per_shift")),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["duty_rosters.id"],
            name=op.f("fk_duty_rotations_roster_id_duty_rosters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_rotations")),
        sa.UniqueConstraint("roster_id", "role", "starts_on", name="uq_duty_rotations_roster_role_start"),
    )
    op.create_index(
        op.f("ix_duty_rotations_jurisdiction_code"), "duty_rotations", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "duty_routine_reports",
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("slot", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.String(length=6), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("deadline_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("submitted_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column(
            "submitted_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("submitted_by", sa.String(length=100), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("kind IN ('daily', 'zero')", name=op.f("ck_duty_routine_reports_kind")),
        sa.CheckConstraint("level IN ('town', 'county')", name=op.f("ck_duty_routine_reports_level")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_duty_routine_reports_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_user_id"],
            ["users.id"],
            name=op.f("fk_duty_routine_reports_submitted_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_routine_reports")),
        sa.UniqueConstraint("client_key", name=op.f("uq_duty_routine_reports_client_key")),
        sa.UniqueConstraint(
            "jurisdiction_code", "report_date", "slot", name="uq_duty_routine_reports_place_day_slot"
        ),
    )
    op.create_index(
        "ix_duty_routine_reports_date_place",
        "duty_routine_reports",
        ["report_date", "jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "duty_handover_items",
        sa.Column("roster_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("opened_handover_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("opened_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("closed_handover_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("closed_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("close_note", sa.String(length=500), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_handover_id"],
            ["duty_handovers.id"],
            name=op.f("fk_duty_handover_items_closed_handover_id_duty_handovers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opened_handover_id"],
            ["duty_handovers.id"],
            name=op.f("fk_duty_handover_items_opened_handover_id_duty_handovers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["roster_id"],
            ["duty_rosters.id"],
            name=op.f("fk_duty_handover_items_roster_id_duty_rosters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duty_handover_items")),
    )
    op.create_index(
        "ix_duty_handover_items_roster_open", "duty_handover_items", ["roster_id", "closed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_duty_handover_items_roster_open", table_name="duty_handover_items")
    op.drop_table("duty_handover_items")
    op.drop_index("ix_duty_routine_reports_date_place", table_name="duty_routine_reports")
    op.drop_table("duty_routine_reports")
    op.drop_index(op.f("ix_duty_rotations_jurisdiction_code"), table_name="duty_rotations")
    op.drop_table("duty_rotations")
    op.drop_index(op.f("ix_duty_overrides_swap_key"), table_name="duty_overrides")
    op.drop_index("ix_duty_overrides_roster_date", table_name="duty_overrides")
    op.drop_index(op.f("ix_duty_overrides_jurisdiction_code"), table_name="duty_overrides")
    op.drop_table("duty_overrides")
    op.drop_index(op.f("ix_duty_leaves_unit_id"), table_name="duty_leaves")
    op.drop_index("ix_duty_leaves_person_period", table_name="duty_leaves")
    op.drop_index("ix_duty_leaves_jurisdiction_period", table_name="duty_leaves")
    op.drop_table("duty_leaves")
    op.drop_index(op.f("ix_duty_handovers_jurisdiction_code"), table_name="duty_handovers")
    op.drop_table("duty_handovers")
    op.drop_index(op.f("ix_duty_rosters_jurisdiction_code"), table_name="duty_rosters")
    op.drop_table("duty_rosters")
    op.drop_index("ix_duty_special_periods_jurisdiction_start", table_name="duty_special_periods")
    op.drop_table("duty_special_periods")
    op.drop_table("duty_report_settings")
