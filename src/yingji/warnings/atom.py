"""Atom (RFC 4287): the index feed of current warnings we publish for downstream systems, and the
reader of upstream Atom indexes (each entry links to, or embeds, one CAP message)."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from yingji.core import clock
from yingji.core.i18n import N_
from yingji.core.text import clean
from yingji.warnings import capxml
from yingji.warnings.capwrite import cap_time
from yingji.warnings.models import Warning

ATOM = capxml.ATOM
CAP_MIME = "application/cap+xml"


def _sub(parent: etree._Element, name: str, text: str | None = None, **attrs: str) -> etree._Element:
    # Cleaned again here: a row stored before input was cleaned must not break the public feed
    # (lxml refuses control characters outright).
    attributes = {k: clean(v) for k, v in attrs.items() if v is not None}
    el = etree.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    if text is not None:
        el.text = clean(text)
    return el


def index_feed(warnings: list[Warning], base_url: str, *, title: str = "应急预警 Yingji warnings") -> bytes:
    """The Atom index of ``warnings``: one entry per warning linking to its CAP 1.2 document."""
    base = base_url.rstrip("/")
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _sub(feed, "id", f"{base}/public/warnings.atom")
    _sub(feed, "title", title)
    newest: datetime | None = max((w.sent for w in warnings if w.sent), default=None)
    _sub(feed, "updated", cap_time(newest or clock.now()))
    _sub(feed, "link", rel="self", href=f"{base}/public/warnings.atom", type="application/atom+xml")
    _sub(feed, "link", rel="alternate", href=f"{base}/public/warnings", type="text/html")
    author = _sub(feed, "author")
    _sub(author, "name", "Yingji")
    for w in warnings:
        entry = _sub(feed, "entry")
        cap_url = f"{base}/public/warnings/cap/{w.id}.xml"
        _sub(entry, "id", f"urn:cap:{w.sender},{w.identifier}")
        _sub(entry, "title", w.headline or w.event or w.identifier or "")
        _sub(entry, "updated", cap_time(w.sent or clock.now()))
        _sub(entry, "published", cap_time(w.sent or clock.now()))
        _sub(entry, "link", rel="alternate", href=cap_url, type=CAP_MIME)
        _sub(entry, "link", rel="related", href=f"{base}/public/warnings#w{w.id}", type="text/html")
        if w.level:
            _sub(entry, "category", term=w.level, label=w.level)
        _sub(entry, "summary", (w.description or "")[:1000])
        author = _sub(entry, "author")
        _sub(author, "name", w.sender_name or w.sender)
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def read_index(data: bytes) -> list[dict]:
    """Entries of an upstream Atom feed: ``{"key", "url"}`` (a CAP link) or ``{"key", "xml"}``
    (a CAP alert embedded in ``content``). Entries with neither are skipped."""
    root = capxml.load_xml(data)
    if etree.QName(root.tag).namespace != ATOM or etree.QName(root.tag).localname != "feed":
        raise capxml.CapRejected(
            details=[
                capxml.problem(
                    N_("This is not an Atom feed."), etree.QName(root.tag).localname, root.sourceline
                )
            ],
            count=1,
        )
    out = []
    for entry in root.findall(f"{{{ATOM}}}entry"):
        key = (entry.findtext(f"{{{ATOM}}}id") or "").strip()
        inline = entry.find(f"{{{ATOM}}}content/{{{capxml.CAP12}}}alert")
        if inline is None:
            inline = entry.find(f"{{{ATOM}}}content/{{{capxml.CAP11}}}alert")
        if inline is not None:
            out.append({"key": key, "xml": etree.tostring(inline, encoding="UTF-8")})
            continue
        links = entry.findall(f"{{{ATOM}}}link")
        chosen = next((lk for lk in links if (lk.get("type") or "").startswith(CAP_MIME)), None)
        if chosen is None:
            chosen = next((lk for lk in links if lk.get("rel") in (None, "alternate")), None)
        if chosen is not None and chosen.get("href"):
            out.append({"key": key or chosen.get("href"), "url": chosen.get("href")})
    return out
