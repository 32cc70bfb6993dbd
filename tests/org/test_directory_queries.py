"""The directory held to 140 real-style queries built from the test city's own names (legal, common,
short, office, pinyin, initials, typos, shared names, topics, 值班, not recognised, outside),
each with the expected first answer. The data file says how the expectations were made."""

from __future__ import annotations

import json
from pathlib import Path

QUERIES = json.loads((Path(__file__).parent / "directory_queries.json").read_text(encoding="utf-8"))[
    "queries"
]


def first_answer(a: dict) -> str:
    """The first thing the answer gives, in the data file's notation."""
    if a["choices"]:
        return "choose:" + ",".join(p["code"] for p in a["choices"])
    if a["outside"]:
        return "outside:" + ",".join(p["code"] for p in a["outside"])
    if a["unknown"] and not a["contacts"]:
        return "unknown"
    if a["duty_asked"]:
        return f"duty:{a['duty'][0]['place_code']}" if a["duty"] else "duty:none"
    if a["contacts"]:
        c = a["contacts"][0]
        return f"contact:{c['place_code']}:{c['role']}"
    return "none"


def test_the_query_set_answers_every_query(api, city):
    assert len(QUERIES) >= 100
    clients: dict = {}
    failures = []
    for case in QUERIES:
        client = clients.get(case["user"]) or clients.setdefault(case["user"], api(case["user"]))
        answer = client.get("/api/v1/directory", params={"q": case["q"]}).json()
        got = first_answer(answer)
        place = answer["places"][0]["code"] if answer["places"] else None
        topic = answer["topics"][0]["code"] if answer["topics"] else None
        wrong = []
        if got != case["first"]:
            wrong.append(f"first {got} (expected {case['first']})")
        if (
            case["place"]
            and not case["first"].startswith(("choose", "outside", "unknown"))
            and place != case["place"]
        ):
            wrong.append(f"place {place} (expected {case['place']})")
        if case["topic"] and topic != case["topic"]:
            wrong.append(f"topic {topic} (expected {case['topic']})")
        if wrong:
            failures.append(f"[{case['kind']}] {case['user']}: {case['q']!r}: " + "; ".join(wrong))
    passed = len(QUERIES) - len(failures)
    share = 100 * passed / len(QUERIES)
    report = f"directory query set: {passed}/{len(QUERIES)} first answers right ({share:.1f} %)"
    print(report)
    assert not failures, report + "\n" + "\n".join(failures)
