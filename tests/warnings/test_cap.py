"""CAP in and out: every shared test file round-trips (import → export → OASIS schema → an
independent parser agrees), refusals name the element and the line, the Chinese profile."""

from __future__ import annotations

from datetime import datetime
from importlib.resources import files

import pytest
import xmlschema
from lxml import etree
from shapely import from_geojson
from shapely.ops import polylabel

from tests.warnings.conftest import CAP_FILES, VALID_FILES, publish_blue
from yingji.org.models import Jurisdiction
from yingji.rules import load
from yingji.warnings import capmodel, capwrite, capxml
from yingji.warnings.models import Warning

XSD = xmlschema.XMLSchema(str(files("yingji.rules") / "cap" / "CAP-v1.2.xsd"))
NS = "{urn:oasis:names:tc:emergency:cap:1.2}"  # lxml names
K = ""  # xmlschema keys: the CAP namespace is the default one, so keys are plain


def _independent(xml: bytes) -> dict:
    """Decode with xmlschema (pure Python, its own XSD engine): a second, independent reader."""
    XSD.validate(xml.decode("utf-8"))
    return XSD.to_dict(xml.decode("utf-8"))


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_every_shared_file_is_there():
    names = {p.name for p in CAP_FILES}
    assert {
        "CanadaNaad.xml",
        "australia.cap",
        "earthquake.cap",
        "invalid.cap",
        "no_optional_fields.cap",
    } <= names
    assert {"oasis_amber_example.xml", "taiwan.cap", "weather.cap"} <= names


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name)
def test_round_trip_is_schema_valid_and_agrees(path):
    original = capxml.parse(path.read_bytes())
    w = Warning(jurisdiction_code="52")
    capmodel.apply_alert(w, original)
    capmodel.set_infos(w, original["infos"])
    out = capwrite.to_xml(capmodel.message_of(w))
    assert capxml.schema().validate(etree.fromstring(out).getroottree())
    again = capxml.parse(out)
    assert {k: v for k, v in again.items() if k != "cap_version"} == {
        k: v for k, v in original.items() if k != "cap_version"
    }
    # The independent decoder reads the same message.
    doc = _independent(out)
    assert doc[f"{K}identifier"] == original["identifier"]
    assert doc[f"{K}sender"] == original["sender"]
    assert _time(doc[f"{K}sent"]) == original["sent"]
    assert doc[f"{K}msgType"] == original["msg_type"] and doc[f"{K}scope"] == original["scope"]
    infos = doc.get(f"{K}info", [])
    assert len(infos) == len(original["infos"])
    for got, want in zip(infos, original["infos"], strict=True):
        assert got[f"{K}event"] == want["event"]
        assert got[f"{K}severity"] == want["severity"] and got[f"{K}urgency"] == want["urgency"]
        assert got[f"{K}category"] == want["categories"]
        areas = got.get(f"{K}area", [])
        assert [a[f"{K}areaDesc"] for a in areas] == [a["area_desc"] for a in want["areas"]]
        for a, wa in zip(areas, want["areas"], strict=True):
            circles = a.get(f"{K}circle", [])
            for text, (lat, lon, radius_m) in zip(circles, wa["circles"], strict=True):
                centre, radius_km = text.split(" ")
                assert centre == f"{capwrite.number(lat)},{capwrite.number(lon)}"
                assert float(radius_km) * 1000 == pytest.approx(radius_m)
        if want["expires"]:
            assert _time(got[f"{K}expires"]) == want["expires"]


def test_capparselib_agrees_when_installed(cap_bytes):
    """capparselib (PyPI, installed with --no-deps: it pins an old lxml) reads our exports too."""
    parsers = pytest.importorskip("capparselib.parsers")
    for name in ("taiwan.cap", "oasis_amber_example.xml", "CanadaNaad.xml"):
        original = capxml.parse(cap_bytes[name])
        w = Warning(jurisdiction_code="52")
        capmodel.apply_alert(w, original)
        capmodel.set_infos(w, original["infos"])
        out = capwrite.to_xml(capmodel.message_of(w)).decode("utf-8")
        alert = parsers.CAPParser(out).as_dict()[0]
        assert str(alert["cap_id"]) == original["identifier"]
        assert str(alert["cap_sender"]) == original["sender"]
        assert [str(i["cap_event"]) for i in alert["cap_info"]] == [i["event"] for i in original["infos"]]


def _refused(data: bytes) -> list[dict]:
    with pytest.raises(capxml.CapRejected) as err:
        capxml.parse(data)
    return err.value.details


def test_invalid_file_is_refused_with_element_and_line(cap_bytes):
    details = _refused(cap_bytes["invalid.cap"])
    assert details[0]["element"] == "info" and details[0]["line"] == 9
    assert "scope" in details[0]["params"]["reason"]


def test_wrong_namespace_is_refused(cap_bytes):
    data = cap_bytes["taiwan.cap"].replace(b"urn:oasis:names:tc:emergency:cap:1.2", b"urn:example:not-cap")
    details = _refused(data)
    assert details[0]["element"] == "alert" and details[0]["line"] == 2
    assert details[0]["params"]["namespace"] == "urn:example:not-cap"


def test_update_without_references_is_refused(cap_bytes):
    data = cap_bytes["oasis_amber_example.xml"].replace(
        b"<msgType>Alert</msgType>", b"<msgType>Update</msgType>"
    )
    details = _refused(data)
    assert details == [
        {
            "element": "references",
            "line": 7,
            "message": "A message of type {msg_type} must name the message(s) it updates in <references>.",
            "params": {"msg_type": "Update"},
        }
    ]


def test_dtd_entities_and_size_are_refused():
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n<alert/>'
    )
    details = _refused(bomb)
    assert details[0]["element"] == "!DOCTYPE" and details[0]["line"] == 2
    assert _refused(b"<alert><info></alert>")[0]["element"] == "xml"
    with pytest.raises(capxml.CapRejected):
        capxml.parse(b"<a/>" + b" " * (capxml.MAX_CAP_BYTES + 1))


def test_cap11_is_upgraded(cap_bytes):
    message = capxml.parse(cap_bytes["earthquake.cap"])
    assert message["cap_version"] == "1.1"
    assert message["infos"][0]["areas"][0]["circles"] == [[-16.053, -173.274, 0.0]]


def test_polygon_must_close():
    data = (VALID_FILES[0].parent / "CanadaNaad.xml").read_bytes()
    broken = data.replace(b"-58.42 47.5744,-58.4207</polygon>", b"-58.42 47.5744,-58.5</polygon>", 1)
    details = _refused(broken)
    assert details[0]["element"] == "polygon" and details[0]["line"] > 50


def test_api_import_dedupes_and_links_cancel(api, cap_bytes):
    duty = api("duty")
    r = duty.post(
        "/api/v1/warnings/cap",
        content=cap_bytes["australia.cap"],
        headers={"Content-Type": "application/cap+xml"},
    )
    assert r.status_code in (200, 201), r.text
    first = r.json()
    again = duty.post("/api/v1/warnings/cap", content=cap_bytes["australia.cap"])
    assert (
        again.status_code == 200 and again.json()["duplicate"] is True and again.json()["id"] == first["id"]
    )
    bad = duty.post("/api/v1/warnings/cap", content=cap_bytes["invalid.cap"])
    assert bad.status_code == 422
    # a file sent as a form instead of the body: refused with a reason, never a 500
    as_file = {"file": ("a.cap", cap_bytes["australia.cap"], "text/xml")}
    form = duty.post("/api/v1/warnings/cap", files=as_file)
    assert form.status_code == 415 and "XML" in form.json()["error"]["message"]
    assert bad.json()["error"]["details"][0]["line"] == 9
    assert bad.json()["error"]["details"][0]["element"] == "info"
    # An alert still in force (the same message, valid until 2099), then a Cancel referencing it.
    live = (
        cap_bytes["australia.cap"]
        .replace(b"2011-10-06T23:04:00+10:00", b"2099-10-06T23:04:00+10:00")
        .replace(b"40184</cap:identifier>", b"40184-live</cap:identifier>")
    )
    alive = duty.post("/api/v1/warnings/cap", content=live)
    assert alive.status_code == 201 and alive.json()["status"] == "published", alive.text
    ref = "webmaster@rfs.nsw.gov.au,tag:www.rfs.nsw.gov.au2011-10-06:40184-live,2011-10-05T23:04:00+10:00"
    cancel = (
        live.replace(b"<cap:msgType>Alert</cap:msgType>", b"<cap:msgType>Cancel</cap:msgType>")
        .replace(b"40184-live</cap:identifier>", b"40184-cancel</cap:identifier>")
        .replace(b"<cap:info>", f"<cap:references>{ref}</cap:references>\n  <cap:info>".encode(), 1)
    )
    r = duty.post("/api/v1/warnings/cap", content=cancel)
    assert r.status_code == 201, r.text
    got = duty.get(f"/api/v1/warnings/{r.json()['id']}").json()
    assert got["root_id"] == alive.json()["id"] and got["status"] == "lifted"
    assert duty.get(f"/api/v1/warnings/{alive.json()['id']}").json()["status"] == "lifted"
    assert duty.get(f"/api/v1/warnings/{first['id']}").json()["status"] == "expired"  # it ended in 2011


def test_validate_endpoint(api, cap_bytes):
    duty = api("duty")
    ok = duty.post("/api/v1/warnings/validate", content=cap_bytes["weather.cap"]).json()
    assert ok == {
        "valid": True,
        "cap_version": "1.1",
        "identifier": capxml.parse(cap_bytes["weather.cap"])["identifier"],
    }
    bad = duty.post("/api/v1/warnings/validate", content=cap_bytes["invalid.cap"]).json()
    assert bad["valid"] is False and bad["problems"][0]["text"].startswith("line 9 <info>")


def test_export_of_a_published_warning(api, city):
    with city.db.reading() as session:
        county = from_geojson(session.get(Jurisdiction, city.county_a).geometry).buffer(0)
    inside = polylabel(max(getattr(county, "geoms", [county]), key=lambda g: g.area), tolerance=0.001)
    lat, lon = round(inside.y, 4), round(inside.x, 4)
    duty = api("duty")
    w = publish_blue(
        duty,
        city.village_a,
        jurisdiction_code=city.county_a,
        area={"division_codes": [city.village_a], "circles": [[lat, lon, 2500.0]]},
    )
    r = duty.get(f"/api/v1/warnings/{w['id']}/cap?profile=cap12")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/cap+xml")
    doc = _independent(r.content)
    assert doc[f"{K}identifier"] == w["identifier"] and doc[f"{K}sent"].endswith("+08:00")
    info = doc[f"{K}info"][0]
    assert info[f"{K}severity"] == load("warning_levels.json")["cap_severity"]["blue"]
    area = info[f"{K}area"][0]
    assert area[f"{K}circle"] == [f"{capwrite.number(lat)},{capwrite.number(lon)} 2.5"]
    assert area[f"{K}geocode"][0][f"{K}value"] == city.village_a.ljust(12, "0")
    cn = duty.get(f"/api/v1/warnings/{w['id']}/cap?profile=cn")
    root = etree.fromstring(cn.content)
    assert root.findtext(f"{NS}senderCode") == w["sender_code"]
    assert root.findtext(f"{NS}info/{NS}severity") == "Blue"
    assert (
        root.findtext(f"{NS}info/{NS}area/{NS}circle")
        == f"{capwrite.number(lat)},{capwrite.number(lon)} 2500"
    )
    assert root.findtext(f"{NS}info/{NS}area/{NS}geocode/{NS}valueName") == "行政区划代码"
    assert "filename*=UTF-8''" in cn.headers["content-disposition"]
    assert "_%E8%93%9D%E8%89%B2_" in cn.headers["content-disposition"]  # 蓝色 in the file name
