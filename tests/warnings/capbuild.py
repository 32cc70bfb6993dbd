"""Small CAP 1.2 messages for the authority tests: an Alert in force until 2099, and Updates and
Cancels that reference it, with any sender."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from yingji.auth.scope import Principal
from yingji.core.db import Actor
from yingji.warnings import capimport
from yingji.warnings.models import Warning

SENT = "2026-12-01T08:00:00+08:00"
SEVERITY = {"red": "Extreme", "orange": "Severe", "yellow": "Moderate", "blue": "Minor"}


def message(
    sender: str,
    identifier: str,
    msg_type: str = "Alert",
    references: list[str] | None = None,
    level: str = "blue",
    info: bool = True,
) -> bytes:
    refs = f"<references>{' '.join(references)}</references>" if references else ""
    body = f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>{sender}</sender>
  <sent>{SENT}</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  {refs}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>{SEVERITY[level]}</severity>
    <certainty>Likely</certainty>
    <expires>2099-12-01T08:00:00+08:00</expires>
    <senderName>测试气象局</senderName>
    <headline>暴雨预警</headline>
    <description>预计有强降雨。</description>
    <instruction>注意防范。</instruction>
  </info>
</alert>"""
    if not info:  # CAP allows a Cancel without any info block
        body = body.split("  <info>", 1)[0] + "</alert>"
    return body.encode()


def reference(warning_sender: str, identifier: str) -> str:
    return f"{warning_sender},{identifier},{SENT}"


def stored_alert(
    db, code: str, sender: str, level: str = "blue", origin: str = "import", relay: bool = False
) -> tuple[int, str]:
    """An Alert in force at ``code`` (imported as the system), and the reference to it."""
    identifier = f"urn:test:{uuid.uuid4().hex}"
    principal = Principal.system(code)
    with db.writing(Actor.system("tests")) as session:
        got = capimport.import_message(
            session, principal, message(sender, identifier, level=level), origin=origin, relay=relay
        )
        assert got.warning.status == "published" and got.warning.jurisdiction_code == code
        return got.warning.id, reference(sender, identifier)


def status_of(db, warning_id: int) -> str:
    with db.reading() as session:
        return session.get(Warning, warning_id).status


def is_stored(db, sender: str, identifier: str) -> bool:
    with db.reading() as session:
        return (
            session.scalar(
                select(Warning.id).where(Warning.sender == sender, Warning.identifier == identifier)
            )
            is not None
        )
