"""A worker killed in the middle of dispatch: ``yingji worker`` as a real process sends SMS batches
to the test gateway, is SIGKILLed while the gateway holds one batch (which it still takes), and a
fresh worker finishes. Every recipient ends with exactly one delivery per channel: one row in our
table, one message accepted by the gateway, one idempotency key; the resent batches were recognised
as duplicates by key."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.delivery.conftest import deliveries, emit, make_warning, run_jobs
from yingji.core import clock
from yingji.core.db import Actor
from yingji.delivery.models import ChannelEndpoint
from yingji.jobs.models import Job

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def start_worker(db, tmp_path, name: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        YINGJI_DATABASE_URL=db.settings.database_url,
        YINGJI_VAR_DIR=str(tmp_path / "var"),
        YINGJI_SECRET_KEY="test-secret",
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p),
    )
    out = (tmp_path / f"{name}.out").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "yingji", "worker", "--kinds", "delivery.send", "--idle", "0.05", *args],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def test_killed_worker_leaves_exactly_one_delivery_per_recipient(city, sms, tmp_path):
    with city.db.writing(Actor.system("tests")) as session:
        endpoint = session.get(ChannelEndpoint, sms.endpoint_id)
        endpoint.config = endpoint.config | {"batch_size": 10}
    sms.gateway.hold_request = 3
    dispatch = emit(city.db, make_warning(city.db, city.county_a, area_codes=[city.village_a]))
    run_jobs(city.db, ["delivery.fanout_residents"])  # residents in; nothing sent yet
    rows = deliveries(city.db, dispatch.id, channel="sms")
    assert len(rows) > 40 and {r.state for r in rows} == {"queued"}

    first = start_worker(city.db, tmp_path, "first")
    try:
        assert sms.gateway.held.wait(timeout=60), (tmp_path / "first.out").read_text()
        first.send_signal(signal.SIGKILL)
        assert first.wait(timeout=10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    sms.gateway.release.set()  # the held batch is taken by the gateway after all
    time.sleep(0.2)
    assert {r.state for r in deliveries(city.db, dispatch.id, channel="sms")} == {
        "queued"
    }  # nothing committed
    with city.db.writing(Actor.system("tests")) as session:  # the lease runs out (the auditor's job)
        session.execute(
            update(Job)
            .where(Job.kind == "delivery.send", Job.state == "running")
            .values(lease_expires_at=clock.now() - timedelta(seconds=1))
        )

    second = start_worker(city.db, tmp_path, "second", "--once")
    assert second.wait(timeout=120) == 0, (tmp_path / "second.out").read_text()

    rows = deliveries(city.db, dispatch.id, channel="sms")
    assert {r.state for r in rows} == {"sent"}
    per_recipient = {}
    for r in rows:
        per_recipient.setdefault((r.recipient_kind, r.recipient_id), []).append(r.id)
    assert all(len(ids) == 1 for ids in per_recipient.values())
    marker = dispatch.headline
    accepted = sms.gateway.per_recipient(marker)
    phones = [r.address for r in rows if r.address]
    assert sorted(accepted) == sorted(set(phones)) and set(accepted.values()) == {1}
    assert all(len(keys) == 1 for keys in sms.gateway.keys_per_recipient(marker).values())
    assert sms.gateway.data.duplicates >= 20  # the batches resent after the crash were recognised
