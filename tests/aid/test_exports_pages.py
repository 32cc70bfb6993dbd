"""Excel exports (应急统表10 in the form's order with Chinese headers, per-town statistics, the
ledger, the rebuilding cases) and the pages, in Chinese, desk and phone; the demo's programme."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from tests.aid.helpers import key, new_programme, survey, to_distributing
from tests.conftest import log_in
from yingji.aid.codes import ProgrammeKind
from yingji.aid.models import AidDistribution, AidProgramme, RebuildCase


def _sheet(resp):
    assert resp.status_code == 200, resp.text[:300]
    ws = load_workbook(io.BytesIO(resp.content)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_form10_and_statistics(city, api):
    p = new_programme(api, city)
    r = survey(
        api("gridleader"),
        p["id"],
        city.village_a,
        "表十户",
        id_number="520602199001011237",
        head_phone="13800001111",
    )
    to_distributing(api, city, p["id"], [r["id"]])
    county = api("county")
    county.post(
        f"/api/v1/aid/programmes/{p['id']}/distributions",
        json={
            "recipient_id": r["id"],
            "kind": "cash",
            "client_key": key(),
            "amount_yuan": 300,
            "pay_form": "card",
        },
    )
    rows = _sheet(county.get(f"/api/v1/aid/programmes/{p['id']}/export/form10"))
    codes = [re.search(r"D0300\d|D03010", h).group(0) for h in rows[0]]
    assert codes == [f"D030{n:02d}" for n in range(1, 11)]
    assert rows[0][0].startswith("户主姓名") and rows[0][9].startswith("救助资金发放形式")
    mine = next(x for x in rows[1:] if x[0] == "表十户")
    assert mine[1].endswith("1237") and "199001" not in mine[1]
    assert mine[3] == "低保户" and float(mine[7]) == 300 and mine[9] == "一卡通"

    stats = _sheet(county.get(f"/api/v1/aid/programmes/{p['id']}/export/stats"))
    assert (
        stats[0][:4] == ["乡镇（街道）", "区划代码", "需救助户数", "需救助人口"] and "已救助户数" in stats[0]
    )
    assert stats[-1][0] == "合计"
    ledger = _sheet(county.get(f"/api/v1/aid/programmes/{p['id']}/export/ledger"))
    assert ledger[0][0] == "发放时间" and any(x[2] == "表十户" for x in ledger[1:])
    assert county.get(f"/api/v1/aid/programmes/{p['id']}/export/nope").status_code == 404
    cases = _sheet(county.get("/api/v1/aid/rebuild/export"))
    assert cases[0][0] == "编号" and cases[0][-1] == "办理过程"


def _no_english(html: str) -> None:
    # the sidebar's Relief section is labelled by the evacuation domain's catalog
    body = re.sub(r"<(script|style|aside)[^>]*>.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    for word in (
        "Needs survey",
        "Living aid",
        "Household",
        "Public notice",
        "House rebuilding",
        "winter_spring",
    ):
        assert word not in text, word


def test_pages_in_chinese(app, city, api):
    p = new_programme(api, city)
    r = survey(api("gridleader"), p["id"], city.village_a, "页面户")
    desk = log_in(app, "county")
    page = desk.get("/aid")
    assert page.status_code == 200 and "生活救助" in page.text and "新建救助工作" in page.text
    _no_english(page.text)
    page = desk.get(f"/aid/programmes/{p['id']}")
    assert page.status_code == 200 and "各村调查进度" in page.text and "页面户" in page.text
    _no_english(page.text)
    # the village's survey on the phone: a household typed in through the form
    phone = log_in(app, "gridleader")
    page = phone.get(f"/aid/programmes/{p['id']}/village/{city.village_a}")
    assert page.status_code == 200 and "需求调查" in page.text and "保存调查" in page.text
    _no_english(page.text)
    posted = phone.form(
        f"/aid/programmes/{p['id']}/village/{city.village_a}",
        {
            "jurisdiction_code": city.village_a,
            "head_name": "手机户",
            "family_size": "2",
            "people_in_need": "2",
            "family_type": "general",
            "needs": "food",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text[:500]
    assert "手机户" in phone.get(f"/aid/programmes/{p['id']}/village/{city.village_a}").text
    bad = phone.form(
        f"/aid/programmes/{p['id']}/village/{city.village_a}", {"jurisdiction_code": city.village_a}
    )
    assert bad.status_code == 422 and "无效" in bad.text
    # the town verifies from the desk page
    town = log_in(app, "town")
    assert (
        town.form(
            f"/aid/programmes/{p['id']}/verify", {"recipient_ids": str(r["id"])}, follow_redirects=False
        ).status_code
        == 303
    )
    # a move the table forbids is the bilingual 409 page
    refused = desk.form(f"/aid/programmes/{p['id']}/move", {"to": "closed"})
    assert refused.status_code == 409 and "不能" in refused.text

    page = desk.get("/aid/rebuild")
    assert page.status_code == 200 and "倒损住房恢复重建" in page.text
    _no_english(page.text)
    made = phone.form(
        "/aid/rebuild",
        {"jurisdiction_code": city.village_a, "head_name": "页面重建户", "degree": "severe", "rooms": "2"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    case_url = made.headers["location"]
    page = phone.get(case_url)
    assert page.status_code == 200 and "村委会民主评议" in page.text and "办理过程" in page.text
    _no_english(page.text)
    assert (
        phone.form(
            case_url + "/step", {"to": "village_reviewed", "note": "评议"}, follow_redirects=False
        ).status_code
        == 303
    )


def test_demo_programme_and_cases(city):
    with city.db.reading() as session:
        demo = session.scalars(
            select(AidProgramme).where(
                AidProgramme.kind == ProgrammeKind.WINTER_SPRING.value, AidProgramme.code.like("JZ%")
            )
        ).all()
        assert any(p.state in ("listing", "distributing") for p in demo)
        goods = session.scalars(
            select(AidDistribution).where(AidDistribution.stock_document_id.is_not(None))
        ).all()
        assert goods
        assert session.scalar(select(RebuildCase.id).limit(1)) is not None
