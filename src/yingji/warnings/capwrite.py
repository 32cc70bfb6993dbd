"""Writing CAP: strict CAP 1.2 (validates against the OASIS schema) and the Chinese national profile
(senderCode, colour severity, circle radius in metres, 12-digit division geocodes).

Both take the message ``dict`` of :mod:`yingji.warnings.capxml` (``capmodel.message_of`` builds it
from a warning), so import → export is one shape end to end.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from yingji.core.clock import LOCAL_TZ, to_utc
from yingji.core.text import clean
from yingji.warnings import profile
from yingji.warnings.capxml import CAP12

PROFILES = ("cap12", "cn")


def cap_time(value: datetime) -> str:
    """``2026-11-24T10:30:00+08:00``: Beijing time with a numeric offset (CAP forbids 'Z')."""
    return to_utc(value).astimezone(LOCAL_TZ).replace(microsecond=0).isoformat()


def number(value: float) -> str:
    """Shortest exact text of a float (47.5744, not 47.574400)."""
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class _Builder:
    def __init__(self) -> None:
        self.root = etree.Element(f"{{{CAP12}}}alert", nsmap={None: CAP12})

    @staticmethod
    def add(parent: etree._Element, name: str, text: str | None) -> etree._Element | None:
        if text is None:
            return None
        el = etree.SubElement(parent, f"{{{CAP12}}}{name}")
        # cleaned again: a row stored before input was cleaned must not break the export (lxml
        # refuses control characters)
        el.text = clean(text)
        return el

    def pairs(self, parent: etree._Element, name: str, pairs: list | None) -> None:
        for value_name, value in pairs or []:
            el = etree.SubElement(parent, f"{{{CAP12}}}{name}")
            self.add(el, "valueName", value_name)
            self.add(el, "value", value)


def _area(b: _Builder, parent: etree._Element, area: dict, cn: bool) -> None:
    el = etree.SubElement(parent, f"{{{CAP12}}}area")
    b.add(el, "areaDesc", area.get("area_desc") or "")
    for poly in area.get("polygons") or []:
        b.add(el, "polygon", " ".join(f"{number(p[0])},{number(p[1])}" for p in poly))
    for lat, lon, radius_m in area.get("circles") or []:
        radius = radius_m if cn else radius_m / 1000.0
        b.add(el, "circle", f"{number(lat)},{number(lon)} {number(radius)}")
    geocodes = area.get("geocodes") or []
    if cn:  # the profile names divisions with 12-digit codes under its own valueName
        codes = profile.division_codes(geocodes)
        geocodes = profile.geocodes_for(codes) + [g for g in geocodes if profile.division_codes([g]) == []]
    b.pairs(el, "geocode", geocodes)
    if area.get("altitude") is not None:
        b.add(el, "altitude", number(area["altitude"]))
        if area.get("ceiling") is not None:
            b.add(el, "ceiling", number(area["ceiling"]))


def _resource(b: _Builder, parent: etree._Element, res: dict) -> None:
    el = etree.SubElement(parent, f"{{{CAP12}}}resource")
    b.add(el, "resourceDesc", res.get("resource_desc") or "")
    b.add(el, "mimeType", res.get("mime_type") or "application/octet-stream")
    if res.get("size") is not None:
        b.add(el, "size", str(int(res["size"])))
    b.add(el, "uri", res.get("uri"))
    b.add(el, "derefUri", res.get("deref_uri"))
    b.add(el, "digest", res.get("digest"))


def _info(b: _Builder, info: dict, cn: bool, level: str | None) -> None:
    el = etree.SubElement(b.root, f"{{{CAP12}}}info")
    b.add(el, "language", info.get("language") or "en-US")
    for c in info.get("categories") or ["Other"]:
        b.add(el, "category", c)
    b.add(el, "event", info.get("event") or "")
    for r in info.get("response_types") or []:
        b.add(el, "responseType", r)
    b.add(el, "urgency", info.get("urgency") or "Unknown")
    severity = info.get("severity") or "Unknown"
    if cn and level:
        severity = profile.severity_colour(level)
    b.add(el, "severity", severity)
    b.add(el, "certainty", info.get("certainty") or "Unknown")
    b.add(el, "audience", info.get("audience"))
    b.pairs(el, "eventCode", info.get("event_codes"))
    for name in ("effective", "onset", "expires"):
        if info.get(name) is not None:
            b.add(el, name, cap_time(info[name]))
    for name, key in (
        ("senderName", "sender_name"),
        ("headline", "headline"),
        ("description", "description"),
    ):
        b.add(el, name, info.get(key))
    b.add(el, "instruction", info.get("instruction"))
    b.add(el, "web", info.get("web"))
    b.add(el, "contact", info.get("contact"))
    b.pairs(el, "parameter", info.get("parameters"))
    for res in info.get("resources") or []:
        _resource(b, el, res)
    for area in info.get("areas") or []:
        _area(b, el, area, cn)


def build(message: dict, profile_name: str = "cap12", *, level: str | None = None) -> etree._Element:
    """The ``alert`` element of ``message`` in the given profile (``cap12`` or ``cn``)."""
    cn = profile_name == "cn"
    b = _Builder()
    b.add(b.root, "identifier", message["identifier"])
    b.add(b.root, "sender", message["sender"])
    if cn:
        b.add(b.root, "senderCode", message.get("sender_code") or "")
    b.add(b.root, "sent", cap_time(message["sent"]))
    for name, key in (
        ("status", "status"),
        ("msgType", "msg_type"),
        ("source", "source"),
        ("scope", "scope"),
    ):
        b.add(b.root, name, message.get(key))
    b.add(b.root, "restriction", message.get("restriction"))
    b.add(b.root, "addresses", message.get("addresses"))
    for code in message.get("codes") or []:
        b.add(b.root, "code", code)
    b.add(b.root, "note", message.get("note"))
    if message.get("references"):
        b.add(b.root, "references", " ".join(message["references"]))
    if message.get("incidents"):
        b.add(b.root, "incidents", " ".join(message["incidents"]))
    infos = message.get("infos") or []
    if cn:
        chinese = [i for i in infos if (i.get("language") or "").lower().startswith("zh")]
        infos = chinese or infos[:1]
    for info in infos:
        _info(b, info, cn, level)
    return b.root


def to_xml(message: dict, profile_name: str = "cap12", *, level: str | None = None) -> bytes:
    """Serialised XML (UTF-8, with declaration) of ``message`` in ``cap12`` or ``cn``."""
    if profile_name not in PROFILES:
        raise ValueError(f"unknown CAP profile {profile_name!r}")
    root = build(message, profile_name, level=level)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
