"""Reading CAP safely: size limit, no DTD or entities, no network; CAP 1.1 upgraded to 1.2; the OASIS
CAP 1.2 schema plus the rules the schema cannot say (references, polygons, circles). Every refusal
names the element and the line, as a :class:`CapRejected` with one detail per problem.

The result is a plain ``dict`` (see :func:`parse`) that ``capmodel`` turns into rows.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree

from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.warnings import values

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
CAP11 = "urn:oasis:names:tc:emergency:cap:1.1"
ATOM = "http://www.w3.org/2005/Atom"
MAX_CAP_BYTES = 5 * 1024 * 1024
MAX_ID_CHARS = 200  # identifier and sender columns
_FORBIDDEN = re.compile(r"<!(DOCTYPE|ENTITY)", re.IGNORECASE)
_ELEMENT_IN_MESSAGE = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")


class CapRejected(ValidationFailed):
    code = "cap_rejected"
    message = "The CAP message was refused: {count} problem(s)."


def problem(message: str, element: str, line: int | None, **params: Any) -> dict[str, Any]:
    """One refusal detail: an English message id with its parameters, the element and the line."""
    return {"element": element, "line": line, "message": message, "params": params}


def _reject(problems: list[dict]) -> CapRejected:
    return CapRejected(details=problems, count=len(problems))


@cache
def schema() -> etree.XMLSchema:
    """The OASIS CAP 1.2 schema shipped in ``yingji/rules/cap``."""
    path = files("yingji.rules") / "cap" / "CAP-v1.2.xsd"
    return etree.XMLSchema(etree.fromstring(path.read_bytes(), _parser()))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


# Byte order marks and, without one, how the first '<' is written (XML 1.0, appendix F).
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_WIDE_STARTS = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x00<", "utf-16-be"),
)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?\bencoding\s*=\s*[\"']([^\"']{1,40})[\"']")
_ENCODING_ATTR = re.compile(r"(^\s*<\?xml[^>]*?\bencoding\s*=\s*)([\"'])[^\"']*\2")


def _refuse_encoding(message: str, **params: Any) -> CapRejected:
    return _reject([problem(message, "xml", 1, **params)])


def document_text(data: bytes) -> str:
    """The document as text, decoded as its byte order mark, the width of its first '<' or its XML
    declaration says (UTF-8 without any). Refused (422) when the encoding is unknown, cannot be read
    safely (UTF-7, EBCDIC: a '<' could hide in them) or does not match the bytes."""
    codec, body = None, data
    for bom, name in _BOMS:
        if data.startswith(bom):
            codec, body = name, data[len(bom) :]
            break
    if codec is None:
        codec = next((name for start, name in _WIDE_STARTS if data.startswith(start)), None)
    if codec is None:  # one byte per ASCII character: the declaration names the encoding
        found = _DECLARED.match(data[:200])
        declared = found.group(1).decode("ascii", "replace").strip() if found else "utf-8"
        try:
            info = codecs.lookup(declared)
        except LookupError:
            raise _refuse_encoding(
                N_("The message's encoding '{encoding}' is not known."), encoding=declared
            ) from None
        codec = info.name
        if codec.startswith(("utf-16", "utf-32")):
            codec = "utf-8"  # declared two or four bytes wide but written one: the declaration is wrong
        elif not getattr(info, "_is_text_encoding", True) or "<?xml".encode(codec, "replace") != b"<?xml":
            raise _refuse_encoding(
                N_("The message's encoding '{encoding}' cannot be read safely; send UTF-8."),
                encoding=declared,
            )
    try:
        text = body.decode(codec)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(codec, "replace").count("\n") + 1
        raise _reject(
            [problem(N_("The message is not valid {encoding}."), "xml", line, encoding=codec)]
        ) from None
    return text.removeprefix("\ufeff")


def as_utf8(data: bytes) -> bytes:
    """The document in UTF-8 with its declaration saying so (what lxml then reads, and what is worth
    storing); the bytes unchanged when they cannot be decoded (``parse`` refuses them with a reason)."""
    try:
        text = document_text(data)
    except CapRejected:
        return data
    return _ENCODING_ATTR.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")


def load_xml(data: bytes, *, max_bytes: int = MAX_CAP_BYTES) -> etree._Element:
    """Parse XML bytes in any encoding its declaration names with the hardened parser; refuse
    oversized input and any DTD or entity (looked for in the decoded text: in UTF-16 the bytes of
    '<!DOCTYPE' are interleaved with zeros)."""
    if len(data) > max_bytes:
        raise _reject(
            [problem(N_("The message is larger than {limit} bytes."), "alert", None, limit=max_bytes)]
        )
    text = document_text(data)
    found = _FORBIDDEN.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise _reject([problem(N_("DTDs and entity declarations are not allowed."), "!DOCTYPE", line)])
    utf8 = _ENCODING_ATTR.sub(r"\1\2UTF-8\2", text, count=1).encode("utf-8")
    try:
        return etree.fromstring(utf8, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise _reject(
            [problem(N_("The XML is not well-formed: {reason}"), "xml", line, reason=exc.msg or str(exc))]
        ) from None


def _local(tag: Any) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _namespace(tag: Any) -> str | None:
    return etree.QName(tag).namespace if isinstance(tag, str) else None


def check_root(root: etree._Element) -> str:
    """The CAP version of the root (``1.2`` or ``1.1``), else refuse naming the namespace."""
    ns, name = _namespace(root.tag), _local(root.tag)
    if name == "alert" and ns == CAP12:
        return "1.2"
    if name == "alert" and ns == CAP11:
        return "1.1"
    if ns == ATOM:
        msg = N_("This is an Atom feed, not a CAP message.")
        raise _reject([problem(msg, name, root.sourceline)])
    raise _reject(
        [
            problem(
                N_("The root element <{name}> is in namespace '{namespace}', not <alert> in '{expected}'."),
                name,
                root.sourceline,
                name=name,
                namespace=ns or "",
                expected=CAP12,
            )
        ]
    )


def upgrade_11(root: etree._Element) -> None:
    """CAP 1.1 → 1.2 in place: namespace, certainty 'Very Likely' → 'Likely', mimeType required."""
    rules = values.cap_values()["cap11_upgrade"]
    for el in root.iter():
        if _namespace(el.tag) == CAP11:
            el.tag = f"{{{CAP12}}}{_local(el.tag)}"
    etree.cleanup_namespaces(root, top_nsmap={None: CAP12})
    for el in root.iter(f"{{{CAP12}}}certainty"):
        text = (el.text or "").strip()
        el.text = rules["certainty"].get(text, text)
    for res in root.iter(f"{{{CAP12}}}resource"):
        if res.find(f"{{{CAP12}}}mimeType") is None:
            mime = etree.Element(f"{{{CAP12}}}mimeType")
            mime.text = rules["default_mime_type"]
            desc = res.find(f"{{{CAP12}}}resourceDesc")
            (desc.addnext(mime) if desc is not None else res.insert(0, mime))


def schema_problems(root: etree._Element) -> list[dict]:
    """Violations of the OASIS CAP 1.2 schema, each with the element and line."""
    xsd = schema()
    if xsd.validate(root.getroottree()):
        return []
    out = []
    for err in xsd.error_log:
        m = _ELEMENT_IN_MESSAGE.search(err.message)
        reason = err.message.replace(f"{{{CAP12}}}", "")
        out.append(
            problem(
                N_("Not valid CAP 1.2 (schema): {reason}"),
                m.group(1) if m else "alert",
                err.line or None,
                reason=reason,
            )
        )
    return out


def _text(el: etree._Element | None) -> str | None:
    if el is None:
        return None
    return el.text if el.text is not None else ""


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return el.findall(f"{{{CAP12}}}{name}")


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return el.find(f"{{{CAP12}}}{name}")


def _strip(value: str | None) -> str | None:
    return None if value is None else value.strip()


def _time(el: etree._Element | None) -> datetime | None:
    text = _strip(_text(el))
    return datetime.fromisoformat(text) if text else None


def _pairs(el: etree._Element, name: str) -> list[list[str]]:
    return [
        [(_strip(_text(_child(p, "valueName"))) or ""), (_strip(_text(_child(p, "value"))) or "")]
        for p in _children(el, name)
    ]


def _float(text: str, element: str, line: int | None, problems: list[dict]) -> float | None:
    try:
        return float(text)
    except ValueError:
        problems.append(problem(N_("'{value}' is not a number."), element, line, value=text))
        return None


def _point(text: str, element: str, line: int | None, problems: list[dict]) -> list[float] | None:
    lat_s, _, lon_s = text.partition(",")
    lat = _float(lat_s.strip(), element, line, problems)
    lon = _float(lon_s.strip(), element, line, problems)
    if lat is None or lon is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        problems.append(problem(N_("Point {value} is outside WGS 84 (lat,lon)."), element, line, value=text))
        return None
    return [lat, lon]


def parse_polygon(text: str, line: int | None, problems: list[dict]) -> list[list[float]] | None:
    """``lat,lon lat,lon …``: at least 4 points, the first equal to the last."""
    tokens = text.split()
    points = [_point(t, "polygon", line, problems) for t in tokens]
    if any(p is None for p in points):
        return None
    if len(points) < 4 or points[0] != points[-1]:
        problems.append(
            problem(
                N_("A polygon needs at least 4 points and the first must equal the last."), "polygon", line
            )
        )
        return None
    return points


def parse_circle(
    text: str, line: int | None, problems: list[dict], *, unit: str = "km"
) -> list[float] | None:
    """``lat,lon radius`` → [lat, lon, radius_m] (radius in km in CAP 1.2, metres in the profile)."""
    centre, _, radius_s = text.strip().partition(" ")
    point = _point(centre, "circle", line, problems)
    radius = _float(radius_s.strip(), "circle", line, problems) if radius_s.strip() else None
    if radius_s.strip() == "":
        problems.append(problem(N_("A circle needs 'lat,lon radius'."), "circle", line))
    if point is None or radius is None:
        return None
    if radius < 0:
        problems.append(problem(N_("A circle's radius cannot be negative."), "circle", line))
        return None
    return [point[0], point[1], radius * 1000.0 if unit == "km" else radius]


def _area(el: etree._Element, problems: list[dict]) -> dict:
    polygons = []
    for p in _children(el, "polygon"):
        text = (_text(p) or "").strip()
        if text:  # an empty <polygon/> (seen in NWS feeds) says nothing: skipped
            poly = parse_polygon(text, p.sourceline, problems)
            if poly:
                polygons.append(poly)
    circles = [
        c
        for c in (parse_circle(_text(x) or "", x.sourceline, problems) for x in _children(el, "circle"))
        if c
    ]
    alt, ceil = _child(el, "altitude"), _child(el, "ceiling")
    return {
        "area_desc": _text(_child(el, "areaDesc")) or "",
        "polygons": polygons,
        "circles": circles,
        "geocodes": _pairs(el, "geocode"),
        "altitude": _float(_text(alt).strip(), "altitude", alt.sourceline, problems)
        if alt is not None
        else None,
        "ceiling": _float(_text(ceil).strip(), "ceiling", ceil.sourceline, problems)
        if ceil is not None
        else None,
    }


def _resource(el: etree._Element) -> dict:
    size = _strip(_text(_child(el, "size")))
    return {
        "resource_desc": _text(_child(el, "resourceDesc")) or "",
        "mime_type": _strip(_text(_child(el, "mimeType"))) or "",
        "size": int(size) if size else None,
        "uri": _strip(_text(_child(el, "uri"))),
        "deref_uri": _text(_child(el, "derefUri")),
        "digest": _strip(_text(_child(el, "digest"))),
    }


def _info(el: etree._Element, problems: list[dict]) -> dict:
    return {
        "language": _strip(_text(_child(el, "language"))) or "en-US",
        "categories": [(_text(c) or "").strip() for c in _children(el, "category")],
        "event": _text(_child(el, "event")) or "",
        "response_types": [(_text(c) or "").strip() for c in _children(el, "responseType")],
        "urgency": _strip(_text(_child(el, "urgency"))),
        "severity": _strip(_text(_child(el, "severity"))),
        "certainty": _strip(_text(_child(el, "certainty"))),
        "audience": _text(_child(el, "audience")),
        "event_codes": _pairs(el, "eventCode"),
        "effective": _time(_child(el, "effective")),
        "onset": _time(_child(el, "onset")),
        "expires": _time(_child(el, "expires")),
        "sender_name": _text(_child(el, "senderName")),
        "headline": _text(_child(el, "headline")),
        "description": _text(_child(el, "description")),
        "instruction": _text(_child(el, "instruction")),
        "web": _strip(_text(_child(el, "web"))),
        "contact": _text(_child(el, "contact")),
        "parameters": _pairs(el, "parameter"),
        "resources": [_resource(r) for r in _children(el, "resource")],
        "areas": [_area(a, problems) for a in _children(el, "area")],
    }


def _rule_problems(root: etree._Element, message: dict) -> list[dict]:
    """What CAP 1.2 requires beyond the schema."""
    out = []
    for name in ("identifier", "sender"):
        el = _child(root, name)
        if el is not None and re.search(r"[\s,<&]", (el.text or "").strip()):
            out.append(
                problem(
                    N_("<{name}> must not contain spaces, commas, '<' or '&'."),
                    name,
                    el.sourceline,
                    name=name,
                )
            )
        if el is not None and len((el.text or "").strip()) > MAX_ID_CHARS:
            out.append(
                problem(
                    N_("<{name}> is longer than {limit} characters."),
                    name,
                    el.sourceline,
                    name=name,
                    limit=MAX_ID_CHARS,
                )
            )
    refs_el = _child(root, "references")
    if message["msg_type"] in ("Update", "Cancel") and not message["references"]:
        line = refs_el.sourceline if refs_el is not None else _child(root, "msgType").sourceline
        out.append(
            problem(
                N_("A message of type {msg_type} must name the message(s) it updates in <references>."),
                "references",
                line,
                msg_type=message["msg_type"],
            )
        )
    for ref in message["references"]:
        if len(ref.split(",")) != 3:
            out.append(
                problem(
                    N_("Reference '{value}' is not 'sender,identifier,sent'."),
                    "references",
                    refs_el.sourceline,
                    value=ref,
                )
            )
    if message["scope"] == "Private" and not (message["addresses"] or "").strip():
        el = _child(root, "scope")
        out.append(problem(N_("A Private message needs <addresses>."), "addresses", el.sourceline))
    return out


def parse(data: bytes, *, max_bytes: int = MAX_CAP_BYTES) -> dict:
    """Validate CAP 1.2 (or 1.1, upgraded) bytes and return the message as a dict; raise
    :class:`CapRejected` with every problem found (element + line) otherwise."""
    root = load_xml(data, max_bytes=max_bytes)
    version = check_root(root)
    if version == "1.1":
        upgrade_11(root)
    problems = schema_problems(root)
    if problems:
        raise _reject(problems)
    problems = []
    refs = (_text(_child(root, "references")) or "").split()
    message = {
        "cap_version": version,
        "identifier": _strip(_text(_child(root, "identifier"))),
        "sender": _strip(_text(_child(root, "sender"))),
        "sent": _time(_child(root, "sent")),
        "status": _strip(_text(_child(root, "status"))),
        "msg_type": _strip(_text(_child(root, "msgType"))),
        "source": _text(_child(root, "source")),
        "scope": _strip(_text(_child(root, "scope"))),
        "restriction": _text(_child(root, "restriction")),
        "addresses": _text(_child(root, "addresses")),
        "codes": [(_text(c) or "").strip() for c in _children(root, "code")],
        "note": _text(_child(root, "note")),
        "references": refs,
        "incidents": (_text(_child(root, "incidents")) or "").split(),
        "infos": [_info(i, problems) for i in _children(root, "info")],
    }
    problems += _rule_problems(root, message)
    if problems:
        raise _reject(problems)
    return message


def describe(exc: CapRejected, locale: str = "zh_CN") -> list[str]:
    """One readable line per problem: 'line N <element>: message'."""
    from yingji.core.i18n import translate

    lines = []
    for d in exc.details:
        text = translate(d["message"], locale, **(d.get("params") or {}))
        where = f"line {d['line']}" if d.get("line") else "line ?"
        lines.append(f"{where} <{d['element']}>: {text}")
    return lines
