"""residents, deliveries, acknowledgements, escalations

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channel_endpoints",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("rate_per_s", sa.Float(), nullable=False),
        sa.Column("next_free_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('sms', 'email', 'wecom', 'dingtalk', 'broadcast')",
            name=op.f("ck_channel_endpoints_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_endpoints")),
    )
    op.create_index(
        "ix_channel_endpoints_kind_place", "channel_endpoints", ["kind", "jurisdiction_code"], unique=False
    )

    op.create_table(
        "dispatches",
        sa.Column("warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("root_warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event", sa.String(length=12), nullable=False),
        sa.Column("identifier", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("headline", sa.String(length=300), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("ack_code", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column(
            "policy",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "content",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "targeting",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("stopped_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("stop_reason", sa.String(length=40), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("state IN ('active', 'stopped')", name=op.f("ck_dispatches_state")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatches")),
    )
    op.create_index(op.f("ix_dispatches_ack_code"), "dispatches", ["ack_code"], unique=False)
    op.create_index(
        op.f("ix_dispatches_jurisdiction_code"), "dispatches", ["jurisdiction_code"], unique=False
    )
    op.create_index(op.f("ix_dispatches_root_warning_id"), "dispatches", ["root_warning_id"], unique=False)
    op.create_index(op.f("ix_dispatches_warning_id"), "dispatches", ["warning_id"], unique=False)

    op.create_table(
        "residents",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "village_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("household", sa.String(length=40), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("lives_alone", sa.Boolean(), nullable=False),
        sa.Column("very_old", sa.Boolean(), nullable=False),
        sa.Column("vulnerability", sa.SmallInteger(), nullable=False),
        sa.Column("subscribed", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_residents")),
    )
    op.create_index(op.f("ix_residents_mobile"), "residents", ["mobile"], unique=False)
    op.create_index(
        "ix_residents_place_household", "residents", ["jurisdiction_code", "household"], unique=False
    )
    op.create_index(
        "ix_residents_village_household_name",
        "residents",
        ["village_code", "household", "name"],
        unique=False,
    )

    op.create_table(
        "warning_policies",
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "steps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "level IN ('red', 'orange', 'yellow', 'blue')", name=op.f("ck_warning_policies_level")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_policies")),
        sa.UniqueConstraint("jurisdiction_code", "level", name="uq_warning_policies_place_level"),
    )
    op.create_table(
        "acknowledgements",
        sa.Column("dispatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("method", sa.String(length=8), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("method IN ('link', 'sms', 'app')", name=op.f("ck_acknowledgements_method")),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_acknowledgements_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgements")),
        sa.UniqueConstraint("dispatch_id", "person_id", name="uq_acknowledgements_person"),
    )
    op.create_index(op.f("ix_acknowledgements_person_id"), "acknowledgements", ["person_id"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("dispatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient_kind", sa.String(length=10), nullable=False),
        sa.Column("recipient_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.SmallInteger(), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=True),
        sa.Column(
            "cell_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("round", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.SmallInteger(), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("sent_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint(
            "channel IN ('sms', 'email', 'inbox', 'wecom', 'dingtalk', 'broadcast')",
            name=op.f("ck_deliveries_channel"),
        ),
        sa.CheckConstraint(
            "state IN ('queued', 'sent', 'delivered', 'failed', 'acknowledged')",
            name=op.f("ck_deliveries_state"),
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_deliveries_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint(
            "dispatch_id",
            "channel",
            "recipient_kind",
            "recipient_id",
            "purpose",
            name="uq_deliveries_recipient",
        ),
    )
    op.create_index(
        "ix_deliveries_dispatch_channel_state",
        "deliveries",
        ["dispatch_id", "channel", "state", "tier", "id"],
        unique=False,
    )

    op.create_table(
        "dispatch_cells",
        sa.Column("dispatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grid_cell_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "cell_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("acknowledged_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("escalated", sa.SmallInteger(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_dispatch_cells_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispatch_cells")),
        sa.UniqueConstraint("dispatch_id", "grid_cell_id", name="uq_dispatch_cells_cell"),
    )
    op.create_index(
        "ix_dispatch_cells_dispatch_code", "dispatch_cells", ["dispatch_id", "cell_code"], unique=False
    )

    op.create_table(
        "door_tasks",
        sa.Column("dispatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("grid_cell_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "assignee_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("households_total", sa.Integer(), nullable=False),
        sa.Column("vulnerable_total", sa.Integer(), nullable=False),
        sa.Column("households_reached", sa.Integer(), nullable=True),
        sa.Column("closed_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('open', 'closed', 'cancelled')", name=op.f("ck_door_tasks_state")),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_door_tasks_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_door_tasks")),
        sa.UniqueConstraint("dispatch_id", "grid_cell_id", name="uq_door_tasks_cell"),
    )
    op.create_index(
        op.f("ix_door_tasks_jurisdiction_code"), "door_tasks", ["jurisdiction_code"], unique=False
    )

    op.create_table(
        "escalation_steps",
        sa.Column("dispatch_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.SmallInteger(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("due_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("job_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("repairs", sa.SmallInteger(), nullable=False),
        sa.Column("done_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column(
            "result",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'done', 'cancelled', 'stalled')", name=op.f("ck_escalation_steps_state")
        ),
        sa.ForeignKeyConstraint(
            ["dispatch_id"],
            ["dispatches.id"],
            name=op.f("fk_escalation_steps_dispatch_id_dispatches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_steps")),
        sa.UniqueConstraint("dispatch_id", "seq", name="uq_escalation_steps_seq"),
    )
    op.create_index("ix_escalation_steps_state_due", "escalation_steps", ["state", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_escalation_steps_state_due", table_name="escalation_steps")

    op.drop_table("escalation_steps")
    op.drop_index(op.f("ix_door_tasks_jurisdiction_code"), table_name="door_tasks")

    op.drop_table("door_tasks")
    op.drop_index("ix_dispatch_cells_dispatch_code", table_name="dispatch_cells")

    op.drop_table("dispatch_cells")
    op.drop_index("ix_deliveries_dispatch_channel_state", table_name="deliveries")

    op.drop_table("deliveries")
    op.drop_index(op.f("ix_acknowledgements_person_id"), table_name="acknowledgements")

    op.drop_table("acknowledgements")
    op.drop_table("warning_policies")
    op.drop_index("ix_residents_village_household_name", table_name="residents")
    op.drop_index("ix_residents_place_household", table_name="residents")
    op.drop_index(op.f("ix_residents_mobile"), table_name="residents")

    op.drop_table("residents")
    op.drop_index(op.f("ix_dispatches_warning_id"), table_name="dispatches")
    op.drop_index(op.f("ix_dispatches_root_warning_id"), table_name="dispatches")
    op.drop_index(op.f("ix_dispatches_jurisdiction_code"), table_name="dispatches")
    op.drop_index(op.f("ix_dispatches_ack_code"), table_name="dispatches")

    op.drop_table("dispatches")
    op.drop_index("ix_channel_endpoints_kind_place", table_name="channel_endpoints")

    op.drop_table("channel_endpoints")
