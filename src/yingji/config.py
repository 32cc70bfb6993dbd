"""Settings from the environment, with embedded defaults so a bare checkout runs on SQLite."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_float(name: str | None, default: float, low: float, high: float) -> float:
    """A numeric setting from the environment: ``default`` when unset, not a number or outside
    [low, high] (a typo must not turn a travel speed or an area per person into nonsense)."""
    try:
        value = float(os.environ.get(name or "", "") or default)
    except ValueError:
        return default
    return value if low <= value <= high else default


def _read_or_create_secret(var_dir: Path) -> str:
    """A stable secret for the embedded default: generated once, kept under ./var/."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    var_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    default_locale: str = "zh_CN"
    tile_url: str = ""
    tile_attribution: str = ""
    session_hours: int = 12
    cookie_secure: bool = False
    inprocess_worker: bool | None = None  # None: on for SQLite, off for PostgreSQL
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    login_max_failures_per_ip: int = 30
    # Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; none by default.
    trusted_proxies: tuple[str, ...] = ()
    token_days: int = 90  # API tokens expire after this many days (and cannot be asked for longer)
    max_upload_mb: int = 20
    compress: bool = True  # gzip / Brotli / Zstandard for pages, JSON and static files (core/compress.py)
    sql_echo: bool = False
    # Overload: connections per process, how many requests use the database at once, how many more
    # may wait for a turn, and how long any wait lasts before the request is shed with a 503.
    db_pool_size: int = 10
    db_max_overflow: int = 20
    db_max_active: int = 20
    db_max_queued: int = 200
    db_wait_s: float = 5.0
    extra: dict = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def database_kind(self) -> str:
        return "sqlite" if self.is_sqlite else "postgresql"

    @property
    def run_inprocess_worker(self) -> bool:
        return self.is_sqlite if self.inprocess_worker is None else self.inprocess_worker

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)


# Domain settings read into ``Settings.extra`` (name → environment variable); each domain documents
# its default where it reads the value.
EXTRA_SETTINGS = {
    "photo_max_mb": "YINGJI_PHOTO_MAX_MB",
    "duplicate_radius_m": "YINGJI_DUPLICATE_RADIUS_M",
    "duplicate_window_hours": "YINGJI_DUPLICATE_WINDOW_HOURS",
    "tipoff_per_hour": "YINGJI_TIPOFF_PER_HOUR",
    "job_lease_s": "YINGJI_JOB_LEASE_S",
    "job_audit_s": "YINGJI_JOB_AUDIT_S",
    # file jobs (yingji.files.service): large exports and imports run as jobs
    "export_job_rows": "YINGJI_EXPORT_JOB_ROWS",
    "import_job_kb": "YINGJI_IMPORT_JOB_KB",
    "import_time_limit_s": "YINGJI_IMPORT_TIME_LIMIT_S",
    "file_keep_hours": "YINGJI_FILE_KEEP_HOURS",
    # video linkage (yingji.video): the gateway's stream hosts (allowed by the pages' CSP), an HLS
    # URL template from the device ID, the 视频会商 URL template, the clip size limit, and the
    # GB/T 28181 choices the standard leaves open
    "video_media_origins": "YINGJI_VIDEO_MEDIA_ORIGINS",
    "video_hls_template": "YINGJI_VIDEO_HLS_TEMPLATE",
    "video_conference_url": "YINGJI_VIDEO_CONFERENCE_URL",
    "video_clip_max_mb": "YINGJI_VIDEO_CLIP_MAX_MB",
    "video_type_categories": "YINGJI_VIDEO_TYPE_CATEGORIES",
    "video_centre_covers": "YINGJI_VIDEO_CENTRE_COVERS",
    # exercise mode (yingji.drills.measure): local time limits, in minutes, for the reactions no law
    # times (receiving, grading, activating the response, acknowledging an alarm); unset = no limit
    "drill_receive_minutes": "YINGJI_DRILL_RECEIVE_MINUTES",
    "drill_grade_minutes": "YINGJI_DRILL_GRADE_MINUTES",
    "drill_response_minutes": "YINGJI_DRILL_RESPONSE_MINUTES",
    "drill_alarm_ack_minutes": "YINGJI_DRILL_ALARM_ACK_MINUTES",
    # drills (yingji.drills): how many days ahead reminders go out, the largest drill record
    "drill_remind_days": "YINGJI_DRILL_REMIND_DAYS",
    "drill_record_max_mb": "YINGJI_DRILL_RECORD_MAX_MB",
    # readiness (yingji.readiness.evidence): the largest evidence file of a confirmation or a meeting
    "readiness_evidence_max_mb": "YINGJI_READINESS_EVIDENCE_MAX_MB",
}


MAX_ACTIVE_CEILING = 32


def normalise_database_url(url: str) -> str:
    """Accept the common spellings and always use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    var_dir = Path(env.get("YINGJI_VAR_DIR", "./var")).resolve()
    url = env.get("YINGJI_DATABASE_URL") or f"sqlite:///{var_dir / 'yingji.db'}"
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
    inproc = env.get("YINGJI_INPROCESS_WORKER")
    return Settings(
        database_url=normalise_database_url(url),
        secret_key=env.get("YINGJI_SECRET_KEY") or _read_or_create_secret(var_dir),
        var_dir=var_dir,
        host=env.get("YINGJI_HOST", "127.0.0.1"),
        port=int(env.get("YINGJI_PORT", "8000")),
        default_locale=env.get("YINGJI_LOCALE", "zh_CN"),
        tile_url=env.get("YINGJI_TILE_URL", ""),
        tile_attribution=env.get("YINGJI_TILE_ATTRIBUTION", ""),
        session_hours=int(env.get("YINGJI_SESSION_HOURS", "12")),
        cookie_secure=_bool(env.get("YINGJI_COOKIE_SECURE"), False),
        inprocess_worker=None if inproc in (None, "") else _bool(inproc, True),
        login_max_failures=int(env.get("YINGJI_LOGIN_MAX_FAILURES", "5")),
        login_lock_minutes=int(env.get("YINGJI_LOGIN_LOCK_MINUTES", "15")),
        login_max_failures_per_ip=int(env.get("YINGJI_LOGIN_MAX_FAILURES_PER_IP", "30")),
        trusted_proxies=tuple(
            p.strip() for p in env.get("YINGJI_TRUSTED_PROXIES", "").split(",") if p.strip()
        ),
        token_days=int(env.get("YINGJI_TOKEN_DAYS", "90")),
        max_upload_mb=int(env.get("YINGJI_MAX_UPLOAD_MB", "20")),
        compress=_bool(env.get("YINGJI_COMPRESS"), True),
        sql_echo=_bool(env.get("YINGJI_SQL_ECHO"), False),
        db_pool_size=max(1, int(env.get("YINGJI_DB_POOL_SIZE", "10"))),
        db_max_overflow=max(0, int(env.get("YINGJI_DB_MAX_OVERFLOW", "20"))),
        # Sync endpoints run on 40 worker threads; a request holding a connection needs one of them to
        # finish, so at most 32 may hold one (more lets waiting threads starve the holders).
        db_max_active=min(MAX_ACTIVE_CEILING, max(1, int(env.get("YINGJI_DB_MAX_ACTIVE", "20")))),
        db_max_queued=max(0, int(env.get("YINGJI_DB_MAX_QUEUED", "200"))),
        db_wait_s=max(0.1, float(env.get("YINGJI_DB_WAIT_S", "5"))),
        extra={key: env[var] for key, var in EXTRA_SETTINGS.items() if env.get(var)},
    )
