"""Assessment: ranking with the explanation of every point, the veto zeroing a unit's year, a score
outside its range and a veto without its cause refused, versions, the results' moves, scope."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from yingji.assessment.models import AssessmentScheme
from yingji.auth.models import AuditEntry
from yingji.core import clock
from yingji.core.db import Actor
from yingji.incidents.models import Incident

_years = itertools.count(2001)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def new_scheme(api, code: str, user: str = "commander") -> dict:
    r = api(user).post("/api/v1/assessment/schemes", json={"year": next(_years), "jurisdiction_code": code})
    assert r.status_code == 201, r.text
    return r.json()


def incident_in(city, prefix: str) -> int | None:
    with city.db.reading() as session:
        return session.scalar(
            select(Incident.id)
            .where(Incident.jurisdiction_code.startswith(prefix))
            .order_by(Incident.id)
            .limit(1)
        )


def test_demo_ranks_the_counties_with_explanations(api, city):
    year = clock.to_local(clock.now()).year
    schemes = api("commander").get("/api/v1/assessment/schemes", params={"year": year}).json()["items"]
    scheme = next(
        s for s in schemes if s["jurisdiction_code"].startswith(city.city) and s["unit_level"] == "county"
    )
    body = api("commander").get(f"/api/v1/assessment/schemes/{scheme['id']}/results").json()
    rows = body["results"]
    assert {r["jurisdiction_code"] for r in rows} >= {city.county_a, city.county_b}
    totals = [r["total"] for r in rows]
    assert totals == sorted(totals, reverse=True)
    for r in rows:
        lines = r["explanation"]["indicators"]
        assert lines and all("rule" in line and "score" in line for line in lines)
        for line in lines:
            assert 0 <= line["score"] <= line["max"]
            if line["rule"] == "computed":
                lost = sum(d["points"] for d in line["deductions"])
                assert line["score"] == round(max(0, line["max"] - lost), 2)
                assert all(d["count"] == line["counts"].get(d["on"], 0) for d in line["deductions"])
                for d in line["deductions"]:
                    if d.get("per") == "share":
                        expected = round(d["each"] * d["count"] / d["base"], 2) if d["base"] else 0
                        assert d["points"] == expected and d["count"] <= d["base"]
        if not r["vetoed"]:
            assert abs(r["total"] - sum(line["weighted"] for line in lines)) < 0.05
    # the demo's veto, with its cause, zeroes its county and forces the lowest band
    vetoed = [r for r in rows if r["vetoed"]]
    assert vetoed
    assert all(r["total"] == 0 and r["band"] == "fail" and r["explanation"]["vetoes"] for r in vetoed)
    assert all(v["cause_text"] for r in vetoed for v in r["explanation"]["vetoes"])


def test_veto_zeroes_and_withdrawal_needs_a_reason(api, city):
    scheme = new_scheme(api, city.city)
    sid = scheme["id"]
    c = api("commander")
    first = c.post(f"/api/v1/assessment/schemes/{sid}/compute").json()["results"]
    before = next(r for r in first if r["jurisdiction_code"] == city.county_a)
    incident = incident_in(city, city.county_a)
    if incident is not None:
        r = c.post(
            f"/api/v1/assessment/schemes/{sid}/vetoes",
            json={
                "jurisdiction_code": city.county_a,
                "item": "major_accident",
                "cause_kind": "incident",
                "cause_ref": str(incident),
                "note": "测试",
            },
        )
    else:
        r = c.post(
            f"/api/v1/assessment/schemes/{sid}/vetoes/with-document",
            data={"jurisdiction_code": city.county_a, "item": "major_accident", "note": "测试通报"},
            files={"file": ("tb.pdf", PDF, "application/pdf")},
        )
    assert r.status_code == 201, r.text
    veto = r.json()
    after = c.post(f"/api/v1/assessment/schemes/{sid}/compute").json()["results"]
    mine = next(x for x in after if x["jurisdiction_code"] == city.county_a)
    assert mine["vetoed"] and mine["total"] == 0 and mine["band"] == "fail"
    assert mine["raw_total"] == before["raw_total"]
    assert mine["rank"] == max(x["rank"] for x in after)
    # withdrawal needs a reason, and is audited
    r = c.post(f"/api/v1/assessment/schemes/{sid}/vetoes/{veto['id']}/withdraw", json={"reason": ""})
    assert r.status_code == 422
    r = c.post(
        f"/api/v1/assessment/schemes/{sid}/vetoes/{veto['id']}/withdraw", json={"reason": "复核不属实"}
    )
    assert r.status_code == 200 and r.json()["state"] == "withdrawn"
    again = c.post(f"/api/v1/assessment/schemes/{sid}/compute").json()["results"]
    assert not next(x for x in again if x["jurisdiction_code"] == city.county_a)["vetoed"]
    with city.db.reading() as session:
        assert session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.entity == "assessment_vetoes",
                AuditEntry.action == "withdraw",
                AuditEntry.entity_id == str(veto["id"]),
            )
        )


def test_veto_without_cause_refused(api, city):
    sid = new_scheme(api, city.city)["id"]
    c = api("commander")
    for body in (
        {"jurisdiction_code": city.county_a, "item": "report_failure"},
        {"jurisdiction_code": city.county_a, "item": "report_failure", "cause_kind": "incident"},
        {
            "jurisdiction_code": city.county_a,
            "item": "report_failure",
            "cause_kind": "incident",
            "cause_ref": "999999999",
        },
    ):
        r = c.post(f"/api/v1/assessment/schemes/{sid}/vetoes", json=body)
        assert r.status_code == 422, r.text
    r = c.post(
        f"/api/v1/assessment/schemes/{sid}/vetoes/with-document",
        data={"jurisdiction_code": city.county_a, "item": "report_failure", "note": "无附件"},
    )
    assert r.status_code == 422
    # an incident of another county is not this county's cause
    other = incident_in(city, city.county_b)
    if other is not None:
        r = c.post(
            f"/api/v1/assessment/schemes/{sid}/vetoes",
            json={
                "jurisdiction_code": city.county_a,
                "item": "report_failure",
                "cause_kind": "incident",
                "cause_ref": str(other),
            },
        )
        assert r.status_code == 422
    assert c.get(f"/api/v1/assessment/schemes/{sid}/vetoes").json() == []


def test_hand_score_range_and_evidence(api, city):
    sid = new_scheme(api, city.city)["id"]
    c = api("commander")
    for points in (-1, 10.5, 1000):
        r = c.post(
            f"/api/v1/assessment/schemes/{sid}/scores",
            json={
                "jurisdiction_code": city.county_a,
                "indicator": "publicity",
                "points": points,
                "note": "x",
            },
        )
        assert r.status_code == 422, r.text
    r = c.post(
        f"/api/v1/assessment/schemes/{sid}/scores",
        json={"jurisdiction_code": city.county_a, "indicator": "routine_reports", "points": 5, "note": "x"},
    )
    assert r.status_code == 422  # computed from the records, not by hand
    r = c.post(
        f"/api/v1/assessment/schemes/{sid}/scores/with-evidence",
        data={
            "jurisdiction_code": city.county_a,
            "indicator": "publicity",
            "points": "8.5",
            "note": "五进台账",
        },
        files={"file": ("tz.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 201, r.text
    score = r.json()
    assert score["points"] == 8.5 and score["by_name"] and score["evidence_url"]
    assert c.get(score["evidence_url"]).content == PDF
    res = c.post(f"/api/v1/assessment/schemes/{sid}/compute").json()["results"]
    line = next(
        ln
        for x in res
        if x["jurisdiction_code"] == city.county_a
        for ln in x["explanation"]["indicators"]
        if ln["key"] == "publicity"
    )
    assert line["score"] == 8.5 and line["hand"]["note"] == "五进台账"


def test_scope_a_county_cannot_score_another(api, city):
    # the city's scheme: a county officer is assessed, it does not score
    city_sid = new_scheme(api, city.city)["id"]
    body = {"jurisdiction_code": city.county_a, "indicator": "publicity", "points": 5, "note": "自评"}
    assert api("county").post(f"/api/v1/assessment/schemes/{city_sid}/scores", json=body).status_code == 403
    # another county's scheme for its towns
    other = new_scheme(api, city.county_b)["id"]
    body = {"jurisdiction_code": city.town_other_county, "indicator": "publicity", "points": 5, "note": "x"}
    r = api("county").post(f"/api/v1/assessment/schemes/{other}/scores", json=body)
    assert r.status_code in (403, 404)
    # its own county's towns: allowed; a town of another county in its own scheme: refused
    own = new_scheme(api, city.county_a, user="county")["id"]
    ok = {"jurisdiction_code": city.town_a, "indicator": "publicity", "points": 5, "note": "x"}
    assert api("county").post(f"/api/v1/assessment/schemes/{own}/scores", json=ok).status_code == 201
    bad = ok | {"jurisdiction_code": city.town_other_county}
    assert api("county").post(f"/api/v1/assessment/schemes/{own}/scores", json=bad).status_code == 403
    # a town officer does not assess
    assert api("town").post(f"/api/v1/assessment/schemes/{own}/scores", json=ok).status_code == 403


def test_versioned_when_under_way_and_results_moves(api, city):
    c = api("commander")
    scheme = new_scheme(api, city.city)
    sid = scheme["id"]
    # edited in place while nothing is assessed
    r = c.patch(
        f"/api/v1/assessment/schemes/{sid}",
        json={"points": [{"indicator": "drills", "deductions": {"overdue": 2}}]},
    )
    assert r.status_code == 200 and r.json()["id"] == sid and r.json()["version"] == 1
    # points that no longer add up to 100 are refused
    r = c.patch(f"/api/v1/assessment/schemes/{sid}", json={"points": [{"indicator": "drills", "max": 20}]})
    assert r.status_code == 422
    c.post(
        f"/api/v1/assessment/schemes/{sid}/scores",
        json={"jurisdiction_code": city.county_a, "indicator": "publicity", "points": 7, "note": "x"},
    )
    r = c.patch(
        f"/api/v1/assessment/schemes/{sid}",
        json={"points": [{"indicator": "drills", "deductions": {"overdue": 1.5}}], "reason": "市里调整"},
    )
    assert r.status_code == 200, r.text
    new = r.json()
    assert new["id"] != sid and new["version"] == 2 and new["based_on_id"] == sid
    assert c.get(f"/api/v1/assessment/schemes/{sid}").json()["state"] == "superseded"
    assert [s["points"] for s in c.get(f"/api/v1/assessment/schemes/{new['id']}/scores").json()] == [7]
    nid = new["id"]
    assert (
        c.post(f"/api/v1/assessment/schemes/{nid}/move", json={"to": "frozen"}).status_code == 409
    )  # not computed
    c.post(f"/api/v1/assessment/schemes/{nid}/compute")
    assert c.post(f"/api/v1/assessment/schemes/{nid}/move", json={"to": "published"}).status_code == 409
    assert c.post(f"/api/v1/assessment/schemes/{nid}/move", json={"to": "frozen"}).status_code == 200
    r = c.post(
        f"/api/v1/assessment/schemes/{nid}/scores",
        json={"jurisdiction_code": city.county_a, "indicator": "publicity", "points": 9, "note": "x"},
    )
    assert r.status_code == 409
    assert c.post(f"/api/v1/assessment/schemes/{nid}/compute").status_code == 409
    # a county sees nothing before publication, then only its own result
    assert api("county").get(f"/api/v1/assessment/schemes/{nid}/results").json()["results"] == []
    assert c.post(f"/api/v1/assessment/schemes/{nid}/move", json={"to": "published"}).status_code == 200
    mine = api("county").get(f"/api/v1/assessment/schemes/{nid}/results").json()["results"]
    assert [r["jurisdiction_code"] for r in mine] == [city.county_a]
    r = c.get(f"/api/v1/assessment/schemes/{nid}/export")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    with city.db.reading() as session:
        assert session.scalar(
            select(AuditEntry.id).where(
                AuditEntry.entity == "assessment_results", AuditEntry.entity_id == str(nid)
            )
        )


def test_scheme_only_for_a_city_or_county(api, city):
    r = api("commander").post(
        "/api/v1/assessment/schemes", json={"year": 2099, "jurisdiction_code": city.town_a}
    )
    assert r.status_code == 422
    r = api("county").post(
        "/api/v1/assessment/schemes", json={"year": 2099, "jurisdiction_code": city.county_b}
    )
    assert r.status_code == 403


def test_pages(browser_client, city):
    c = browser_client("commander")
    assert "考核" in c.get("/assessment").text
    with city.db.reading() as session:
        sid = session.scalar(
            select(AssessmentScheme.id)
            .where(AssessmentScheme.jurisdiction_code == city.city)
            .order_by(AssessmentScheme.id)
        )
    page = c.get(f"/assessment/schemes/{sid}")
    assert page.status_code == 200 and "名次" in page.text
    unit = c.get(f"/assessment/schemes/{sid}/units/{city.county_a}")
    assert unit.status_code == 200 and "扣分" in unit.text
    assert c.get(f"/assessment/schemes/{sid}/vetoes").status_code == 200
    assert c.get(f"/assessment/schemes/{sid}/units/{city.town_a}").status_code == 404


def test_substantiated_concealment_tipoff_vetoes(api, city):
    """A 事故瞒报 tip-off found true (the tip-off domain's ``concealments``) vetoes the unit's year."""
    import uuid

    from yingji.risk.tipoffs.models import Tipoff

    scheme = new_scheme(api, city.city)
    with city.db.writing(Actor.system("tests")) as session:
        tip = Tipoff(
            jurisdiction_code=city.town_other_county,
            kind="concealment",
            title="某矿瞒报死亡事故",
            public_ref=uuid.uuid4().hex[:12].upper(),
            received_month=f"{scheme['year']:04d}-05",
            verdict="true",
        )
        session.add(tip)
        session.flush()
        tip_id = tip.id
    rows = api("commander").post(f"/api/v1/assessment/schemes/{scheme['id']}/compute").json()["results"]
    mine = next(r for r in rows if r["jurisdiction_code"] == city.county_b)
    assert mine["vetoed"] and mine["total"] == 0
    assert [(v["cause_kind"], v["cause_ref"]) for v in mine["explanation"]["vetoes"]] == [
        ("tipoff", str(tip_id))
    ]
    assert not next(r for r in rows if r["jurisdiction_code"] == city.county_a)["vetoed"]
