"""National standards: CAP identifiers per GB/T 35965.1 附录A A.1.1 (31 characters, ``_N`` always),
GB/T 35561 codes only with a source, and ``yingji cap import`` on a database without divisions."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.warnings.conftest import DATA, publish_blue
from yingji.cli import cli
from yingji.core import clock
from yingji.core.db import Actor
from yingji.core.errors import Conflict
from yingji.org.models import Jurisdiction
from yingji.rules import tables
from yingji.warnings import lifecycle, profile
from yingji.warnings.models import Warning

ANNEX_A = re.compile(r"\d{6}\d{3}\d{3}\d{2}_\d{14}_\d")  # ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N
SENDER_CODE = "52060210100000"


def test_identifier_is_31_characters_always_ending_in_n():
    sent = datetime(2026, 7, 1, 16, 0, 5, tzinfo=UTC)  # 00:00:05 on 2 July in Beijing
    first = profile.identifier(SENDER_CODE, sent)
    assert first == "52060210100000_20260702000005_0"
    assert len(first) == 31 and ANNEX_A.fullmatch(first)
    assert profile.identifier(SENDER_CODE, sent, 9) == "52060210100000_20260702000005_9"
    for bad in (10, -1):  # N is one digit, 0-9 (A.1.1)
        with pytest.raises(ValueError):
            profile.identifier(SENDER_CODE, sent, bad)


def _stored(session, sender: str, identifier: str, code: str) -> None:
    session.add(
        Warning(
            identifier=identifier,
            sender=sender,
            sent=clock.now(),
            status="expired",
            msg_type="Alert",
            jurisdiction_code=code,
            origin="import",
        )
    )
    session.flush()


def test_sequence_counts_the_senders_messages_of_that_second(city):
    """_0 first; taken numbers are skipped; an identifier stored before the standard (29
    characters, no _N) stays as it is and does not take _0; an eleventh is refused."""
    sent = datetime(2026, 7, 1, 2, 3, 4, tzinfo=UTC)
    sender = f"{SENDER_CODE}@{uuid.uuid4().hex[:8]}.test"
    with city.db.writing(Actor.system("tests")) as session:
        draft = Warning(sender=sender, sender_code=SENDER_CODE, sent=sent)
        old_style = profile.identifier(SENDER_CODE, sent)[:-2]  # what 0041 and before wrote
        assert len(old_style) == 29
        _stored(session, sender, old_style, city.county_a)
        assert lifecycle._new_identifier(session, draft).endswith("_0")
        _stored(session, sender, profile.identifier(SENDER_CODE, sent, 0), city.county_a)
        _stored(session, sender, profile.identifier(SENDER_CODE, sent, 1), city.county_a)
        assert lifecycle._new_identifier(session, draft) == profile.identifier(SENDER_CODE, sent, 2)
        # Another sender's numbers are its own.
        other = Warning(sender=f"x{sender}", sender_code=SENDER_CODE, sent=sent)
        assert lifecycle._new_identifier(session, other).endswith("_0")
        for n in range(2, 10):
            _stored(session, sender, profile.identifier(SENDER_CODE, sent, n), city.county_a)
        with pytest.raises(Conflict):
            lifecycle._new_identifier(session, draft)
        # The old identifier is still found as it was stored.
        assert session.scalar(select(Warning.id).where(Warning.identifier == old_style)) is not None
        session.rollback()


def test_published_warning_carries_an_annex_a_identifier(api, city):
    out = publish_blue(api("county"), city.village_a)
    assert len(out["identifier"]) == 31 and ANNEX_A.fullmatch(out["identifier"])
    assert out["identifier"].startswith(out["sender_code"] + "_")
    # The public CAP link finds it by that identifier.
    cap = api("county").get(f"/api/v1/warnings/{out['id']}/cap")
    assert cap.status_code == 200 and f"<identifier>{out['identifier']}</identifier>".encode() in cap.content


def test_gbt35561_codes_only_with_a_source():
    """No code is guessed: a subcategory has a GB/T 35561 code only when the table names its
    source; where all are null the file says why."""
    table = tables.load("event_categories.json")
    subs = [s for c in table["categories"] for s in c["subcategories"]]
    assert len(subs) == 26
    codes = [s["gbt35561"] for s in subs if s["gbt35561"] is not None]
    assert all(re.fullmatch(r"\d{2}[A-Z]\d{2}", c) for c in codes)
    reason = table["fields"]["gbt35561"]
    assert "RULES2.md §16.1" in reason and "never guess" in reason
    if not codes:
        assert "null" in reason


# -- yingji cap import on a fresh install ---------------------------------------------------------
@pytest.fixture
def fresh(databases, monkeypatch):
    """A migrated database with nothing in it (``yingji migrate`` of a new install)."""
    db = databases.make("fresh")
    monkeypatch.setenv("YINGJI_DATABASE_URL", db.settings.database_url)
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    return db


def test_import_on_a_fresh_database_refuses_with_a_reason_then_imports_at_the_root(fresh):
    runner = CliRunner()
    r = runner.invoke(cli, ["cap", "import", str(DATA / "weather.cap")])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert "yingji import divisions" in r.output and "尚未" in r.output  # Chinese first, then English
    with fresh.reading() as session:
        assert session.scalar(select(Warning.id)) is None
    # With the divisions in place, a message from abroad is kept at the root, and said so.
    with fresh.writing(Actor.system("tests")) as session:
        session.add(Jurisdiction(code="52", name="贵州省", level="province", parent_code=None))
        session.add(Jurisdiction(code="5206", name="铜仁市", level="city", parent_code="52"))
    r = runner.invoke(cli, ["cap", "import", str(DATA / "taiwan.cap")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["jurisdiction_code"] == "52" and out["placement"] == "root"
    assert "根辖区" in r.stderr and "root jurisdiction 52" in r.stderr
    again = runner.invoke(cli, ["cap", "import", str(DATA / "taiwan.cap")])
    assert json.loads(again.stdout.strip().splitlines()[-1])["duplicate"] is True
