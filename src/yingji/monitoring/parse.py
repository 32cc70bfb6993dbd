"""Readings as they arrive (HTTP JSON arrays, MQTT payloads) turned into columns, with the malformed
ones set aside with their reason — never dropped.

A reading is ``{"sensor": code, "t": time, "v": value}`` over HTTP; over MQTT the sensor is the last
level of the topic and the payload is ``{"t", "v"}`` or a list of them. ``t`` is an ISO 8601 time with
its offset (``2026-06-03T08:05:00+08:00`` or ``…Z``) or epoch seconds (values above 1e11 are read as
milliseconds); a time without an offset is refused rather than guessed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from yingji.monitoring.store import us_of

CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
MS_THRESHOLD = 1e11


@dataclass
class Parsed:
    """Columns of the well-formed readings and the rejected ones as (code, reason, sample)."""

    codes: list[str] = field(default_factory=list)
    t_us: list[int] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)
    bad: list[tuple[str, str, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.codes)

    def extend(self, other: Parsed) -> None:
        """Append another parse's readings and rejections."""
        self.codes += other.codes
        self.t_us += other.t_us
        self.values += other.values
        self.bad += other.bad


def _sample(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, default=str)[:300]
    except (TypeError, ValueError):
        return repr(item)[:300]


def time_us(value: Any) -> int | None:
    """Epoch microseconds of ``t``, or None when it is not a time with an offset."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value):
            return None
        seconds = value / 1000 if abs(value) > MS_THRESHOLD else value
        return round(seconds * 1_000_000)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
        if parsed.tzinfo is None:
            return None
        return us_of(parsed)
    return None


def _one(out: Parsed, code: str, item: Any) -> None:
    if not isinstance(item, dict) or "t" not in item or "v" not in item:
        out.bad.append((code, "malformed", _sample(item)))
        return
    t = time_us(item["t"])
    if t is None:
        out.bad.append((code, "malformed", _sample(item)))
        return
    out.codes.append(code)
    out.t_us.append(t)
    out.values.append(item["v"])


def from_items(items: Any) -> Parsed:
    """An HTTP batch: a JSON array of ``{"sensor", "t", "v"}``."""
    out = Parsed()
    if not isinstance(items, list):
        out.bad.append(("", "malformed", _sample(items)))
        return out
    for item in items:
        code = item.get("sensor") if isinstance(item, dict) else None
        if not isinstance(code, str) or not CODE.match(code):
            out.bad.append((str(code or "")[:64], "malformed", _sample(item)))
            continue
        _one(out, code, item)
    return out


def from_mqtt(topic: str, payload: bytes) -> Parsed:
    """One MQTT message: the sensor is the topic's last level; the payload one reading or a list."""
    out = Parsed()
    add_mqtt(out, topic, payload)
    return out


def add_mqtt(out: Parsed, topic: str, payload: bytes) -> None:
    """Add one MQTT message's readings to ``out`` (a batch is parsed into one ``Parsed``)."""
    code = topic.rsplit("/", 1)[-1]
    if not CODE.match(code):
        out.bad.append((code[:64], "malformed", topic[:300]))
        return
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        out.bad.append((code, "malformed", payload[:300].decode("utf-8", "replace")))
        return
    if isinstance(body, dict) and "t" in body and "v" in body:  # the common case, one reading
        t = time_us(body["t"])
        if t is not None:
            out.codes.append(code)
            out.t_us.append(t)
            out.values.append(body["v"])
            return
    for item in body if isinstance(body, list) else [body]:
        _one(out, code, item)
