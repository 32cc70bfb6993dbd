"""response: levels, command posts, consultations, tasks, situation reports, evaluation

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
CODE = sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql")
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
TIME = yingji.core.types.UTCDateTime()


def upgrade() -> None:
    op.create_table(
        "escalation_policies",
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("steps", JSON, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_escalation_policies_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalation_policies")),
        sa.UniqueConstraint("jurisdiction_code", name=op.f("uq_escalation_policies_jurisdiction_code")),
    )
    op.create_table(
        "command_posts",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("commander_person_id", BIGID, nullable=True),
        sa.Column("deputy_person_id", BIGID, nullable=True),
        sa.Column("set_up_at", TIME, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["commander_person_id"], ["people.id"], name=op.f("fk_command_posts_commander_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["deputy_person_id"], ["people.id"], name=op.f("fk_command_posts_deputy_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_command_posts_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_command_posts")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_command_posts_incident_id")),
    )
    op.create_index(
        op.f("ix_command_posts_jurisdiction_code"), "command_posts", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "consultations",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("held_at", TIME, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("video_link", sa.String(length=500), nullable=True),
        sa.Column("host", sa.String(length=60), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_consultations_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint("incident_id", "seq", name=op.f("uq_consultations_incident_id")),
    )
    op.create_index(op.f("ix_consultations_incident_id"), "consultations", ["incident_id"], unique=False)
    op.create_index(
        op.f("ix_consultations_jurisdiction_code"), "consultations", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "incident_closures",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("closed_at", TIME, nullable=False),
        sa.Column("closed_by", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("relocation", sa.Text(), nullable=True),
        sa.Column("compensation", sa.Text(), nullable=True),
        sa.Column("recovery", sa.Text(), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_closures_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_closures")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_incident_closures_incident_id")),
    )
    op.create_index(
        op.f("ix_incident_closures_jurisdiction_code"),
        "incident_closures",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "incident_investigations",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("investigating_level", sa.String(length=10), nullable=True),
        sa.Column("lead_body", sa.String(length=120), nullable=True),
        sa.Column("original_due_at", TIME, nullable=True),
        sa.Column("due_at", TIME, nullable=True),
        sa.Column("basis", sa.String(length=300), nullable=True),
        sa.Column("extension_days", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("extended_by", sa.String(length=100), nullable=True),
        sa.Column("causes", sa.Text(), nullable=True),
        sa.Column("responsibility", sa.Text(), nullable=True),
        sa.Column("lessons", sa.Text(), nullable=True),
        sa.Column("measures", sa.Text(), nullable=True),
        sa.Column("submitted_at", TIME, nullable=True),
        sa.Column("overdue_notified_at", TIME, nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint("state IN ('open', 'submitted')", name=op.f("ck_incident_investigations_state")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_investigations_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_investigations")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_incident_investigations_incident_id")),
    )
    op.create_index(
        op.f("ix_incident_investigations_jurisdiction_code"),
        "incident_investigations",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        "ix_incident_investigations_state_due", "incident_investigations", ["state", "due_at"], unique=False
    )
    op.create_table(
        "response_activations",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("plan_name", sa.String(length=200), nullable=True),
        sa.Column("plan_number", sa.String(length=100), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("started_at", TIME, nullable=False),
        sa.Column("ended_at", TIME, nullable=True),
        sa.Column("ended_how", sa.String(length=10), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by_user_id", BIGID, nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "ended_how IS NULL OR ended_how IN ('adjusted', 'ended')",
            name=op.f("ck_response_activations_ended_how"),
        ),
        sa.CheckConstraint("level BETWEEN 1 AND 4", name=op.f("ck_response_activations_level")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_response_activations_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_response_activations_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_activations")),
    )
    op.create_index(
        op.f("ix_response_activations_incident_id"), "response_activations", ["incident_id"], unique=False
    )
    op.create_index(
        op.f("ix_response_activations_jurisdiction_code"),
        "response_activations",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "situation_reports",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("issuing_body", sa.String(length=120), nullable=False),
        sa.Column("doc_number", sa.String(length=80), nullable=False),
        sa.Column("signer", sa.String(length=60), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("actions", sa.Text(), nullable=False),
        sa.Column("needs", sa.Text(), nullable=True),
        sa.Column("issued_at", TIME, nullable=False),
        sa.Column("author_user_id", BIGID, nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_situation_reports_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_situation_reports_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_situation_reports")),
        sa.UniqueConstraint("incident_id", "seq", name=op.f("uq_situation_reports_incident_id")),
    )
    op.create_index(
        op.f("ix_situation_reports_incident_id"), "situation_reports", ["incident_id"], unique=False
    )
    op.create_index(
        op.f("ix_situation_reports_jurisdiction_code"),
        "situation_reports",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "command_sections",
        sa.Column("post_id", BIGID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("lead_person_id", BIGID, nullable=True),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_person_id"], ["people.id"], name=op.f("fk_command_sections_lead_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["command_posts.id"],
            name=op.f("fk_command_sections_post_id_command_posts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_command_sections")),
        sa.UniqueConstraint("post_id", "name", name=op.f("uq_command_sections_post_id")),
    )
    op.create_index(op.f("ix_command_sections_post_id"), "command_sections", ["post_id"], unique=False)
    op.create_table(
        "consultation_decisions",
        sa.Column("consultation_id", BIGID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_decisions_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_decisions")),
        sa.UniqueConstraint("consultation_id", "seq", name=op.f("uq_consultation_decisions_consultation_id")),
    )
    op.create_index(
        op.f("ix_consultation_decisions_consultation_id"),
        "consultation_decisions",
        ["consultation_id"],
        unique=False,
    )
    op.create_table(
        "consultation_participants",
        sa.Column("consultation_id", BIGID, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("person_id", BIGID, nullable=True),
        sa.Column("unit_id", BIGID, nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.CheckConstraint(
            "kind IN ('person', 'unit', 'expert')", name=op.f("ck_consultation_participants_kind")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consultation_participants_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_consultation_participants_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_consultation_participants_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_participants")),
    )
    op.create_index(
        op.f("ix_consultation_participants_consultation_id"),
        "consultation_participants",
        ["consultation_id"],
        unique=False,
    )
    op.create_table(
        "command_section_members",
        sa.Column("section_id", BIGID, nullable=False),
        sa.Column("person_id", BIGID, nullable=False),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_command_section_members_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["command_sections.id"],
            name=op.f("fk_command_section_members_section_id_command_sections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_command_section_members")),
        sa.UniqueConstraint("section_id", "person_id", name=op.f("uq_command_section_members_section_id")),
    )
    op.create_index(
        op.f("ix_command_section_members_person_id"), "command_section_members", ["person_id"], unique=False
    )
    op.create_index(
        op.f("ix_command_section_members_section_id"), "command_section_members", ["section_id"], unique=False
    )
    op.create_table(
        "response_tasks",
        sa.Column("incident_id", BIGID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("assignee_kind", sa.String(length=10), nullable=False),
        sa.Column("assignee_unit_id", BIGID, nullable=True),
        sa.Column("assignee_person_id", BIGID, nullable=True),
        sa.Column("assignee_team", sa.String(length=120), nullable=True),
        sa.Column("assignee_name", sa.String(length=120), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("acknowledged_at", TIME, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("started_at", TIME, nullable=True),
        sa.Column("finished_at", TIME, nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("source_decision_id", BIGID, nullable=True),
        sa.Column("escalation_policy", JSON, nullable=True),
        sa.Column("issued_by_code", CODE, nullable=False),
        sa.Column("created_by_user_id", BIGID, nullable=True),
        sa.Column("client_key", sa.String(length=80), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.CheckConstraint(
            "assignee_kind IN ('unit', 'team', 'person')", name=op.f("ck_response_tasks_kind")
        ),
        sa.CheckConstraint(
            "priority IN ('urgent', 'high', 'normal', 'low')", name=op.f("ck_response_tasks_priority")
        ),
        sa.CheckConstraint(
            "state IN ('assigned', 'acknowledged', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_response_tasks_state"),
        ),
        sa.ForeignKeyConstraint(
            ["assignee_person_id"], ["people.id"], name=op.f("fk_response_tasks_assignee_person_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_unit_id"], ["units.id"], name=op.f("fk_response_tasks_assignee_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"], ["users.id"], name=op.f("fk_response_tasks_created_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_response_tasks_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_decision_id"],
            ["consultation_decisions.id"],
            name=op.f("fk_response_tasks_source_decision_id_consultation_decisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_tasks")),
        sa.UniqueConstraint("client_key", name=op.f("uq_response_tasks_client_key")),
        sa.UniqueConstraint("incident_id", "seq", name=op.f("uq_response_tasks_incident_id")),
    )
    op.create_index(
        op.f("ix_response_tasks_assignee_person_id"), "response_tasks", ["assignee_person_id"], unique=False
    )
    op.create_index(
        op.f("ix_response_tasks_assignee_unit_id"), "response_tasks", ["assignee_unit_id"], unique=False
    )
    op.create_index(op.f("ix_response_tasks_incident_id"), "response_tasks", ["incident_id"], unique=False)
    op.create_index(
        "ix_response_tasks_jurisdiction_state", "response_tasks", ["jurisdiction_code", "state"], unique=False
    )
    op.create_index("ix_response_tasks_state_due", "response_tasks", ["state", "due_at"], unique=False)
    op.create_table(
        "task_escalation_steps",
        sa.Column("task_id", BIGID, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("active_states", JSON, nullable=False),
        sa.Column("due_at", TIME, nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("job_id", BIGID, nullable=True),
        sa.Column("repairs", sa.Integer(), nullable=False),
        sa.Column("ran_at", TIME, nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("jurisdiction_code", CODE, nullable=False),
        sa.Column("id", BIGID, nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'done', 'skipped', 'failed')", name=op.f("ck_task_escalation_steps_state")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["response_tasks.id"],
            name=op.f("fk_task_escalation_steps_task_id_response_tasks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_escalation_steps")),
        sa.UniqueConstraint("task_id", "seq", name=op.f("uq_task_escalation_steps_task_id")),
    )
    op.create_index(
        "ix_task_escalation_steps_state_due", "task_escalation_steps", ["state", "due_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_task_escalation_steps_state_due", table_name="task_escalation_steps")
    op.drop_table("task_escalation_steps")
    op.drop_index("ix_response_tasks_state_due", table_name="response_tasks")
    op.drop_index("ix_response_tasks_jurisdiction_state", table_name="response_tasks")
    op.drop_index(op.f("ix_response_tasks_incident_id"), table_name="response_tasks")
    op.drop_index(op.f("ix_response_tasks_assignee_unit_id"), table_name="response_tasks")
    op.drop_index(op.f("ix_response_tasks_assignee_person_id"), table_name="response_tasks")
    op.drop_table("response_tasks")
    op.drop_index(op.f("ix_command_section_members_section_id"), table_name="command_section_members")
    op.drop_index(op.f("ix_command_section_members_person_id"), table_name="command_section_members")
    op.drop_table("command_section_members")
    op.drop_index(
        op.f("ix_consultation_participants_consultation_id"), table_name="consultation_participants"
    )
    op.drop_table("consultation_participants")
    op.drop_index(op.f("ix_consultation_decisions_consultation_id"), table_name="consultation_decisions")
    op.drop_table("consultation_decisions")
    op.drop_index(op.f("ix_command_sections_post_id"), table_name="command_sections")
    op.drop_table("command_sections")
    op.drop_index(op.f("ix_situation_reports_jurisdiction_code"), table_name="situation_reports")
    op.drop_index(op.f("ix_situation_reports_incident_id"), table_name="situation_reports")
    op.drop_table("situation_reports")
    op.drop_index(op.f("ix_response_activations_jurisdiction_code"), table_name="response_activations")
    op.drop_index(op.f("ix_response_activations_incident_id"), table_name="response_activations")
    op.drop_table("response_activations")
    op.drop_index("ix_incident_investigations_state_due", table_name="incident_investigations")
    op.drop_index(op.f("ix_incident_investigations_jurisdiction_code"), table_name="incident_investigations")
    op.drop_table("incident_investigations")
    op.drop_index(op.f("ix_incident_closures_jurisdiction_code"), table_name="incident_closures")
    op.drop_table("incident_closures")
    op.drop_index(op.f("ix_consultations_jurisdiction_code"), table_name="consultations")
    op.drop_index(op.f("ix_consultations_incident_id"), table_name="consultations")
    op.drop_table("consultations")
    op.drop_index(op.f("ix_command_posts_jurisdiction_code"), table_name="command_posts")
    op.drop_table("command_posts")
    op.drop_table("escalation_policies")
