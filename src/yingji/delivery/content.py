"""The texts a dispatch sends, fixed when it is issued: SMS, robot markdown, loudspeaker TTS, and the
escalation and door-to-door reminders. They go to people in China, so they are Chinese whatever the
sender's page language; the warning's own text is used as written.
"""

from __future__ import annotations

import secrets

from yingji.core.clock import to_local
from yingji.warnings.hooks import WarningEvent

LEVEL_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
EVENT_ZH = {WarningEvent.PUBLISHED: "发布", WarningEvent.UPDATED: "更新", WarningEvent.LIFTED: "解除"}
ACK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
SMS_SIGN = "应急管理"
MAX_SMS_BODY = 300


def new_ack_code() -> str:
    return "".join(secrets.choice(ACK_ALPHABET) for _ in range(4))


def _text(warning, name: str) -> str:
    value = getattr(warning, name, None)
    return str(value).strip() if value else ""


def headline_of(warning, event: str) -> str:
    headline = _text(warning, "headline")
    if headline:
        return headline
    level = LEVEL_ZH.get(_text(warning, "level"), "")
    return f"{_text(warning, 'sender_name')}{EVENT_ZH.get(event, '发布')}{level}预警"


def build(warning, event: str, ack_code: str) -> dict[str, str]:
    """Texts per channel for one issue of a warning."""
    headline = headline_of(warning, event)
    description = _text(warning, "description")
    instruction = _text(warning, "instruction")
    sender = _text(warning, "sender_name")
    issued = to_local(getattr(warning, "sent", None) or getattr(warning, "effective", None))
    when = issued.strftime("%m月%d日%H:%M") if issued else ""
    if event == WarningEvent.LIFTED:
        sms = f"【{SMS_SIGN}】{headline}。{description}"[:MAX_SMS_BODY]
    else:
        sms = f"【{SMS_SIGN}】{headline}。{instruction or description}"[:MAX_SMS_BODY]
    markdown = f"**{headline}**\n\n{description}\n\n" + (
        f"> 防御指南：{instruction}\n\n" if instruction else ""
    )
    markdown += f"发布单位：{sender}　{when}"
    return {
        "subject": headline[:200],
        "sms": sms,
        "ack_hint": f"网格员请回复1或“收到{ack_code}”确认，或点链接确认：",
        "markdown": markdown,
        "tts": f"{headline}。{description}。{instruction}".strip("。"),
        "escalation": f"【{SMS_SIGN}】预警未确认：{headline}。您负责或所在村的网格尚未确认收到，"
        "请立即核实并传达到户。",
        "door_to_door": f"【{SMS_SIGN}】逐家逐户：{headline}。您的网格尚未确认收到预警，请立即逐家逐户通知，"
        "先通知残疾、独居、高龄人员，完成后在手机上关闭任务。",
    }
