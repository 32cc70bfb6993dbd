"""Fixtures of the file-job tests: the app with tiny thresholds (every export of more than a few
rows, every upload, becomes a job), API clients on it, and running the file jobs."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from yingji.app import create_app
from yingji.jobs.worker import Worker

KINDS = ["files.export", "files.import", "files.expire"]


def small_app(city, var_dir, **extra):
    settings = city.db.settings.with_(var_dir=var_dir, extra={k: str(v) for k, v in extra.items()})
    return create_app(settings, city.db, start_worker=False)


@pytest.fixture(scope="module")
def small(city, tmp_path_factory):
    """Exports of more than 5 rows and uploads of more than 0 KB run as file jobs."""
    application = small_app(city, tmp_path_factory.mktemp("files"), export_job_rows=5, import_job_kb=0)
    with TestClient(application):
        yield application


@pytest.fixture
def on(tokens):
    """``on(app, "town")`` → an API client of that app as that demo user."""
    clients = []

    def make(application, username: str) -> TestClient:
        c = TestClient(application, raise_server_exceptions=False)
        c.headers["Authorization"] = f"Bearer {tokens[username]}"
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def run_file_jobs(db) -> int:
    return Worker(db, kinds=KINDS).run_until_idle()


def sheet_rows(content: bytes) -> list[tuple]:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows
