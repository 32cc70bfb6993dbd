"""video: cameras and video points (GB/T 28181 device IDs, stream addresses), clips uploaded to
incidents and their resumable uploads (issue 11, 视频联报)

These tables belong to this revision only; an earlier revision must not create them.

Revision ID: 0018_video
Revises: 0017
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

import yingji.core.types

revision = "0018_video"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "video_cameras",
        sa.Column("device_id", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("owner_unit", sa.String(length=120), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("hls_url", sa.String(length=500), nullable=True),
        sa.Column("flv_url", sa.String(length=500), nullable=True),
        sa.Column("webrtc_url", sa.String(length=500), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('skynet', 'xueliang', 'smart_village', 'village_room', 'soldier', 'drone')",
            name=op.f("ck_video_cameras_kind"),
        ),
        sa.CheckConstraint("status IN ('online', 'offline', 'fault')", name=op.f("ck_video_cameras_status")),
        sa.ForeignKeyConstraint(
            ["jurisdiction_code"],
            ["jurisdictions.code"],
            name=op.f("fk_video_cameras_jurisdiction_code_jurisdictions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_cameras")),
        sa.UniqueConstraint("device_id", name=op.f("uq_video_cameras_device_id")),
    )
    op.create_index("ix_video_cameras_lon_lat", "video_cameras", ["lon", "lat"], unique=False)
    op.create_index("ix_video_cameras_scope", "video_cameras", ["jurisdiction_code", "kind"], unique=False)
    op.create_table(
        "video_clips",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_video_clips_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_video_clips_uploaded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_clips")),
    )
    op.create_index(op.f("ix_video_clips_incident_id"), "video_clips", ["incident_id"], unique=False)
    op.create_index(
        op.f("ix_video_clips_jurisdiction_code"), "video_clips", ["jurisdiction_code"], unique=False
    )
    op.create_table(
        "video_clip_uploads",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "jurisdiction_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_user_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("clip_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("created_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", yingji.core.types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("state IN ('open', 'done')", name=op.f("ck_video_clip_uploads_state")),
        sa.ForeignKeyConstraint(
            ["clip_id"],
            ["video_clips.id"],
            name=op.f("fk_video_clip_uploads_clip_id_video_clips"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_video_clip_uploads_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_user_id"],
            ["users.id"],
            name=op.f("fk_video_clip_uploads_uploaded_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_clip_uploads")),
    )
    op.create_index(
        op.f("ix_video_clip_uploads_incident_id"), "video_clip_uploads", ["incident_id"], unique=False
    )
    op.create_index(
        op.f("ix_video_clip_uploads_jurisdiction_code"),
        "video_clip_uploads",
        ["jurisdiction_code"],
        unique=False,
    )
    op.create_index(
        "ix_video_clip_uploads_key", "video_clip_uploads", ["uploaded_by_user_id", "client_key"], unique=True
    )
    # ### end Alembic commands ###


def downgrade() -> None:
    op.drop_table("video_clip_uploads")
    op.drop_table("video_clips")
    op.drop_table("video_cameras")
