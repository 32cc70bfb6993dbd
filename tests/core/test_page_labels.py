"""Every page, read in Chinese by the roles that use it, shows no raw code, no untranslated English and
no developer note; and shows no action its reader would be refused (a button that answers 403).

The pages are those a user reaches: every page route without parameters, then the links they show
(one address per route and set of query keys), on the scratch city. See ``pagewalk.py``.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import log_in
from tests.core.pagewalk import DEVELOPER_PAGES, known_codes, page_routes, problems, read_page, walk
from tests.core.test_no_500_pages import SKIP
from yingji.auth.models import User
from yingji.web import templating

ROLES = ("admin", "duty", "county", "town", "gridworker", "viewer")
LIMITED = ("duty", "county", "town", "gridworker", "viewer")
# Forms on accounts end sessions (a password reset, disabling a user): sent as filled in here they would
# sign the walk's own users out. Their permissions have their own tests (tests/auth).
ACCOUNT_FORMS = ("/admin/users", "/account")


@pytest.fixture(scope="module")
def usernames(scratch_app) -> frozenset[str]:
    """Login names are identifiers (shown as the header's tooltip, in user lists and logs)."""
    with scratch_app.state.db.reading() as session:
        names = frozenset(session.scalars(select(User.username)))
    # What only a test run writes: the test client's address ("testclient", where a browser has an
    # IP) on the security log, and the fixtures' actor "tests" in records other tests leave behind.
    return names | {"testclient", "tests"}


@pytest.fixture(scope="module")
def walked(scratch_app):
    """role → the pages it reaches (walked once for both tests)."""
    routes = page_routes(scratch_app)
    out = {}
    for role in ROLES:
        client = log_in(scratch_app, role)
        out[role] = (client, list(walk(client, routes)))
    return out


def test_the_check_knows_real_codes():
    codes = known_codes()
    for code in ("on_call", "reported", "batteries", "in_transit", "submitted"):
        assert code in codes
    assert (
        problems(["状态：reported"])
        and problems(["已接收 in_transit"])
        and problems(["batteries · 定期充电"])
    )
    assert problems(["(RULES.md §4)"]) and problems(["默认值 [unconfirmed]"]) and problems(["依据 S-31"])
    assert not problems(["GB/T 28181-2016 编码 34020000001320000001 · 3 km · CAP 1.2 · IV级 · KTV"])


def test_a_planted_raw_code_is_caught(scratch_app, monkeypatch, usernames):
    """The check can fail: with role labels bypassed, every page shows the raw role code."""
    monkeypatch.setitem(templating.env.globals, "role_label", lambda role: role)
    client = log_in(scratch_app, "town")
    page = client.get("/")
    assert page.status_code == 200
    found = problems(read_page(page.text).texts, allowed=usernames)
    assert any("town_officer" in p for p in found), found


def test_pages_show_no_raw_codes_english_or_notes(walked, usernames):
    failures = set()
    pages = 0
    for role, (_, found) in walked.items():
        for page in found:
            pages += 1
            for problem in problems(read_page(page.html).texts, allowed=usernames):
                failures.add(f"{role} {page.route}: {problem}")
    assert pages > 200
    assert not failures, "\n".join(sorted(failures)[:200])


def _fill(fields: dict[str, str]) -> dict[str, str]:
    """A form as its reader would send it: what it holds, an empty text filled in (a refusal must not
    hide behind a missing field)."""
    return {name: (value if value else "1") for name, value in fields.items()}


def test_no_action_shown_that_its_reader_may_not_take(scratch_app, walked):
    """Each action form and htmx button a limited role sees, sent as shown: never refused (403)."""
    patterns = [(r, re.compile(re.sub(r"\{[^}]+\}", "[^/]+", r) + "$")) for r in _post_routes(scratch_app)]
    failures = []
    tried = 0
    for role in LIMITED:
        client, pages = walked[role]
        done = set()
        for page in pages:
            for form in read_page(page.html).forms:
                if form.method == "get":
                    continue
                action = form.action or page.url
                path = action.split("?", 1)[0]
                if not path.startswith("/") or path.startswith(SKIP + DEVELOPER_PAGES + ACCOUNT_FORMS):
                    continue
                route = next((r for r, rx in patterns if rx.match(path)), None)
                if route is None or (route, form.label[:40]) in done:
                    continue
                done.add((route, form.label[:40]))
                # what an earlier form did may have changed the page: send the form as shown now
                now = client.get(page.url, follow_redirects=False)
                shown = [
                    f for f in read_page(now.text).forms if (f.action, f.label) == (form.action, form.label)
                ]
                if now.status_code != 200 or not shown:
                    continue
                tried += 1
                data = {**_fill(shown[0].fields), "csrf_token": client.csrf}
                r = client.request(form.method.upper(), action, data=data, follow_redirects=False)
                if r.status_code == 403:
                    said = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text.split("<main", 1)[-1]))[:160]
                    failures.append(
                        f"{role} on {page.url}: {form.method.upper()} {action} ({form.label[:40]!r}): {said}"
                    )
    assert tried > 20
    assert not failures, "\n".join(failures)


def _post_routes(app) -> list[str]:
    from tests.core.test_no_500_pages import _walk

    return sorted(
        {p for p, ms in _walk(app.routes) if ms & {"POST", "PUT", "DELETE", "PATCH"}},
        key=lambda p: p.count("{"),
    )


def test_rule_sources_reach_users_as_the_documents_they_cite():
    """A rule file's source is a developer's note; users read the documents it names."""
    from yingji import rules as loader

    note = templating.source_note(loader.load("drill_frequency.json")["source"])
    assert note.startswith("突发事件应急预案管理办法 (国办发〔2013〕101号) 第二十二条")
    assert not problems([note])
    for name in ("relief_response.json", "training_obligations.json", "supplies_store_rules.json"):
        assert not problems([templating.source_note(loader.load(name)["source"])])
