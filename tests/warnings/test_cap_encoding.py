"""A CAP document in any encoding is read as its byte order mark or declaration says, or refused
with a 422 naming the problem — never a 500, never stored as UTF-16 bytes read as UTF-8 (on
PostgreSQL that was a refusal: text cannot hold the NUL bytes), and a DOCTYPE hidden in UTF-16 is
refused like any other."""

from __future__ import annotations

import uuid

import pytest

from tests.warnings.conftest import DATA
from yingji.warnings import atom, capxml
from yingji.warnings.models import Warning

SOURCE = (DATA / "australia.cap").read_text(encoding="utf-8")
HEADLINE = "Yerong Creek Structure Fire"
BODY = SOURCE.split("?>", 1)[1].lstrip()  # without the XML declaration


def declared(encoding: str, text: str = SOURCE) -> str:
    return text.replace('encoding="UTF-8"', f'encoding="{encoding}"')


def unique(text: str, headline: str = HEADLINE) -> tuple[str, str]:
    """The message with an identifier of its own (imports are deduplicated) and ``headline``."""
    ident = f"enc-{uuid.uuid4().hex[:12]}"
    return text.replace("40184</cap:identifier>", f"{ident}</cap:identifier>").replace(
        HEADLINE, headline
    ), ident


READABLE = {
    "UTF-16 with BOM": (SOURCE.encode("utf-16"), HEADLINE),
    "UTF-16LE without BOM, declared": (declared("UTF-16").encode("utf-16-le"), HEADLINE),
    "UTF-16BE without BOM, declared": (declared("UTF-16").encode("utf-16-be"), HEADLINE),
    "UTF-16LE without BOM or declaration": (BODY.encode("utf-16-le"), HEADLINE),
    "UTF-16 bytes declared UTF-8": (SOURCE.encode("utf-16-le"), HEADLINE),
    "UTF-8 bytes declared UTF-16": (declared("UTF-16").encode(), HEADLINE),
    "UTF-8 with BOM": (b"\xef\xbb\xbf" + SOURCE.encode(), HEADLINE),
    "UTF-32 with BOM": (SOURCE.replace(HEADLINE, "耶荣溪火灾").encode("utf-32"), "耶荣溪火灾"),
    "Latin-1, declared": (
        declared("ISO-8859-1").replace(HEADLINE, "Yérong Crèek").encode("latin-1"),
        "Yérong Crèek",
    ),
    "GBK, declared": (declared("GBK").replace(HEADLINE, "耶荣溪火灾").encode("gbk"), "耶荣溪火灾"),
}

REFUSED = {
    "an encoding nobody knows": (
        declared("x-unknown").encode(),
        "The message's encoding '{encoding}' is not known.",
    ),
    "EBCDIC": (
        declared("EBCDIC-CP-US").encode(),
        "The message's encoding '{encoding}' cannot be read safely; send UTF-8.",
    ),
    "a codec that is not a text encoding": (
        declared("base64").encode(),
        "The message's encoding '{encoding}' cannot be read safely; send UTF-8.",
    ),
    "Latin-1 without a declaration": (
        BODY.replace(HEADLINE, "Yérong").encode("latin-1"),
        "The message is not valid {encoding}.",
    ),
    "UTF-16 cut in the middle of a character": (
        SOURCE.encode("utf-16")[:-1],
        "The message is not valid {encoding}.",
    ),
    "UTF-16 with a lone surrogate": (
        SOURCE.replace(HEADLINE, "X").encode("utf-16-le").replace("X".encode("utf-16-le"), b"\x00\xd8"),
        "The message is not valid {encoding}.",
    ),
}


@pytest.mark.parametrize("name", list(READABLE))
def test_readable_encodings_are_parsed(name):
    data, headline = READABLE[name]
    assert capxml.parse(data)["infos"][0]["headline"] == headline
    assert capxml.parse(capxml.as_utf8(data))["infos"][0]["headline"] == headline
    assert capxml.as_utf8(data).startswith(b'<?xml version="1.0" encoding="UTF-8"?>') or name.endswith(
        "declaration"
    )


@pytest.mark.parametrize("name", list(REFUSED))
def test_unreadable_encodings_are_refused_with_a_reason(name):
    data, message = REFUSED[name]
    with pytest.raises(capxml.CapRejected) as caught:
        capxml.parse(data)
    detail = caught.value.details[0]
    assert detail["element"] == "xml" and detail["message"] == message and detail["line"]
    assert capxml.as_utf8(data) == data  # left as it came: parse says why


def test_a_doctype_in_utf16_is_refused():
    bomb = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n' + BODY
    with pytest.raises(capxml.CapRejected) as caught:
        capxml.parse(bomb.encode("utf-16"))
    assert caught.value.details[0]["element"] == "!DOCTYPE" and caught.value.details[0]["line"] == 2


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_api_import_of_utf16_stores_readable_text(api, city, codec):
    text, ident = unique(declared("UTF-16") if codec == "utf-16-le" else SOURCE, "耶荣溪火灾")
    r = api("duty").post(
        "/api/v1/warnings/cap", content=text.encode(codec), headers={"Content-Type": "text/xml"}
    )
    assert r.status_code == 201, r.text
    assert r.json()["identifier"].endswith(ident)
    with city.db.reading() as session:
        warning = session.get(Warning, r.json()["id"])
        assert warning.headline == "耶荣溪火灾"
        assert "\x00" not in warning.raw_xml and "耶荣溪火灾" in warning.raw_xml
        assert warning.raw_xml.startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_api_refuses_an_unknown_encoding_with_422(api):
    duty = api("duty")
    r = duty.post(
        "/api/v1/warnings/cap", content=declared("x-unknown").encode(), headers={"Content-Type": "text/xml"}
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "cap_rejected"
    assert r.json()["error"]["details"][0]["message_en"] == "The message's encoding 'x-unknown' is not known."
    check = duty.post("/api/v1/warnings/validate", content=declared("x-unknown").encode()).json()
    assert check["valid"] is False and check["problems"][0]["element"] == "xml"
    good = duty.post("/api/v1/warnings/validate", content=SOURCE.encode("utf-16")).json()
    assert good["valid"] is True


def test_page_import_of_utf16(browser_client, city):
    text, ident = unique(SOURCE, "耶荣溪火灾")
    page = browser_client("duty")
    files = {"file": ("utf16.cap", text.encode("utf-16"), "application/xml")}
    r = page.post("/warnings/import", data={"csrf_token": page.csrf}, files=files, follow_redirects=False)
    assert r.status_code == 303, r.text[:500]
    with city.db.reading() as session:
        warning = session.get(Warning, int(r.headers["location"].split("/")[2].split("?")[0]))
        assert warning.identifier.endswith(ident) and "耶荣溪火灾" in warning.raw_xml


ATOM_FEED = """<?xml version="1.0" encoding="UTF-16"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>urn:test:utf16</id><title>上游</title><updated>2026-11-24T08:00:00+08:00</updated>
  <entry><id>urn:test:e1</id><title>内嵌</title><updated>2026-11-24T08:00:00+08:00</updated>
    <content type="application/cap+xml">{alert}</content></entry>
  <entry><id>urn:test:e2</id><title>链接</title><updated>2026-11-24T08:00:00+08:00</updated>
    <link rel="alternate" type="application/cap+xml" href="/cap/a.cap"/></entry>
</feed>"""


def test_atom_index_in_utf16_is_read():
    feed = ATOM_FEED.format(alert=BODY.replace(HEADLINE, "耶荣溪火灾")).encode("utf-16")
    entries = atom.read_index(feed)
    assert [e["key"] for e in entries] == ["urn:test:e1", "urn:test:e2"]
    assert capxml.parse(entries[0]["xml"])["infos"][0]["headline"] == "耶荣溪火灾"
    assert entries[1]["url"] == "/cap/a.cap"
    with pytest.raises(capxml.CapRejected):
        atom.read_index(ATOM_FEED.replace('encoding="UTF-16"', 'encoding="x-unknown"').encode())
    hidden = ATOM_FEED.replace("<feed", '<!DOCTYPE feed [<!ENTITY a "a">]>\n<feed', 1).format(alert="")
    with pytest.raises(capxml.CapRejected, match=r"refused"):
        atom.read_index(hidden.encode("utf-16"))


def test_the_atom_index_survives_a_row_stored_before_input_was_cleaned():
    """Rows written before this change may hold control characters; the public feed still renders."""
    old = Warning(id=1, sender="s@example", identifier="x", headline="暴雨\x01预警", description="描述\x0b二")
    body = atom.index_feed([old], "http://example.test")
    assert "<title>暴雨预警</title>".encode() in body and "描述\n二".encode() in body


def test_a_control_character_stored_before_cleaning_does_not_break_the_cap_export(api, city):
    """Rows stored before input was cleaned (a Core update bypasses the flush guard): the export
    cleans on the way out instead of answering 500 (lxml refuses control characters)."""
    from sqlalchemy import update

    from tests.warnings.conftest import publish_blue
    from yingji.core.db import Actor
    from yingji.warnings.models import WarningInfo

    duty = api("duty")
    published = publish_blue(duty, city.village_a)
    with city.db.writing(Actor.system("tests")) as session:
        session.execute(
            update(WarningInfo)
            .where(WarningInfo.warning_id == published["id"])
            .values(description="预计\x01有强降雨\x0b请注意")
        )
    r = duty.get(f"/api/v1/warnings/{published['id']}/cap")
    assert r.status_code == 200, r.text
    assert "\x01" not in r.text and "预计有强降雨" in r.text
