"""Tables of video linkage: cameras and video points (GB/T 28181 device IDs, stream addresses), the
clips uploaded to an incident, and the resumable uploads that bring them in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from yingji.core import clock
from yingji.core.models import Audited, Base, IdMixin, TimestampMixin
from yingji.core.types import BigId, CodeStr
from yingji.video.codes import CameraKind, CameraStatus, UploadState

_KINDS_SQL = ", ".join(repr(k.value) for k in CameraKind)
_STATUS_SQL = ", ".join(repr(s.value) for s in CameraStatus)
_UPLOAD_SQL = ", ".join(repr(s.value) for s in UploadState)


class Camera(IdMixin, TimestampMixin, Audited, Base):
    """A camera or video point (天网, 雪亮, 智慧乡村, 村级视频室, 单兵, 无人机) and where to watch it."""

    __tablename__ = "video_cameras"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KINDS_SQL})", name="kind"),
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="status"),
        Index("ix_video_cameras_scope", "jurisdiction_code", "kind"),
        Index("ix_video_cameras_lon_lat", "lon", "lat"),
    )

    device_id: Mapped[str] = mapped_column(String(20), unique=True)  # GB/T 28181 编码规则A
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, ForeignKey("jurisdictions.code"))
    owner_unit: Mapped[str | None] = mapped_column(String(120))  # 建设/管理单位
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(8), default=CameraStatus.ONLINE.value)
    hls_url: Mapped[str | None] = mapped_column(String(500))
    flv_url: Mapped[str | None] = mapped_column(String(500))
    webrtc_url: Mapped[str | None] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str | None] = mapped_column(Text)


class ClipUpload(IdMixin, TimestampMixin, Base):
    """A clip on its way in: the bytes so far sit in a partial file; ``received`` is how many. Not
    audited row by row (every chunk moves ``received``): its start is audited explicitly, the
    finished clip by the listener."""

    __tablename__ = "video_clip_uploads"
    __table_args__ = (
        CheckConstraint(f"state IN ({_UPLOAD_SQL})", name="state"),
        Index("ix_video_clip_uploads_key", "uploaded_by_user_id", "client_key", unique=True),
    )

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)  # the incident's
    client_key: Mapped[str] = mapped_column(String(64))  # the phone's key: the same clip is one upload
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(10), default=UploadState.OPEN.value)
    original_name: Mapped[str | None] = mapped_column(String(200))
    clip_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("video_clips.id", ondelete="SET NULL"))


class Clip(IdMixin, Audited, Base):
    """A clip recorded at the scene (视频联报), kept under var/uploads/video by content hash."""

    __tablename__ = "video_clips"

    incident_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    jurisdiction_code: Mapped[str] = mapped_column(CodeStr, index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    original_name: Mapped[str | None] = mapped_column(String(200))
    uploaded_by_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
