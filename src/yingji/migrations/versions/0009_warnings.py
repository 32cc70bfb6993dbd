"""warnings: CAP alerts, infos, areas, resources, versions, upstream feeds

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "warning_feeds",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("relay", sa.Boolean(), nullable=False),
        sa.Column("interval_s", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("last_ok_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("imported_count", sa.Integer(), nullable=False),
        sa.Column(
            "seen",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('atom', 'cap')", name=op.f("ck_warning_feeds_kind")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_warning_feeds_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_feeds")),
        sa.UniqueConstraint("url", name="uq_warning_feeds_url"),
    )
    op.create_index(
        op.f("ix_warning_feeds_jurisdiction_code"), "warning_feeds", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "warnings",
        sa.Column("identifier", sa.String(length=200), nullable=True),
        sa.Column("sender", sa.String(length=200), nullable=False),
        sa.Column("sender_code", sa.String(length=20), nullable=True),
        sa.Column("sent", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("cap_status", sa.String(length=10), nullable=False),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("restriction", sa.Text(), nullable=True),
        sa.Column("addresses", sa.Text(), nullable=True),
        sa.Column(
            "codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "cap_references",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "cap_incidents",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("level", sa.String(length=6), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=True),
        sa.Column("event_type", sa.String(length=40), nullable=True),
        sa.Column("event", sa.String(length=200), nullable=True),
        sa.Column("headline", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=True),
        sa.Column("sender_name", sa.String(length=200), nullable=True),
        sa.Column("area_desc", sa.Text(), nullable=True),
        sa.Column("effective", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("onset", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("expires", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("root_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("previous_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("origin", sa.String(length=8), nullable=False),
        sa.Column("origin_ref", sa.String(length=300), nullable=True),
        sa.Column("feed_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("relay", sa.Boolean(), nullable=False),
        sa.Column("raw_xml", sa.Text(), nullable=True),
        sa.Column("template_key", sa.String(length=40), nullable=True),
        sa.Column(
            "locked_fields",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("author_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("submitted_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("approved_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("approved_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column(
            "published_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("published_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("ended_at", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "level IS NULL OR level IN ('red', 'orange', 'yellow', 'blue')", name=op.f("ck_warnings_level")
        ),
        sa.CheckConstraint("origin IN ('local', 'import', 'feed')", name=op.f("ck_warnings_origin")),
        sa.CheckConstraint(
            "status IN ('draft', 'submitted', 'approved', 'published', 'updated', 'lifted', 'expired')",
            name=op.f("ck_warnings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_user_id"], ["users.id"], name=op.f("fk_warnings_approved_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_warnings_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"],
            ["warning_feeds.id"],
            name=op.f("fk_warnings_feed_id_warning_feeds"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_warnings_jurisdiction_code_jurisdictions"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["warnings.id"], name=op.f("fk_warnings_previous_id_warnings")
        ),
        sa.ForeignKeyConstraint(
            ["published_by_user_id"], ["users.id"], name=op.f("fk_warnings_published_by_user_id_users")
        ),
        sa.ForeignKeyConstraint(["root_id"], ["warnings.id"], name=op.f("fk_warnings_root_id_warnings")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warnings")),
        sa.UniqueConstraint("sender", "identifier", name="uq_warnings_sender_identifier"),
    )
    op.create_index(op.f("ix_warnings_expires"), "warnings", ["expires"], unique=False)
    op.create_index(op.f("ix_warnings_jurisdiction_code"), "warnings", ["jurisdiction_code"], unique=False)
    op.create_index(
        "ix_warnings_jurisdiction_created", "warnings", ["jurisdiction_code", "created_at"], unique=False
    )
    op.create_index(op.f("ix_warnings_root_id"), "warnings", ["root_id"], unique=False)
    op.create_index(
        "ix_warnings_status_jurisdiction", "warnings", ["status", "jurisdiction_code"], unique=False
    )
    op.create_table(
        "warning_infos",
        sa.Column("warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column(
            "categories",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("event", sa.Text(), nullable=False),
        sa.Column(
            "response_types",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("certainty", sa.String(length=12), nullable=False),
        sa.Column("audience", sa.Text(), nullable=True),
        sa.Column(
            "event_codes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("effective", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("onset", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("expires", yingji.core.types.UTCDateTime(), nullable=True),
        sa.Column("sender_name", sa.Text(), nullable=True),
        sa.Column("headline", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("instruction", sa.Text(), nullable=True),
        sa.Column("web", sa.Text(), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column(
            "parameters",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["warnings.id"],
            name=op.f("fk_warning_infos_warning_id_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_infos")),
        sa.UniqueConstraint("warning_id", "seq", name="uq_warning_infos_warning_seq"),
    )
    op.create_index(
        op.f("ix_warning_infos_jurisdiction_code"), "warning_infos", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "warning_areas",
        sa.Column("info_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("area_desc", sa.Text(), nullable=False),
        sa.Column(
            "polygons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "circles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column(
            "geocodes",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("altitude", sa.Float(), nullable=True),
        sa.Column("ceiling", sa.Float(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["info_id"],
            ["warning_infos.id"],
            name=op.f("fk_warning_areas_info_id_warning_infos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_areas")),
    )
    op.create_index(op.f("ix_warning_areas_info_id"), "warning_areas", ["info_id"], unique=False)
    op.create_index(
        op.f("ix_warning_areas_jurisdiction_code"), "warning_areas", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "warning_resources",
        sa.Column("info_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("resource_desc", sa.Text(), nullable=False),
        sa.Column("mime_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("uri", sa.Text(), nullable=True),
        sa.Column("deref_uri", sa.Text(), nullable=True),
        sa.Column("digest", sa.String(length=128), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["info_id"],
            ["warning_infos.id"],
            name=op.f("fk_warning_resources_info_id_warning_infos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_resources")),
    )
    op.create_index(op.f("ix_warning_resources_info_id"), "warning_resources", ["info_id"], unique=False)
    op.create_index(
        op.f("ix_warning_resources_jurisdiction_code"),
        "warning_resources",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_table(
        "warning_versions",
        sa.Column("warning_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["warning_id"],
            ["warnings.id"],
            name=op.f("fk_warning_versions_warning_id_warnings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_versions")),
        sa.UniqueConstraint("warning_id", "seq", name="uq_warning_versions_warning_seq"),
    )
    op.create_index(
        op.f("ix_warning_versions_jurisdiction_code"), "warning_versions", ["jurisdiction_code"], unique=False
    )


def downgrade() -> None:
    op.drop_table("warning_versions")
    op.drop_table("warning_resources")
    op.drop_table("warning_areas")
    op.drop_table("warning_infos")
    op.drop_table("warnings")
    op.drop_table("warning_feeds")
