"""Input and output shapes of video linkage."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from yingji.core import idempotency
from yingji.core.text import Input
from yingji.video.codes import CameraKind, CameraStatus, place_code

STREAM_SCHEMES = {"hls_url": ("http", "https"), "flv_url": ("http", "https", "ws", "wss")}
STREAM_SCHEMES["webrtc_url"] = ("http", "https", "webrtc")  # ZLMediaKit/WVP: an HTTP API; SRS: webrtc://


def _url(field: str):
    def check(value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parsed = urlparse(value)
        if parsed.scheme not in STREAM_SCHEMES[field] or not parsed.netloc or any(c.isspace() for c in value):
            raise ValueError(f"not a stream address ({'/'.join(STREAM_SCHEMES[field])})")
        return value

    return check


def _place(value: str) -> str:
    try:
        return place_code(value)
    except ValueError:
        raise ValueError("not a division code") from None


class _Stream(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    _hls = field_validator("hls_url", check_fields=False)(_url("hls_url"))
    _flv = field_validator("flv_url", check_fields=False)(_url("flv_url"))
    _rtc = field_validator("webrtc_url", check_fields=False)(_url("webrtc_url"))


class CameraIn(_Stream):
    device_id: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=120)
    kind: CameraKind
    jurisdiction_code: str
    owner_unit: str | None = Field(None, max_length=120)
    lon: float | None = Field(None, ge=73, le=136)
    lat: float | None = Field(None, ge=3, le=54)
    address: str | None = Field(None, max_length=200)
    status: CameraStatus = CameraStatus.ONLINE
    hls_url: str | None = Field(None, max_length=500)
    flv_url: str | None = Field(None, max_length=500)
    webrtc_url: str | None = Field(None, max_length=500)
    note: str | None = Field(None, max_length=2000)

    _code = field_validator("jurisdiction_code")(_place)


class CameraPatch(_Stream):
    device_id: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=120)
    kind: CameraKind | None = None
    jurisdiction_code: str | None = None
    owner_unit: str | None = Field(None, max_length=120)
    lon: float | None = Field(None, ge=73, le=136)
    lat: float | None = Field(None, ge=3, le=54)
    address: str | None = Field(None, max_length=200)
    status: CameraStatus | None = None
    hls_url: str | None = Field(None, max_length=500)
    flv_url: str | None = Field(None, max_length=500)
    webrtc_url: str | None = Field(None, max_length=500)
    active: bool | None = None
    note: str | None = Field(None, max_length=2000)

    @field_validator("jurisdiction_code")
    @classmethod
    def _code(cls, v):
        return None if v is None else _place(v)


class StreamsOut(BaseModel):
    hls: str | None
    flv: str | None
    webrtc: str | None


class CameraOut(BaseModel):
    id: int
    device_id: str
    device_type: str  # digits 11–13 and what they name
    device_type_label: str
    name: str
    kind: CameraKind
    kind_label: str
    jurisdiction_code: str
    jurisdiction_name: str
    owner_unit: str | None
    lon: float | None
    lat: float | None
    address: str | None
    status: CameraStatus
    status_label: str
    streams: StreamsOut
    active: bool
    note: str | None
    updated_at: datetime


class CameraPageOut(BaseModel):
    items: list[CameraOut]
    total: int
    page: int
    size: int


class NearCameraOut(CameraOut):
    distance_m: float | None


class NearestOut(BaseModel):
    incident_id: int
    village_room: NearCameraOut | None
    cameras: list[NearCameraOut]


class UploadIn(Input):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    client_key: str = idempotency.client_key(required=True, chars=r"^[A-Za-z0-9_-]+$")
    size_bytes: int = Field(gt=0)
    content_type: str = Field(min_length=1, max_length=100)
    filename: str | None = Field(None, max_length=200)


class ClipOut(BaseModel):
    id: int
    incident_id: int
    content_type: str
    size_bytes: int
    original_name: str | None
    created_at: datetime
    url: str


class UploadOut(BaseModel):
    id: int
    incident_id: int
    offset: int  # bytes the server holds: the next chunk starts here
    size_bytes: int
    content_type: str
    state: str
    clip: ClipOut | None = None


class ImportOut(BaseModel):
    kind: str
    created: int
    updated: int
    unchanged: int


class ConferenceOut(BaseModel):
    consultation_id: int
    url: str | None  # None when no conference template is configured
