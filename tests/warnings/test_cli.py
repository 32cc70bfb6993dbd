"""``yingji cap validate | import | export``: exit codes, JSON, XML on stdout."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from lxml import etree

from tests.warnings.conftest import DATA
from yingji.cli import cli
from yingji.warnings import capxml


@pytest.fixture
def runner(city, monkeypatch):
    monkeypatch.setenv("YINGJI_DATABASE_URL", city.db.settings.database_url)
    monkeypatch.setenv("YINGJI_SECRET_KEY", "test-secret")
    return CliRunner()


def test_validate_exit_codes(runner):
    ok = runner.invoke(cli, ["cap", "validate", str(DATA / "taiwan.cap")])
    assert ok.exit_code == 0, ok.output
    assert "WRA_ReservoirWarn_201405142010" in ok.output
    bad = runner.invoke(cli, ["cap", "validate", str(DATA / "invalid.cap")])
    assert bad.exit_code == 1
    assert "line 9 <info>" in bad.output and "scope" in bad.output


def test_import_prints_json_and_export_writes_xml(runner):
    r = runner.invoke(cli, ["cap", "import", str(DATA / "oasis_amber_example.xml")])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output.strip().splitlines()[-1])
    assert out["identifier"] == "KAR0-0306112239-SW" and isinstance(out["id"], int)
    again = json.loads(
        runner.invoke(cli, ["cap", "import", str(DATA / "oasis_amber_example.xml")]).output.strip()
    )
    assert again["id"] == out["id"] and again["duplicate"] is True
    exported = runner.invoke(cli, ["cap", "export", str(out["id"])])
    assert exported.exit_code == 0
    root = etree.fromstring(exported.stdout_bytes)
    assert capxml.schema().validate(root.getroottree())
    assert root.findtext("{urn:oasis:names:tc:emergency:cap:1.2}identifier") == "KAR0-0306112239-SW"
    cn = runner.invoke(cli, ["cap", "export", str(out["id"]), "--profile", "cn"])
    assert cn.exit_code == 0 and b"<senderCode" in cn.stdout_bytes


def test_import_refuses_invalid(runner):
    r = runner.invoke(cli, ["cap", "import", str(DATA / "invalid.cap")])
    assert r.exit_code == 1 and "line 9" in r.output
