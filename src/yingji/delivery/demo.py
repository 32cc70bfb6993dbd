"""Demo channels and deliveries: every village gets a WeCom group robot and a 村村响 loudspeaker
controller, every town a DingTalk robot, the city an SMS gateway — all with fictitious addresses
(``.invalid``) and DISABLED, so nothing is ever sent from a demo. Warnings the warnings demo published
are then fanned out like real ones (the disabled SMS gateway leaves their SMS failed, visibly)."""

from __future__ import annotations

from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor
from yingji.delivery import flows
from yingji.delivery.models import ChannelEndpoint, Dispatch
from yingji.org.models import Jurisdiction
from yingji.warnings.codes import WarningStatus
from yingji.warnings.hooks import WarningEvent

DEMO_HOST = "demo.invalid"


def _row(kind: str, name: str, code: str, config: dict, rate: float, now) -> dict:
    return {
        "kind": kind,
        "name": name,
        "jurisdiction_code": code,
        "config": config,
        "enabled": False,
        "rate_per_s": rate,
        "next_free_at": None,
        "created_at": now,
        "updated_at": now,
    }


def endpoint_rows(places: list[tuple[str, str, str]], top: str, now) -> list[dict]:
    """(code, name, level) → rows of disabled endpoints with fictitious URLs."""
    rows = [
        _row(
            "sms",
            "短信网关(演示)",
            top,
            {"url": f"https://sms.{DEMO_HOST}/send", "api_key": "demo", "callback_token": "demo"},
            200.0,
            now,
        )
    ]
    for code, name, level in places:
        if level == "town":
            url = f"https://robot.{DEMO_HOST}/robot/send?access_token=demo{code}"
            rows.append(
                _row(
                    "dingtalk",
                    f"{name}应急钉钉群",
                    code,
                    {"webhook_url": url, "sign_secret": "SECdemo"},
                    0.3,
                    now,
                )
            )
        elif level == "village":
            wecom = f"https://wecom.{DEMO_HOST}/cgi-bin/webhook/send?key=demo{code}"
            rows.append(_row("wecom", f"{name}群众微信群", code, {"webhook_url": wecom}, 0.3, now))
            speaker = {
                "url": f"https://speaker.{DEMO_HOST}/api/broadcast",
                "token": "demo",
                "terminals": [f"{code}-01"],
            }
            rows.append(_row("broadcast", f"{name}村村响", code, speaker, 1.0, now))
    return rows


def build(db, data, options, progress) -> None:
    """Disabled demo endpoints, then deliveries for any published demo warning."""
    now = clock.now()
    actor = Actor.system("demo")
    with db.reading() as session:
        places = session.execute(
            select(Jurisdiction.code, Jurisdiction.name, Jurisdiction.level).where(
                Jurisdiction.level.in_(("town", "village")), Jurisdiction.code.startswith(data.top)
            )
        ).all()
    rows = endpoint_rows([tuple(p) for p in places], data.top, now)
    with db.writing(actor) as session:
        for i in range(0, len(rows), 5000):
            session.execute(insert(ChannelEndpoint), rows[i : i + 5000])
        audit.record(
            session,
            "demo.build",
            "channel_endpoints",
            data.top,
            after={"endpoints": len(rows)},
            note="disabled",
        )
    try:
        from yingji.warnings.models import Warning
    except ImportError:  # the warnings model not there: nothing to fan out
        return
    with db.writing(actor) as session:
        done = set(session.scalars(select(Dispatch.warning_id)))
        for warning in session.scalars(select(Warning).where(Warning.status == WarningStatus.PUBLISHED)):
            if warning.id not in done:
                flows.on_warning_event(session, warning, WarningEvent.PUBLISHED)
