"""Helpers of the video tests: device IDs that fit a place, incidents through the API, a real clip."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from contextlib import contextmanager

import pytest

from tests.incidents.conftest import first_report  # noqa: F401 (re-exported for the video tests)


def device_id(place: str, type_code: str = "132", industry: str = "00") -> str:
    """A fresh GB/T 28181 ID whose centre code is the place's county."""
    return f"{place[:6]}00{industry}{type_code}{uuid.uuid4().int % 10**7:07d}"


@contextmanager
def settings_extra(app, **extra):
    """Run with domain settings changed (the app's settings are read per request)."""
    before = app.state.settings
    app.state.settings = before.with_(extra={**before.extra, **extra})
    try:
        yield
    finally:
        app.state.settings = before


@pytest.fixture(scope="session")
def webm_clip(tmp_path_factory) -> bytes:
    """A real two-second VP8 WebM clip, made by ffmpeg (about 100 KB)."""
    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    out = tmp_path_factory.mktemp("clip") / "clip.webm"
    subprocess.run(
        [
            *("ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=15", "-t", "2"),
            *("-c:v", "libvpx", "-b:v", "400k", str(out)),
        ],
        check=True,
    )
    return out.read_bytes()
