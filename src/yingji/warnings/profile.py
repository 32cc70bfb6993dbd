"""The Chinese national warning-release profile: senderCode, identifier, headline, file name and
division geocodes, all driven by ``rules/cap_profile_cn.json`` (see its source for what is assumed)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from yingji.core.clock import to_local
from yingji.org import codes
from yingji.warnings import values

_SAFE_FILE = re.compile(r'[\\/:*?"<>|\s]+')


def sector_code(sector: str | None) -> str:
    sectors = values.profile()["sender_code"]["sectors"]
    entry = sectors.get(sector or "") or sectors[values.profile()["sender_code"]["default_sector"]]
    return entry["code"]


def sector_of(sender_code_: str | None) -> str | None:
    """The sector key whose code sits in digits 7–9 of a senderCode (None if unknown)."""
    digits = (sender_code_ or "")[6:9]
    for key, entry in values.profile()["sender_code"]["sectors"].items():
        if entry["code"] == digits:
            return key
    return None


def sender_code(jurisdiction_code: str, sector: str | None = None) -> str:
    """14 digits: county (6) + sector (3) + town digits or 000 (3) + serial 00 (2)."""
    county = jurisdiction_code[:6].ljust(6, "0")
    sub = jurisdiction_code[6:9] if len(jurisdiction_code) >= 9 else "000"
    return values.profile()["sender_code"]["format"].format(
        county6=county, sector3=sector_code(sector), sub3=sub, serial2="00"
    )


def identifier(sender_code_: str, sent: datetime, n: int = 0) -> str:
    """``senderCode_YYYYMMDDhhmmss_N`` in Beijing time (GB/T 35965.1 附录A A.1.1): 31 characters,
    ``_N`` always present, N the sequence (0–9) of this sender's messages at that second."""
    spec = values.profile()["identifier"]
    if not 0 <= n <= spec["sequence_max"]:
        raise ValueError(f"sequence {n} outside 0..{spec['sequence_max']}")
    return spec["format"].format(sender_code=sender_code_, sent=to_local(sent), n=n)


def sequence_max() -> int:
    """The highest ``N`` of an identifier (9: one digit)."""
    return values.profile()["identifier"]["sequence_max"]


def severity_colour(level: str | None) -> str:
    return values.profile()["severity"].get(level or "unknown", "Unknown")


def colour_zh(level: str | None) -> str:
    return values.levels().get(level or "", {}).get("colour_zh", "")


def headline(msg_type: str, sender_name: str, event: str, level: str | None) -> str:
    """〈发布单位〉发布/更新/解除〈事件〉〈颜色〉预警."""
    pattern = values.profile()["headline"].get(msg_type) or values.profile()["headline"]["Alert"]
    return pattern.format(sender_name=sender_name or "", event=event or "", colour_zh=colour_zh(level))


def file_name(sender_name: str, sent: datetime, event: str, level: str | None, msg_type: str) -> str:
    """发布单位_签发时间_类型_级别_状态.XML."""
    spec = values.profile()["file_name"]
    name = spec["format"].format(
        sender_name=sender_name or "",
        sent=to_local(sent),
        event=event or "",
        colour_zh=colour_zh(level),
        msg_type_zh=spec["msg_type_zh"].get(msg_type, msg_type),
    )
    return _SAFE_FILE.sub("", name)


def division_codes(geocodes: Iterable[Sequence[str]]) -> list[str]:
    """Division codes (significant-digit form) from ``[valueName, value]`` geocodes of the profile."""
    accepted = {n.lower() for n in values.profile()["geocode_value_names_accepted"]}
    out: list[str] = []
    for pair in geocodes:
        if len(pair) < 2 or str(pair[0]).strip().lower() not in accepted:
            continue
        try:
            code = codes.normalise(str(pair[1]))
        except ValueError:
            continue
        if code not in out:
            out.append(code)
    return out


def geocodes_for(division_codes_: Iterable[str]) -> list[list[str]]:
    """``[valueName, 12-digit code]`` pairs for division codes."""
    name = values.profile()["geocode_value_name"]
    return [[name, codes.division_code_12(c)] for c in division_codes_]
