"""Pages: compose → detail → publish from the browser, the public page and the Atom index."""

from __future__ import annotations

from datetime import timedelta

from lxml import etree

from tests.warnings.conftest import create, publish_blue
from yingji.core import clock

ATOM = "{http://www.w3.org/2005/Atom}"


def test_compose_publish_and_lift_from_the_pages(browser_client, city):
    c = browser_client("town")
    page = c.get("/warnings/new?template=rainstorm")
    assert page.status_code == 200 and 'name="template_key"' in page.text and "warning-map" in page.text
    assert "<script>" not in page.text and "onclick" not in page.text
    now = clock.to_local(clock.now())
    r = c.form(
        "/warnings/new",
        {
            "template_key": "rainstorm",
            "level": "blue",
            "event": "暴雨",
            "category": "natural",
            "categories": "Met",
            "sender_name": "测试镇人民政府",
            "effective": now.strftime("%Y-%m-%dT%H:%M"),
            "expires": (now + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "division_codes": city.village_a,
            "area_polygons": "[]",
            "area_circles": "[]",
            "channels": "SMS",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:2000]
    url = r.headers["location"]
    detail = c.get(url)
    assert detail.status_code == 200 and "暴雨" in detail.text and "data-area" in detail.text
    published = c.form(url + "/publish", follow_redirects=True)
    assert published.status_code == 200
    assert "测试镇人民政府发布暴雨蓝色预警" in published.text
    lifted = c.form(url + "/lift", {"reason": "雨停了"}, follow_redirects=True)
    assert lifted.status_code == 200 and "解除" in lifted.text


def test_publish_refusal_is_shown_on_the_page(browser_client, api, city):
    w = create(api("town"), city.village_a, "blue", instruction="")
    c = browser_client("town")
    r = c.form(f"/warnings/{w['id']}/publish")
    assert r.status_code == 422
    assert "应当采取的措施" in r.text and "第六十四条" in r.text


def test_compose_preview_counts_cells(browser_client, city):
    c = browser_client("town")
    r = c.post(
        "/warnings/compose-preview",
        data={"level": "blue", "division_codes": city.village_a, "area_polygons": "[]", "area_circles": "[]"},
        headers={"X-CSRF-Token": c.csrf, "HX-Request": "true"},
    )
    assert r.status_code == 200 and "wpreview" in r.text


def test_public_page_shows_only_current_published(app, api, city, clock):
    from fastapi.testclient import TestClient

    duty = api("duty")
    current = publish_blue(duty, city.village_a, event="公开测试大风")
    draft = create(duty, city.village_a, event="未发布草稿事件")
    short = publish_blue(
        duty, city.village_a, event="即将过期事件", expires=(clock.now() + timedelta(minutes=5)).isoformat()
    )
    lifted = publish_blue(duty, city.village_a, event="已解除事件")
    duty.post(f"/api/v1/warnings/{lifted['id']}/lift", json={"reason": "结束"})
    public = TestClient(app)
    page = public.get("/public/warnings")
    assert page.status_code == 200
    assert "公开测试大风" in page.text and "即将过期事件" in page.text
    assert "未发布草稿事件" not in page.text and "已解除事件" not in page.text
    clock.freeze(clock.now() + timedelta(minutes=10))  # past expires, before any job ran
    page = public.get("/public/warnings")
    assert "即将过期事件" not in page.text and "公开测试大风" in page.text
    feed = etree.fromstring(public.get("/public/warnings.atom").content)
    titles = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert current["headline"] in titles and short["headline"] not in titles
    entry = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == current["headline"])
    link = entry.find(f"{ATOM}link[@type='application/cap+xml']").get("href")
    cap = public.get(link.replace("http://testserver", ""))
    assert cap.status_code == 200 and current["identifier"].encode() in cap.content
    assert public.get(f"/public/warnings/cap/{draft['id']}.xml").status_code == 404


def test_list_and_import_pages(browser_client, api, city):
    town = api("town_b")
    for n in range(31):  # more than one page of drafts: the pager is drawn
        create(town, city.town_b, event=f"分页测试{n}")
    c = browser_client("town_b")
    listed = c.get("/warnings?view=drafts")
    assert listed.status_code == 200 and "分页测试30" in listed.text and "page=2" in listed.text
    assert "四级（蓝色）" in listed.text and "Level IV" not in listed.text  # the level badge speaks Chinese
    assert c.get("/warnings?view=drafts&page=2").status_code == 200
    c = browser_client("county")
    assert c.get("/warnings?view=all").status_code == 200
    assert c.get("/warnings/import").status_code == 200
    r = c.post(
        "/warnings/import",
        data={"csrf_token": c.csrf},
        files={"file": ("bad.cap", b"<alert xmlns='urn:x'/>", "application/xml")},
    )
    assert r.status_code == 422 and "urn:x" in r.text


def test_the_list_in_force_is_shared_and_drops_a_warning_when_it_expires(browser_client, api, city, clock):
    """The list's rows are kept per jurisdiction and query (views/lists.pages): a publication shows at
    once, a user of another town never sees another's rows, and a warning in force leaves the list
    when it expires, though no write dropped the kept rows."""
    duty, town_b = browser_client("duty"), browser_client("town_b")
    params = {"view": "current", "q": "共享清单"}
    assert "共享清单过期" not in duty.get("/warnings", params=params).text  # kept
    publish_blue(
        api("duty"),
        city.village_a,
        event="共享清单过期",
        headline="共享清单过期测试",
        expires=(clock.now() + timedelta(minutes=5)).isoformat(),
    )
    assert "共享清单过期测试" in duty.get("/warnings", params=params).text
    assert "共享清单过期测试" not in town_b.get("/warnings", params=params).text
    clock.freeze(clock.now() + timedelta(minutes=6))  # expired; no job ran, nothing was written
    assert "共享清单过期测试" not in duty.get("/warnings", params=params).text
