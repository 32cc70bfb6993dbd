"""Places with their path (issue 15 part 3): lists, pages, sitreps and exports say 县 · 镇 · 村 with the
full legal path on hover, relative to the reader; generated titles use the common name."""

from __future__ import annotations

import html
import io
import re

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tests.conftest import log_in
from tests.response.conftest import new_incident
from yingji.core.db import Actor
from yingji.files import kinds
from yingji.org import names
from yingji.org.models import Jurisdiction
from yingji.org.sheets import write
from yingji.warnings import queries as warning_queries
from yingji.warnings.models import Warning


def _paths(city, code: str, within: str = "") -> tuple[str, str]:
    with city.db.reading() as session:
        ix = names.index(session)
        return ix.short_path(code, within), ix.legal_path(code)


def _span(short: str, legal: str) -> str:
    return f'<span class="place" title="{html.escape(legal)}">{html.escape(short)}</span>'


def test_paths_are_relative_to_the_reader_and_legal_on_hover(city):
    with city.db.reading() as session:
        ix = names.index(session)
        county, town, village = (ix.places[c] for c in (city.county_a, city.town_a, city.village_a))
        assert (
            ix.short_path(city.village_a, city.city) == f"{county.common} · {town.common} · {village.common}"
        )
        assert ix.short_path(city.village_a, city.county_a) == f"{town.common} · {village.common}"
        assert ix.short_path(city.village_a, city.village_a) == village.common  # the place itself stays
        assert ix.short_path(city.group_a).startswith(
            f"{county.common} · {town.common} · {village.common} · "
        )
        assert village.name.endswith("委员会") and not village.common.endswith("委员会")
        assert ix.legal_path(city.village_a).startswith("贵州省铜仁市") and ix.legal_path(
            city.village_a
        ).endswith(village.name)
        several = ix.short_paths(
            [city.town_a, city.town_b, city.town_other_county, city.village_a, city.group_a]
        )
        assert several.startswith(ix.short_path(city.town_a)) and several.endswith("等2处")
        assert ix.short_path("999999999") == "999999999"  # an unknown code shows as it is
        assert names.place_path(session, city.village_a) == ix.short_path(city.village_a)


def test_search_part_waits_for_a_search(city):
    with city.db.reading() as session:
        ix = names.index(session)
        town = ix.places[city.town_a]
        assert ix.lookup(town.common).codes == [city.town_a]  # built on first use, then found


def test_incident_list_and_page_show_the_path_to_a_city_officer(city, app):
    title = "路径测试山体滑坡"
    iid = new_incident(city.db, city.village_a, title=title)
    short, legal = _paths(city, city.village_a, city.city)
    assert short.count(" · ") == 2  # county · town · village
    duty = log_in(app, "duty")
    listing = duty.get("/incidents", params={"q": title})
    assert listing.status_code == 200 and title in listing.text
    assert _span(short, legal) in listing.text
    page = duty.get(f"/incidents/{iid}")
    assert page.status_code == 200
    head = page.text.split('class="page-head"', 1)[1].split("</div>", 2)
    assert _span(short, legal) in "".join(head[:2])
    # a county officer reads town · village: the county is their own
    county_short, _ = _paths(city, city.village_a, city.county_a)
    county = log_in(app, "county").get("/incidents", params={"q": title})
    assert _span(county_short, legal) in county.text and county_short.count(" · ") == 1


def test_map_popup_carries_the_path(city, api):
    iid = new_incident(city.db, city.village_a, title="路径测试地图")
    with city.db.writing(Actor.system("tests")) as session:
        place = session.get(Jurisdiction, city.village_a)
        from yingji.incidents.models import Incident

        incident = session.get(Incident, iid)
        incident.lon, incident.lat = place.lon, place.lat
    features = api("duty").get("/api/v1/map/incidents").json()["features"]
    mine = next(f for f in features if f["properties"]["id"] == iid)
    assert mine["properties"]["place"] == _paths(city, city.village_a, city.city)[0]


def test_warnings_list_names_its_divisions(city, app):
    with city.db.reading() as session:
        warnings = session.scalars(select(Warning).where(Warning.status == "published")).all()
        areas = warning_queries.area_codes(session, warnings)
        found = next((w for w in warnings if areas.get(w.id)), None)
        assert found is not None, "the demo has a published warning over named divisions"
        ix = names.index(session)
        expected = ix.short_paths(areas[found.id], city.city)
        identifier = found.identifier
    page = log_in(app, "duty").get("/warnings", params={"q": identifier})
    assert page.status_code == 200
    assert html.escape(expected) in page.text
    first = areas[found.id][0]
    assert html.escape(_paths(city, first)[1]) in page.text  # the legal path in the hover title


def test_sitrep_docx_says_where(city, api):
    iid = new_incident(city.db, city.village_a, title="路径测试坍塌")
    town = api("town")
    sitrep = town.post(
        f"/api/v1/incidents/{iid}/sitreps", json={"conditions": "现场已封控。", "actions": "已处置。"}
    ).json()
    doc = Document(io.BytesIO(town.get(sitrep["docx"]).content))
    texts = [p.text for p in doc.paragraphs]
    short = _paths(city, city.village_a)[0]  # documents go up: the path from the county
    line = next(t for t in texts if t.startswith("事发地点："))
    assert short in line and short.count(" · ") == 2
    assert texts.index(line) == texts.index("一、基本情况") + 1


def test_registered_exports_carry_the_place_path_and_still_import(city):
    people = kinds.export_kind("people")
    assert "place_path" in [c.key for c in people.columns]
    with city.db.reading() as session:
        ix = names.index(session)
        from yingji.auth.scope import Principal

        principal = Principal.system()
        data = write(people.title, people.columns, people.rows(session, principal, within=city.town_a))
    ws = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    at, code_at = header.index("所在地"), header.index("所属区划代码")
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert rows
    for row in rows:
        code = re.sub(r"0+$", "", str(row[code_at]))
        code = next(c for c in (code, code + "0", code + "00") if c in ix.places)
        assert row[at] == ix.short_path(code)


def test_danger_ledger_place_is_its_path(city):
    from yingji.auth.scope import Principal
    from yingji.risk.danger_models import Danger as HiddenDanger

    ledger = kinds.export_kind("risk_dangers")
    with city.db.reading() as session:
        ix = names.index(session)
        rows = list(ledger.rows(session, Principal.system()))
        codes = set(session.scalars(select(HiddenDanger.jurisdiction_code)))
    assert rows, "the demo has hidden dangers"
    paths = {ix.short_path(c) for c in codes}
    legal = {ix.places[c].name for c in codes}
    for row in rows[:200]:
        assert row["place"] in paths and row["place"] not in legal  # the path, not the bare legal name
        assert " · " in row["place"]


def test_a_generated_title_uses_the_common_name(city, api):
    r = api("town").post(
        "/api/v1/incidents", json={"category": "accident.fire", "jurisdiction_code": city.village_a}
    )
    assert r.status_code == 201, r.text
    with city.db.reading() as session:
        village = names.index(session).places[city.village_a]
    assert r.json()["title"].startswith(village.common)
    assert "委员会" not in r.json()["title"]


def test_a_change_of_divisions_drops_the_cached_index_at_commit(city):
    with city.db.reading() as session:
        before = names.index(session)
    with city.db.writing(Actor.system("tests")) as session:
        names.forget_after_commit(session)  # what org.divisions does when it adds or renames
        with city.db.reading() as other:
            assert names.index(other) is before  # not before the commit
    with city.db.reading() as session:
        after = names.index(session)
    assert after is not before and after.places.keys() == before.places.keys()
