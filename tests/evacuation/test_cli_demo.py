"""``yingji relief tally --order ID --json`` and the demo's live order."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import func, select

from yingji.cli import cli
from yingji.evacuation.models import EvacuationMark, EvacuationOrder, EvacuationRoute, HazardThreat

from .conftest import issue

KEYS = ("threatened", "moved", "sheltered", "safe_elsewhere", "unaccounted")


def test_cli_tally(city, monkeypatch):
    order_id = issue(city.db, "town", [city.group_a])
    monkeypatch.setenv("YINGJI_DATABASE_URL", city.db.settings.database_url)
    result = CliRunner().invoke(cli, ["relief", "tally", "--order", str(order_id), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    for key in KEYS:
        assert set(out[key]) == {"households", "people"}
    assert (
        out["threatened"]["households"]
        == sum(out[k]["households"] for k in KEYS[1:]) + out["returned"]["households"]
    )
    missing = CliRunner().invoke(cli, ["relief", "tally", "--order", "999999999", "--json"])
    assert missing.exit_code == 2
    assert "转移令" in missing.stderr and "evacuation order" in missing.stderr


def test_demo_has_a_live_order(city):
    with city.db.reading() as session:
        order = session.scalar(select(EvacuationOrder).where(EvacuationOrder.client_key.like("demo-order-%")))
        assert order is not None and order.state == "active" and order.warning_id
        assert session.scalar(
            select(func.count()).select_from(EvacuationMark).where(EvacuationMark.order_id == order.id)
        )
        assert session.scalar(select(func.count()).select_from(HazardThreat))
        session.scalar(
            select(func.count()).select_from(EvacuationRoute)
        )  # only when the shelters demo made any


def test_demo_routes_lead_to_the_nearest_shelter(city):
    import uuid

    from yingji.core.db import Actor
    from yingji.evacuation import demo
    from yingji.org.models import Jurisdiction
    from yingji.shelters.models import Shelter

    with city.db.writing(Actor.system("tests")) as session:
        town = session.get(Jurisdiction, city.town_a)
        near = Shelter(
            code=f"T-{uuid.uuid4().hex[:8]}",
            name="近处避难场所",
            level="town",
            shelter_class="emergency",
            jurisdiction_code=city.town_a,
            lon=town.lon,
            lat=town.lat,
            capacity=500,
        )
        session.add(near)
        session.flush()
        made = demo._routes(session, city.town_a)
    with city.db.reading() as session:
        routes = session.scalars(
            select(EvacuationRoute).where(
                EvacuationRoute.jurisdiction_code.startswith(city.town_a),
                EvacuationRoute.hazard_kind == "geological",
            )
        ).all()
    assert made == 0 or routes
    for r in routes:
        assert r.shelter_id is not None and r.minutes and r.distance_m is not None
