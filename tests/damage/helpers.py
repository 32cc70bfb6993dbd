"""Shared helpers of the damage tests: each test opens its own process (the city is shared)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from yingji.core import clock


def open_event(api, county: str, **extra) -> dict:
    body = {
        "name": "测试暴雨过程",
        "hazard": "landslide",
        "jurisdiction_code": county,
        "occurred_at": (clock.now() - timedelta(hours=1)).isoformat(),
    } | extra
    r = api("county").post("/api/v1/damage/events", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def fig(place: str, indicator: str, cumulative=None, current=None) -> dict:
    out = {"jurisdiction_code": place, "indicator": indicator}
    if cumulative is not None:
        out["cumulative"] = cumulative
    if current is not None:
        out["current"] = current
    return out


def report(client, event_id: int, kind: str, place: str, figures: list, **extra):
    body = {"kind": kind, "jurisdiction_code": place, "figures": figures} | extra
    return client.post(f"/api/v1/damage/events/{event_id}/reports", json=body)


def accepted(
    api,
    event_id: int,
    kind: str,
    place: str,
    figures: list,
    decider: str | None = None,
    sender: str | None = None,
    **extra,
) -> dict:
    """A report sent by the place's officer and accepted by the level above (or ``decider``)."""
    sender = sender or {12: "gridleader", 9: "town", 6: "county"}[len(place)]
    decider = decider or {12: "town", 9: "county", 6: "staff"}[len(place)]
    r = report(api(sender), event_id, kind, place, figures, submit=True, **extra)
    assert r.status_code == 201, r.text
    d = api(decider).post(f"/api/v1/damage/reports/{r.json()['id']}/decision", json={"accept": True})
    assert d.status_code == 200, d.text
    return d.json()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)
