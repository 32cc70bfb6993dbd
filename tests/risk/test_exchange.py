"""Excel import of the register: a good file is applied and re-importing changes nothing; a file
with any bad row imports nothing and lists the errors by row."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import xlsx
from tests.risk.conftest import credit_code
from yingji.risk.exchange import COLUMNS
from yingji.risk.models import Enterprise

HEADER = [c.zh for c in COLUMNS]


def row(code: str, place: str, **values) -> list:
    base = {c.key: "" for c in COLUMNS} | {
        "name": "导入测试有限公司",
        "credit_code": code,
        "industry": "建材",
        "scale": "小型",
        "employees": "35",
        "hazardous_chemicals": "否",
        "major_hazard": "否",
        "jurisdiction_code": place,
        "principal_name": "赵六",
        "principal_phone": "13700001111",
    }
    base |= values
    return [base[c.key] for c in COLUMNS]


def upload(client, data: bytes):
    return client.post(
        "/api/v1/risk/enterprises/import",
        files={"file": ("e.xlsx", data, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")},
    )


def count(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(Enterprise))


def test_a_good_file_is_imported_once(city, api):
    codes = [credit_code(), credit_code()]
    rows = [
        row(codes[0], city.village_a.ljust(12, "0")),
        row(
            codes[1],
            city.village_a,
            name="危化经营部",
            industry="hazchem_trade",
            hazardous_chemicals="是",
            major_hazard="是",
            major_hazard_grade="三级",
        ),
    ]
    r = upload(api("town"), xlsx(HEADER, rows))
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert upload(api("town"), xlsx(HEADER, rows)).json() == {"created": 0, "updated": 0, "unchanged": 2}
    found = api("town").get("/api/v1/risk/enterprises", params={"q": codes[1]}).json()["items"][0]
    assert found["major_hazard_grade"] == 3 and found["enforcement_class"] == "A"
    exported = api("town").get("/api/v1/risk/enterprises.xlsx")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"


def test_a_bad_row_imports_nothing(city, api):
    before = count(city.db)
    good = credit_code()
    other = credit_code()
    bad_check = other[:17] + ("1" if other[17] != "1" else "2")
    rows = [
        row(good, city.village_a),
        row(bad_check, city.village_a),
        row(credit_code(), city.town_b),  # another town's place
        row(credit_code(), city.village_a, industry="海盗"),
        row(good, city.village_a),  # the same code twice
        row(credit_code(), city.village_a, principal_phone="12345"),
    ]
    r = upload(api("town"), xlsx(HEADER, rows))
    assert r.status_code == 422
    errors = r.json()["error"]["details"]
    assert {e["row"] for e in errors} >= {4, 5, 6, 7}
    assert count(city.db) == before
    assert upload(api("town"), b"not a workbook").status_code == 422
    assert upload(api("viewer"), xlsx(HEADER, [row(credit_code(), city.village_a)])).status_code == 403
