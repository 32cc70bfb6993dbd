"""monitoring: hazard points, patrols, sensors, readings, alarm rules, alarms

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

On PostgreSQL ``sensor_readings`` is partitioned by month on ``at``; the partitions live in the schema
``readings_parts`` (so that they stay out of the model comparison) and are created ahead by the
retention job, and by the ingest for a month that has none yet. This revision creates the current and
the next month's partitions.
"""

import itertools
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

PARTITION_SCHEMA = "readings_parts"


def _month_starts(n: int) -> list[datetime]:
    now = datetime.now(UTC)
    year, month = now.year, now.month
    out = []
    for _ in range(n + 1):
        out.append(datetime(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _partitions() -> None:
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {PARTITION_SCHEMA}")
    starts = _month_starts(2)
    for start, end in itertools.pairwise(starts):
        name = f"{PARTITION_SCHEMA}.sensor_readings_{start:%Y_%m}"
        op.execute(
            f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF sensor_readings "
            f"FOR VALUES FROM ('{start:%Y-%m-%d}') TO ('{end:%Y-%m-%d}')"
        )


def upgrade() -> None:
    op.create_table(
        "hazard_points",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subtype", sa.String(length=20), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("grid_cell_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("geometry", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("threatened_households", sa.Integer(), nullable=False),
        sa.Column("threatened_people", sa.Integer(), nullable=False),
        sa.Column("monitor_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("leader_person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("patrol_every_days", sa.SmallInteger(), nullable=True),
        sa.Column("last_patrol_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("patrol_due_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('geological', 'flash_flood', 'waterlogging', 'reservoir', 'forest_fire', 'drowning')",
            name=op.f("ck_hazard_points_kind"),
        ),
        sa.CheckConstraint("status IN ('active', 'closed')", name=op.f("ck_hazard_points_status")),
        sa.ForeignKeyConstraint(
            ["grid_cell_id"], ["grid_cells.id"], name=op.f("fk_hazard_points_grid_cell_id_grid_cells")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_hazard_points_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["leader_person_id"], ["people.id"], name=op.f("fk_hazard_points_leader_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["monitor_person_id"], ["people.id"], name=op.f("fk_hazard_points_monitor_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_points")),
        sa.UniqueConstraint("code", name=op.f("uq_hazard_points_code")),
    )
    with op.batch_alter_table("hazard_points", schema=None) as batch_op:
        batch_op.create_index("ix_hazard_points_due", ["status", "patrol_due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_points_grid_cell_id"), ["grid_cell_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hazard_points_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index(
            "ix_hazard_points_kind_jurisdiction", ["kind", "jurisdiction_code"], unique=False
        )
        batch_op.create_index("ix_hazard_points_lon_lat", ["lon", "lat"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hazard_points_monitor_person_id"), ["monitor_person_id"], unique=False
        )

    op.create_table(
        "sensors",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("hazard_point_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("target_kind", sa.String(length=20), nullable=True),
        sa.Column("target_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("valid_min", sa.Float(), nullable=True),
        sa.Column("valid_max", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("installed_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('rain_gauge', 'crack_meter', 'displacement', 'water_level', 'gas_lel', 'temperature', 'humidity')",
            name=op.f("ck_sensors_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["hazard_point_id"], ["hazard_points.id"], name=op.f("fk_sensors_hazard_point_id_hazard_points")
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_sensors_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sensors")),
        sa.UniqueConstraint("code", name=op.f("uq_sensors_code")),
    )
    with op.batch_alter_table("sensors", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sensors_hazard_point_id"), ["hazard_point_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sensors_jurisdiction_code"), ["jurisdiction_code"], unique=False)
        batch_op.create_index("ix_sensors_kind_jurisdiction", ["kind", "jurisdiction_code"], unique=False)

    op.create_table(
        "sensor_state",
        sa.Column("sensor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("last_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("head_bucket", sa.BigInteger(), nullable=True),
        sa.Column("ring", sa.LargeBinary(), nullable=True),
        sa.Column("readings_total", sa.BigInteger(), nullable=False),
        sa.Column("rolled_until", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["sensor_id"], ["sensors.id"], name=op.f("fk_sensor_state_sensor_id_sensors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("sensor_id", name=op.f("pk_sensor_state")),
    )

    op.create_table(
        "sensor_readings",
        sa.Column("sensor_id", sa.BigInteger(), nullable=False),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("sensor_id", "at", name=op.f("pk_sensor_readings")),
        postgresql_partition_by="RANGE (at)",
        sqlite_with_rowid=False,
    )

    op.create_table(
        "reading_rollups",
        sa.Column("sensor_id", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=4), nullable=False),
        sa.Column("bucket_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("min", sa.Float(), nullable=False),
        sa.Column("max", sa.Float(), nullable=False),
        sa.Column("sum", sa.Float(), nullable=False),
        sa.CheckConstraint("period IN ('hour', 'day')", name=op.f("ck_reading_rollups_period")),
        sa.PrimaryKeyConstraint("sensor_id", "period", "bucket_at", name=op.f("pk_reading_rollups")),
    )

    op.create_table(
        "reading_rejections",
        sa.Column("sensor_code", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("sensor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.Column("first_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("last_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("last_sample", sa.String(length=300), nullable=True),
        sa.Column("last_source", sa.String(length=100), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reading_rejections")),
        sa.UniqueConstraint("sensor_code", "reason", name="sensor_reason"),
    )
    with op.batch_alter_table("reading_rejections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reading_rejections_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )

    op.create_table(
        "patrol_logs",
        sa.Column("hazard_point_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("patrolled_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("received_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("patroller_name", sa.String(length=60), nullable=False),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("distance_m", sa.Float(), nullable=True),
        sa.Column("condition", sa.String(length=10), nullable=False),
        sa.Column("observations", sa.Text(), nullable=True),
        sa.Column("photo_count", sa.SmallInteger(), nullable=False),
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("idempotency_key", sa.String(length=80), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint(
            "condition IN ('normal', 'abnormal', 'danger')", name=op.f("ck_patrol_logs_condition")
        ),
        sa.ForeignKeyConstraint(
            ["hazard_point_id"],
            ["hazard_points.id"],
            name=op.f("fk_patrol_logs_hazard_point_id_hazard_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_patrol_logs_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_patrol_logs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_logs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_patrol_logs_idempotency_key")),
    )
    with op.batch_alter_table("patrol_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patrol_logs_jurisdiction_at", ["jurisdiction_code", "patrolled_at"], unique=False
        )
        batch_op.create_index("ix_patrol_logs_point_at", ["hazard_point_id", "patrolled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_patrol_logs_user_id"), ["user_id"], unique=False)

    op.create_table(
        "patrol_photos",
        sa.Column("patrol_log_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["patrol_log_id"],
            ["patrol_logs.id"],
            name=op.f("fk_patrol_photos_patrol_log_id_patrol_logs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_photos")),
        sa.UniqueConstraint("patrol_log_id", "sha256", name="log_sha"),
    )

    op.create_table(
        "alarm_rules",
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("hazard_point_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sensor_kind", sa.String(length=20), nullable=False),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("raise_at", sa.Float(), nullable=False),
        sa.Column("clear_at", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=6), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("basis", sa.String(length=300), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("action IN ('notify', 'warning', 'incident')", name=op.f("ck_alarm_rules_action")),
        sa.CheckConstraint("direction IN ('above', 'below')", name=op.f("ck_alarm_rules_direction")),
        sa.CheckConstraint("level IN ('blue', 'yellow', 'orange', 'red')", name=op.f("ck_alarm_rules_level")),
        sa.CheckConstraint(
            "metric IN ('value', 'rate_h', 'sum_1h', 'sum_3h', 'sum_24h')", name=op.f("ck_alarm_rules_metric")
        ),
        sa.ForeignKeyConstraint(
            ["hazard_point_id"],
            ["hazard_points.id"],
            name=op.f("fk_alarm_rules_hazard_point_id_hazard_points"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_alarm_rules_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_rules")),
    )
    with op.batch_alter_table("alarm_rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_rules_hazard_point_id"), ["hazard_point_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_alarm_rules_jurisdiction_code"), ["jurisdiction_code"], unique=False
        )
        batch_op.create_index("ix_alarm_rules_kind_enabled", ["sensor_kind", "enabled"], unique=False)

    op.create_table(
        "alarms",
        sa.Column("rule_key", sa.String(length=60), nullable=False),
        sa.Column("rule_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("sensor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hazard_point_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("direction", sa.String(length=5), nullable=False),
        sa.Column("level", sa.String(length=6), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("raise_at", sa.Float(), nullable=False),
        sa.Column("clear_at", sa.Float(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("raised_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("peak_value", sa.Float(), nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.Column("acknowledged_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column(
            "acknowledged_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("cleared_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("cleared_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("level IN ('blue', 'yellow', 'orange', 'red')", name=op.f("ck_alarms_level")),
        sa.CheckConstraint("state IN ('open', 'acknowledged', 'cleared')", name=op.f("ck_alarms_state")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_user_id"], ["users.id"], name=op.f("fk_alarms_acknowledged_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["cleared_by_user_id"], ["users.id"], name=op.f("fk_alarms_cleared_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["hazard_point_id"], ["hazard_points.id"], name=op.f("fk_alarms_hazard_point_id_hazard_points")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_alarms_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["alarm_rules.id"], name=op.f("fk_alarms_rule_id_alarm_rules"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["sensor_id"], ["sensors.id"], name=op.f("fk_alarms_sensor_id_sensors")),
        sa.ForeignKeyConstraint(["warning_id"], ["warnings.id"], name=op.f("fk_alarms_warning_id_warnings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarms")),
    )
    with op.batch_alter_table("alarms", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarms_hazard_point_id"), ["hazard_point_id"], unique=False)
        batch_op.create_index(
            "ix_alarms_jurisdiction_raised", ["jurisdiction_code", "raised_at"], unique=False
        )
        batch_op.create_index("ix_alarms_state_jurisdiction", ["state", "jurisdiction_code"], unique=False)
        batch_op.create_index(
            "uq_alarms_open_sensor_rule",
            ["sensor_id", "rule_key"],
            unique=True,
            sqlite_where=sa.text("state IN ('open', 'acknowledged')"),
            postgresql_where=sa.text("state IN ('open', 'acknowledged')"),
        )

    op.create_table(
        "alarm_events",
        sa.Column("alarm_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"], ["alarms.id"], name=op.f("fk_alarm_events_alarm_id_alarms"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_alarm_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alarm_events")),
    )
    with op.batch_alter_table("alarm_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alarm_events_alarm_id"), ["alarm_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        _partitions()


def downgrade() -> None:
    for name in (
        "alarm_events",
        "alarms",
        "alarm_rules",
        "patrol_photos",
        "patrol_logs",
        "reading_rejections",
        "reading_rollups",
        "sensor_readings",
        "sensor_state",
        "sensors",
        "hazard_points",
    ):
        op.drop_table(name)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP SCHEMA IF EXISTS {PARTITION_SCHEMA} CASCADE")
