"""forces: teams, members, equipment, readiness

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import yingji.core.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forces_index_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forces_index_version")),
    )
    op.create_table(
        "road_networks",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=True),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.Column("graph", sa.LargeBinary(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_road_networks")),
    )
    op.create_table(
        "teams",
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("organisation", sa.String(length=120), nullable=True),
        sa.Column("duty_phone", sa.String(length=30), nullable=True),
        sa.Column("capabilities", sa.String(length=300), nullable=False),
        sa.Column("readiness", sa.String(length=12), nullable=False),
        sa.Column("readiness_since", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("readiness_note", sa.String(length=200), nullable=True),
        sa.Column(
            "deployed_incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("member_count", sa.Integer(), nullable=False),
        sa.Column("registration_no", sa.String(length=60), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=True),
        sa.Column("registered_with", sa.String(length=120), nullable=True),
        sa.Column("capability_grade", sa.String(length=8), nullable=True),
        sa.Column("graded_on", sa.Date(), nullable=True),
        sa.Column("insurance_until", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "capability_grade IS NULL OR capability_grade IN ('light', 'medium', 'heavy')",
            name=op.f("ck_teams_grade"),
        ),
        sa.CheckConstraint(
            "readiness IN ('on_call', 'deployed', 'resting', 'unavailable')", name=op.f("ck_teams_readiness")
        ),
        sa.ForeignKeyConstraint(
            ["deployed_incident_id"],
            ["incidents.id"],
            name=op.f("fk_teams_deployed_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_teams_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("code", name=op.f("uq_teams_code")),
    )
    op.create_index(op.f("ix_teams_deployed_incident_id"), "teams", ["deployed_incident_id"], unique=False)
    op.create_index("ix_teams_jurisdiction_kind", "teams", ["jurisdiction_code", "kind"], unique=False)
    op.create_index(op.f("ix_teams_name"), "teams", ["name"], unique=False)
    op.create_table(
        "team_dispatches",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("batch_key", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("committed_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("committed_by", sa.String(length=100), nullable=True),
        sa.Column("travel_minutes", sa.Float(), nullable=True),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.Column("returned_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint("state IN ('dispatched', 'returned')", name=op.f("ck_team_dispatches_state")),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_team_dispatches_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_dispatches_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_dispatches")),
        sa.UniqueConstraint("batch_key", "team_id", name="uq_team_dispatches_batch_team"),
    )
    op.create_index(
        "ix_team_dispatches_incident", "team_dispatches", ["incident_id", "team_id"], unique=False
    )
    op.create_index(
        op.f("ix_team_dispatches_jurisdiction_code"), "team_dispatches", ["jurisdiction_code"], unique=False
    )
    op.create_index(op.f("ix_team_dispatches_team_id"), "team_dispatches", ["team_id"], unique=False)
    op.create_table(
        "team_equipment",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("model", sa.String(length=80), nullable=True),
        sa.Column("plate", sa.String(length=20), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("category IN ('vehicle', 'equipment')", name=op.f("ck_team_equipment_category")),
        sa.CheckConstraint("state IN ('good', 'repair', 'retired')", name=op.f("ck_team_equipment_state")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_team_equipment_quantity")),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_equipment_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_equipment")),
    )
    op.create_index(
        op.f("ix_team_equipment_jurisdiction_code"), "team_equipment", ["jurisdiction_code"], unique=False
    )
    op.create_index(op.f("ix_team_equipment_team_id"), "team_equipment", ["team_id"], unique=False)
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("mobile", sa.String(length=20), nullable=True),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("squad", sa.String(length=20), nullable=True),
        sa.Column("skills", sa.String(length=300), nullable=True),
        sa.Column("insurance_until", sa.Date(), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("role IN ('leader', 'deputy', 'member')", name=op.f("ck_team_members_role")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_team_members_person_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_members_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
        sa.UniqueConstraint("team_id", "mobile", name="uq_team_members_team_mobile"),
    )
    op.create_index(
        op.f("ix_team_members_jurisdiction_code"), "team_members", ["jurisdiction_code"], unique=False
    )
    op.create_index(op.f("ix_team_members_person_id"), "team_members", ["person_id"], unique=False)
    op.create_index("ix_team_members_team_role", "team_members", ["team_id", "role"], unique=False)
    op.create_table(
        "team_readiness_log",
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("actor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("client_key", sa.String(length=80), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.CheckConstraint(
            "to_state IN ('on_call', 'deployed', 'resting', 'unavailable')",
            name=op.f("ck_team_readiness_log_to_state"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_team_readiness_log_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_readiness_log_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_readiness_log")),
        sa.UniqueConstraint("client_key", name=op.f("uq_team_readiness_log_client_key")),
    )
    op.create_index(
        op.f("ix_team_readiness_log_jurisdiction_code"),
        "team_readiness_log",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index("ix_team_readiness_log_team_at", "team_readiness_log", ["team_id", "at"], unique=False)
    op.create_table(
        "member_certificates",
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("team_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["team_members.id"],
            name=op.f("fk_member_certificates_member_id_team_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_member_certificates_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_certificates")),
    )
    op.create_index("ix_member_certificates_expires", "member_certificates", ["expires_on"], unique=False)
    op.create_index(
        op.f("ix_member_certificates_jurisdiction_code"),
        "member_certificates",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        op.f("ix_member_certificates_member_id"), "member_certificates", ["member_id"], unique=False
    )
    op.create_index(op.f("ix_member_certificates_team_id"), "member_certificates", ["team_id"], unique=False)
    # The one row of the nearest-team index version counter.
    op.bulk_insert(
        sa.table(
            "forces_index_version", sa.column("id", sa.Integer()), sa.column("version", sa.BigInteger())
        ),
        [{"id": 1, "version": 0}],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_member_certificates_team_id"), table_name="member_certificates")
    op.drop_index(op.f("ix_member_certificates_member_id"), table_name="member_certificates")
    op.drop_index(op.f("ix_member_certificates_jurisdiction_code"), table_name="member_certificates")
    op.drop_index("ix_member_certificates_expires", table_name="member_certificates")
    op.drop_table("member_certificates")
    op.drop_index("ix_team_readiness_log_team_at", table_name="team_readiness_log")
    op.drop_index(op.f("ix_team_readiness_log_jurisdiction_code"), table_name="team_readiness_log")
    op.drop_table("team_readiness_log")
    op.drop_index("ix_team_members_team_role", table_name="team_members")
    op.drop_index(op.f("ix_team_members_person_id"), table_name="team_members")
    op.drop_index(op.f("ix_team_members_jurisdiction_code"), table_name="team_members")
    op.drop_table("team_members")
    op.drop_index(op.f("ix_team_equipment_team_id"), table_name="team_equipment")
    op.drop_index(op.f("ix_team_equipment_jurisdiction_code"), table_name="team_equipment")
    op.drop_table("team_equipment")
    op.drop_index(op.f("ix_team_dispatches_team_id"), table_name="team_dispatches")
    op.drop_index(op.f("ix_team_dispatches_jurisdiction_code"), table_name="team_dispatches")
    op.drop_index("ix_team_dispatches_incident", table_name="team_dispatches")
    op.drop_table("team_dispatches")
    op.drop_index(op.f("ix_teams_name"), table_name="teams")
    op.drop_index("ix_teams_jurisdiction_kind", table_name="teams")
    op.drop_index(op.f("ix_teams_deployed_incident_id"), table_name="teams")
    op.drop_table("teams")
    op.drop_table("road_networks")
    op.drop_table("forces_index_version")
