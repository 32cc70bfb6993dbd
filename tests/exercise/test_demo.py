"""The demo's scripted 双盲 drill: ready to start, and every inject passes the controller's checks."""

from __future__ import annotations

from sqlalchemy import select

from yingji.drills import script
from yingji.drills.models import Drill
from yingji.drills.schemas import InjectIn


def test_the_demo_drill_is_scripted_and_valid(city, api):
    with city.db.reading() as session:
        drill = session.scalar(
            select(Drill).where(Drill.title.like("%防汛双盲演练"), Drill.state == "prepared")
        )
        assert drill is not None and drill.double_blind
        injects = script.injects_of(session, drill.id)
        assert [i.kind for i in injects][:2] == ["incident_report", "upstream_warning"]
        for i in injects:
            data = InjectIn(
                kind=i.kind,
                offset_minutes=i.offset_minutes,
                title=i.title,
                place_code=i.place_code,
                **i.payload,
            )
            assert script.payload_of(session, drill, data) == i.payload
    page = api("county").get(f"/api/v1/drills/{drill.id}/exercise")
    assert page.status_code == 200 and page.json()["double_blind"] is True
