"""risk: enterprises, enforcement plans, inspections, risk points and assessments, hidden dangers
(the loop, plans, events, photos), village risk meetings, local settings, tip-off limits

These tables belong to this revision only; an earlier revision must not create them.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIME = yingji.core.types.UTCDateTime()


def fk(table: str, column: str, target: str, **kw) -> sa.ForeignKeyConstraint:
    """A foreign key named by the naming convention: fk_<table>_<column>_<referred table>."""
    name = op.f(f"fk_{table}_{column}_{target.split('.')[0]}")
    return sa.ForeignKeyConstraint([column], [target], name=name, **kw)


def ix(table: str, *columns: str, name: str | None = None) -> None:
    """An index named ix_<table>_<first column> unless named."""
    op.create_index(name or op.f(f"ix_{table}_{columns[0]}"), table, list(columns), unique=False)


def upgrade() -> None:
    op.create_table(
        "risk_tipoff_limits",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_started_at", TIME, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", name=op.f("pk_risk_tipoff_limits")),
    )
    op.create_table(
        "risk_enforcement_plans",
        sa.Column("year", sa.SmallInteger(), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "classes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("generated_at", TIME, nullable=False),
        sa.Column("created_by_user_id", ID, nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        fk("risk_enforcement_plans", "jurisdiction_code", "jurisdictions.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_enforcement_plans")),
        sa.UniqueConstraint("jurisdiction_code", "year", name="uq_risk_enforcement_plans_place_year"),
    )
    ix("risk_enforcement_plans", "jurisdiction_code")
    op.create_table(
        "risk_meetings",
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("host", sa.String(length=60), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=True),
        sa.Column("reported_at", TIME, nullable=True),
        sa.Column("created_by_user_id", ID, nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        fk("risk_meetings", "jurisdiction_code", "jurisdictions.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_meetings")),
        sa.UniqueConstraint("client_key", name=op.f("uq_risk_meetings_client_key")),
        sa.UniqueConstraint("jurisdiction_code", "month", name="uq_risk_meetings_village_month"),
    )
    ix("risk_meetings", "jurisdiction_code")
    ix("risk_meetings", "month", "jurisdiction_code", name="ix_risk_meetings_month_scope")
    op.create_table(
        "risk_settings",
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("lec_mapping", sa.String(length=1), nullable=True),
        sa.Column("ls_banding", sa.String(length=12), nullable=True),
        sa.Column("remind_days", sa.SmallInteger(), nullable=True),
        sa.Column(
            "enforcement",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "lec_mapping IS NULL OR lec_mapping IN ('A', 'B')", name=op.f("ck_risk_settings_lec_mapping")
        ),
        sa.CheckConstraint(
            "ls_banding IS NULL OR ls_banding IN ('standard', 'alternative')",
            name=op.f("ck_risk_settings_ls_banding"),
        ),
        fk("risk_settings", "jurisdiction_code", "jurisdictions.code"),
        sa.PrimaryKeyConstraint("jurisdiction_code", name=op.f("pk_risk_settings")),
    )
    op.create_table(
        "risk_enterprises",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=True),
        sa.Column("industry", sa.String(length=32), nullable=False),
        sa.Column("scale", sa.String(length=10), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("hazardous_chemicals", sa.Boolean(), nullable=False),
        sa.Column("chemicals", sa.Text(), nullable=True),
        sa.Column("major_hazard", sa.Boolean(), nullable=False),
        sa.Column("major_hazard_grade", sa.SmallInteger(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("grid_cell_id", ID, nullable=True),
        sa.Column("principal_name", sa.String(length=60), nullable=True),
        sa.Column("principal_phone", sa.String(length=30), nullable=True),
        sa.Column("safety_manager_name", sa.String(length=60), nullable=True),
        sa.Column("safety_manager_phone", sa.String(length=30), nullable=True),
        sa.Column("enforcement_class", sa.String(length=1), nullable=False),
        sa.Column("class_fixed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("risk_level", sa.String(length=10), nullable=True),
        sa.Column("risk_rank", sa.SmallInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "enforcement_class IN ('A', 'B', 'C', 'D')", name=op.f("ck_risk_enterprises_enforcement_class")
        ),
        sa.CheckConstraint(
            "risk_level IS NULL OR risk_level IN ('major', 'high', 'general', 'low')",
            name=op.f("ck_risk_enterprises_risk_level"),
        ),
        sa.CheckConstraint(
            "scale IN ('large', 'medium', 'small', 'micro')", name=op.f("ck_risk_enterprises_scale")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'suspended', 'closed')", name=op.f("ck_risk_enterprises_status")
        ),
        sa.CheckConstraint(
            "major_hazard_grade IS NULL OR major_hazard_grade BETWEEN 1 AND 4",
            name=op.f("ck_risk_enterprises_mh_grade"),
        ),
        fk("risk_enterprises", "grid_cell_id", "grid_cells.id"),
        fk("risk_enterprises", "jurisdiction_code", "jurisdictions.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_enterprises")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_risk_enterprises_credit_code")),
    )
    ix("risk_enterprises", "risk_rank", "lon", "lat", name="ix_risk_enterprises_map")
    ix("risk_enterprises", "jurisdiction_code", "enforcement_class", name="ix_risk_enterprises_scope_class")
    op.create_table(
        "risk_inspections",
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("inspected_at", TIME, nullable=False),
        sa.Column("inspectors", sa.String(length=200), nullable=False),
        sa.Column("inspector_user_id", ID, nullable=True),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("dangers_found", sa.Integer(), nullable=False),
        sa.Column(
            "orders",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("penalty_cny", sa.Integer(), nullable=True),
        sa.Column("document_no", sa.String(length=60), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "kind IN ('planned', 'random', 'special', 'complaint', 'review', 'grid')",
            name=op.f("ck_risk_inspections_kind"),
        ),
        fk("risk_inspections", "enterprise_id", "risk_enterprises.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_inspections")),
        sa.UniqueConstraint("client_key", name=op.f("uq_risk_inspections_client_key")),
    )
    ix("risk_inspections", "enterprise_id")
    ix("risk_inspections", "jurisdiction_code")
    ix("risk_inspections", "jurisdiction_code", "inspected_at", name="ix_risk_inspections_scope_at")
    op.create_table(
        "risk_points",
        sa.Column("enterprise_id", ID, nullable=True),
        sa.Column("place_kind", sa.String(length=20), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("grid_cell_id", ID, nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("hazards", sa.Text(), nullable=True),
        sa.Column("accident_types", sa.String(length=200), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("control_level", sa.String(length=10), nullable=False),
        sa.Column("responsible_name", sa.String(length=60), nullable=True),
        sa.Column("responsible_phone", sa.String(length=30), nullable=True),
        sa.Column("method", sa.String(length=4), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=True),
        sa.Column("risk_rank", sa.SmallInteger(), nullable=False),
        sa.Column("assessed_at", TIME, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "control_level IN ('company', 'workshop', 'team', 'post')",
            name=op.f("ck_risk_points_control_level"),
        ),
        sa.CheckConstraint(
            "level IS NULL OR level IN ('major', 'high', 'general', 'low')", name=op.f("ck_risk_points_level")
        ),
        sa.CheckConstraint(
            "enterprise_id IS NOT NULL OR place_kind IS NOT NULL", name=op.f("ck_risk_points_owner")
        ),
        fk("risk_points", "enterprise_id", "risk_enterprises.id"),
        fk("risk_points", "grid_cell_id", "grid_cells.id"),
        fk("risk_points", "jurisdiction_code", "jurisdictions.code"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_points")),
    )
    ix("risk_points", "enterprise_id")
    ix("risk_points", "jurisdiction_code")
    ix("risk_points", "risk_rank", "lon", "lat", name="ix_risk_points_map")
    op.create_table(
        "risk_assessments",
        sa.Column("risk_point_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("method", sa.String(length=4), nullable=False),
        sa.Column("l_value", sa.Float(), nullable=False),
        sa.Column("e_value", sa.Float(), nullable=True),
        sa.Column("c_value", sa.Float(), nullable=True),
        sa.Column("s_value", sa.Float(), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=12), nullable=True),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("banding", sa.String(length=20), nullable=False),
        sa.Column("assessed_by_user_id", ID, nullable=True),
        sa.Column("assessor", sa.String(length=100), nullable=True),
        sa.Column("assessed_at", TIME, nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.CheckConstraint(
            "level IS NULL OR level IN ('major', 'high', 'general', 'low')",
            name=op.f("ck_risk_assessments_level"),
        ),
        sa.CheckConstraint("method IN ('LEC', 'LS')", name=op.f("ck_risk_assessments_method")),
        fk("risk_assessments", "risk_point_id", "risk_points.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessments")),
    )
    ix("risk_assessments", "jurisdiction_code")
    ix("risk_assessments", "risk_point_id")
    op.create_table(
        "risk_dangers",
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("grid_cell_id", ID, nullable=True),
        sa.Column("enterprise_id", ID, nullable=True),
        sa.Column("risk_point_id", ID, nullable=True),
        sa.Column("inspection_id", ID, nullable=True),
        sa.Column("source", sa.String(length=12), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("grade", sa.String(length=8), nullable=True),
        sa.Column(
            "checklist",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("responsible_party", sa.String(length=200), nullable=True),
        sa.Column("responsible_person", sa.String(length=60), nullable=True),
        sa.Column("responsible_phone", sa.String(length=30), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("funds_cny", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("completion_note", sa.Text(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("dismiss_reason", sa.Text(), nullable=True),
        sa.Column("supervised_by", CODE, nullable=True),
        sa.Column("listed", sa.Boolean(), nullable=False),
        sa.Column("listed_at", TIME, nullable=True),
        sa.Column("escalation", sa.SmallInteger(), nullable=False),
        sa.Column("overdue_at", TIME, nullable=True),
        sa.Column("found_month", sa.String(length=7), nullable=False),
        sa.Column("found_at", TIME, nullable=False),
        sa.Column("registered_at", TIME, nullable=True),
        sa.Column("graded_at", TIME, nullable=True),
        sa.Column("rectifying_at", TIME, nullable=True),
        sa.Column("reviewing_at", TIME, nullable=True),
        sa.Column("accepted_at", TIME, nullable=True),
        sa.Column("closed_at", TIME, nullable=True),
        sa.Column("dismissed_at", TIME, nullable=True),
        sa.Column("reported_by_user_id", ID, nullable=True),
        sa.Column("reporter_name", sa.String(length=60), nullable=True),
        sa.Column("reporter_phone", sa.String(length=30), nullable=True),
        sa.Column("public_ref", sa.String(length=16), nullable=True),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "grade IS NULL OR grade IN ('general', 'major')", name=op.f("ck_risk_dangers_grade")
        ),
        sa.CheckConstraint(
            "source IN ('inspection', 'grid', 'enterprise', 'public')", name=op.f("ck_risk_dangers_source")
        ),
        sa.CheckConstraint(
            "status IN ('found', 'registered', 'graded', 'rectifying', 'reviewing', 'accepted', 'closed', 'dismissed')",
            name=op.f("ck_risk_dangers_status"),
        ),
        sa.CheckConstraint("funds_cny IS NULL OR funds_cny >= 0", name=op.f("ck_risk_dangers_funds")),
        fk("risk_dangers", "enterprise_id", "risk_enterprises.id"),
        fk("risk_dangers", "grid_cell_id", "grid_cells.id"),
        fk("risk_dangers", "inspection_id", "risk_inspections.id"),
        fk("risk_dangers", "jurisdiction_code", "jurisdictions.code"),
        fk("risk_dangers", "risk_point_id", "risk_points.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_dangers")),
        sa.UniqueConstraint("client_key", name=op.f("uq_risk_dangers_client_key")),
        sa.UniqueConstraint("public_ref", name=op.f("uq_risk_dangers_public_ref")),
    )
    ix("risk_dangers", "enterprise_id")
    ix("risk_dangers", "inspection_id")
    ix("risk_dangers", "found_month", "jurisdiction_code", name="ix_risk_dangers_month_scope")
    ix("risk_dangers", "jurisdiction_code", "status", name="ix_risk_dangers_scope_status")
    op.create_table(
        "risk_plan_items",
        sa.Column("plan_id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("enforcement_class", sa.String(length=1), nullable=False),
        sa.Column("reason", sa.String(length=8), nullable=False),
        sa.Column("planned_month", sa.SmallInteger(), nullable=False),
        sa.Column("inspection_id", ID, nullable=True),
        sa.Column("done_at", TIME, nullable=True),
        sa.Column("id", ID, nullable=False),
        sa.CheckConstraint("reason IN ('key', 'sampled')", name=op.f("ck_risk_plan_items_reason")),
        fk("risk_plan_items", "enterprise_id", "risk_enterprises.id"),
        fk("risk_plan_items", "inspection_id", "risk_inspections.id"),
        fk("risk_plan_items", "plan_id", "risk_enforcement_plans.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_plan_items")),
        sa.UniqueConstraint("plan_id", "enterprise_id", name="uq_risk_plan_items_plan_enterprise"),
    )
    ix("risk_plan_items", "enterprise_id")
    ix("risk_plan_items", "jurisdiction_code")
    ix("risk_plan_items", "plan_id")
    op.create_table(
        "risk_danger_events",
        sa.Column("danger_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("from_status", sa.String(length=12), nullable=True),
        sa.Column("to_status", sa.String(length=12), nullable=True),
        sa.Column("actor_user_id", ID, nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("client_key", sa.String(length=64), nullable=True),
        sa.Column("id", ID, nullable=False),
        fk("risk_danger_events", "danger_id", "risk_dangers.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_danger_events")),
        sa.UniqueConstraint("danger_id", "client_key", name="uq_risk_danger_events_danger_client_key"),
    )
    ix("risk_danger_events", "danger_id")
    ix("risk_danger_events", "jurisdiction_code")
    op.create_table(
        "risk_danger_photos",
        sa.Column("danger_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("stage", sa.String(length=6), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_user_id", ID, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.CheckConstraint("stage IN ('before', 'after')", name=op.f("ck_risk_danger_photos_stage")),
        fk("risk_danger_photos", "danger_id", "risk_dangers.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_danger_photos")),
        sa.UniqueConstraint("danger_id", "sha256", name="uq_risk_danger_photos_danger_sha"),
    )
    ix("risk_danger_photos", "danger_id")
    ix("risk_danger_photos", "jurisdiction_code")
    op.create_table(
        "risk_danger_plans",
        sa.Column("danger_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("target_tasks", sa.Text(), nullable=False),
        sa.Column("methods_measures", sa.Text(), nullable=False),
        sa.Column("funds_materials", sa.Text(), nullable=False),
        sa.Column("responsible_body", sa.String(length=200), nullable=False),
        sa.Column("responsible_people", sa.String(length=200), nullable=False),
        sa.Column("time_limit", sa.Date(), nullable=False),
        sa.Column("safety_measures", sa.Text(), nullable=False),
        sa.Column("emergency_plan", sa.Text(), nullable=False),
        sa.Column("id", ID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        fk("risk_danger_plans", "danger_id", "risk_dangers.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_danger_plans")),
        sa.UniqueConstraint("danger_id", name=op.f("uq_risk_danger_plans_danger_id")),
    )
    ix("risk_danger_plans", "jurisdiction_code")
    op.create_table(
        "risk_meeting_dangers",
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("danger_id", ID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("id", ID, nullable=False),
        fk("risk_meeting_dangers", "danger_id", "risk_dangers.id"),
        fk("risk_meeting_dangers", "meeting_id", "risk_meetings.id", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_meeting_dangers")),
        sa.UniqueConstraint("meeting_id", "danger_id", name="uq_risk_meeting_dangers_meeting_danger"),
    )
    ix("risk_meeting_dangers", "danger_id")
    ix("risk_meeting_dangers", "jurisdiction_code")


def downgrade() -> None:
    op.drop_table("risk_meeting_dangers")
    op.drop_table("risk_danger_plans")
    op.drop_table("risk_danger_photos")
    op.drop_table("risk_danger_events")
    op.drop_table("risk_plan_items")
    op.drop_table("risk_dangers")
    op.drop_table("risk_assessments")
    op.drop_table("risk_points")
    op.drop_table("risk_inspections")
    op.drop_table("risk_enterprises")
    op.drop_table("risk_settings")
    op.drop_table("risk_meetings")
    op.drop_table("risk_enforcement_plans")
    op.drop_table("risk_tipoff_limits")
