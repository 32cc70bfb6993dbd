"""Every download leaves an audit row (who, what, where, how big); file names survive in UTF-8."""

from __future__ import annotations

from urllib.parse import quote

from sqlalchemy import select

from yingji.auth.downloads import audited_download
from yingji.auth.models import AuditEntry
from yingji.auth.scope import Principal


def _exports(db, entity: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "export", AuditEntry.entity == entity)
            )
        )


def test_residents_and_gap_exports_are_audited(api, city):
    before = len(_exports(city.db, "residents")), len(_exports(city.db, "supply_gaps"))
    residents = api("town").get("/api/v1/residents/export", params={"within": city.village_a})
    gaps = api("county").get("/api/v1/supplies/gaps.xlsx", params={"within": city.town_a})
    assert residents.status_code == 200 and gaps.status_code == 200
    rows = _exports(city.db, "residents")
    assert len(rows) == before[0] + 1
    assert rows[-1].jurisdiction_code == city.village_a and f"{len(residents.content)} bytes" in rows[-1].note
    assert len(_exports(city.db, "supply_gaps")) == before[1] + 1


def test_a_malformed_place_is_refused_before_anything_is_exported(api, city):
    r = api("town").get("/api/v1/residents/export", params={"within": "52x"})
    assert r.status_code == 422 and r.json()["error"]["details"][0]["field"] == "within"


def test_a_chinese_file_name_is_sent_in_utf8_with_an_ascii_fallback(city):
    name = "碧江区-值班表.xlsx"
    response = audited_download(city.db, Principal.system(what="test"), b"x", entity="t", filename=name)
    disposition = response.headers["content-disposition"]
    assert f"filename*=UTF-8''{quote(name)}" in disposition
    assert disposition.startswith('attachment; filename="') and disposition.isascii()
