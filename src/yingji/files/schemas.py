"""Output shapes of file jobs (nothing is submitted: jobs start from the export and import routes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class FileJobOut(BaseModel):
    id: int
    direction: str  # export | import
    kind: str
    state: str  # queued | running | done | failed | expired
    total: int | None  # rows expected (an export's estimate), or handled (a finished import)
    done: int  # rows written or handled so far
    percent: int | None
    filename: str
    size_bytes: int | None
    result: dict[str, Any] | None  # an import's counts, or its row errors when it was refused
    message: str | None  # why it failed (中文)
    message_en: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime
    url: str
    page_url: str
    download_url: str | None


class FileJobList(BaseModel):
    items: list[FileJobOut]
