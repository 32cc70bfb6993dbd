"""Chinese first, English available: catalogs complete, pages and errors in both."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from yingji.core import i18n

ROOT = Path(__file__).resolve().parents[2]


def test_catalogs_are_complete_and_current():
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr


def test_translate_and_bilingual():
    assert i18n.translate("Grid worker", "zh_CN") == "网格员"
    assert i18n.translate("Grid worker", "en") == "Grid worker"
    assert i18n.bilingual("Page {page} of {pages}", page=2, pages=5) == ("第 2 页,共 5 页", "Page 2 of 5")
    assert i18n.normalise_locale("en-US") == "en" and i18n.normalise_locale(None) == "zh_CN"


def test_pages_switch_language(browser_client):
    c = browser_client("duty")
    assert "一张图" in c.get("/").text
    r = c.get("/lang/en?next=/people", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/people"
    c.cookies.set("yingji_lang", "en")
    page = c.get("/people").text
    assert "People" in page and "Log out" in page
    assert c.get("/lang/en?next=//evil.example", follow_redirects=False).headers["location"] == "/"
