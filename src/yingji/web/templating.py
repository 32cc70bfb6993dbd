"""Jinja2 with gettext: every page renders in the request's locale."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from datetime import datetime
from importlib.resources import files
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from yingji import __version__
from yingji.auth.roles import ROLE_LABELS_MSGID, Perm
from yingji.auth.scope import mask_phone
from yingji.core import i18n, idempotency
from yingji.core.clock import to_local
from yingji.core.pagecache import ScopedCache
from yingji.geo import catalog as map_catalog
from yingji.org import names
from yingji.org.codes import division_code_12
from yingji.web import nav
from yingji.web.assets import static_url

T = TypeVar("T")
templates = Jinja2Templates(directory=str(files("yingji.web") / "templates"))
env = templates.env
env.add_extension("jinja2.ext.i18n")
# Old-style callables: our gettext formats "{name}" placeholders itself (newstyle would apply %).
env.install_gettext_callables(i18n.gettext, i18n.ngettext, newstyle=False)  # type: ignore[attr-defined]
env.policies["ext.i18n.trimmed"] = True


def _fmt_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def _qs(request: Request, **changes: Any) -> str:
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(params)


# A rule file's ``source`` is written for developers: the documents behind it mixed with English notes,
# confidence marks ("[secondary, S-31]") and references to our own notes ("RULES.md §4", "seed 003").
# Users see the documents only: the Chinese titles of laws, regulations, plans and standards with their
# document numbers and articles, in the order the source names them.
_SOURCE_MARK = re.compile(r"\s*\[(?:secondary|unconfirmed|text|local|primary)\b[^\]]*\]")
_CJK = "\u4e00-\u9fff\u3007"
_DOC_NAME = (
    rf"《[^》]+》"
    rf"|[{_CJK}“”、]{{2,}}(?:法|条例|办法|规定|预案|制度|规范|意见|指南|方案|目录|标准|通知|规划|百问百答)[”]?"
)
_CITATION = re.compile(
    rf"(?:GB(?:/T)?\s?[\d.]+-\d{{4}}\s*)?(?:{_DOC_NAME})"
    rf"(?:\s*[(（][^()（）a-z]*[)）])?"  # (国务院令第493号), (2024 修订): no English inside
    rf"(?:\s*第[{_CJK}–、]+条(?:\s*第[{_CJK}]+款)?)?"
    rf"|GB(?:/T)?\s?[\d.]+-\d{{4}}"
    rf"|[{_CJK}]+〔\d{{4}}〕\d+号(?:\s*第[{_CJK}–、]+条)?"
)


def source_note(text: str | None) -> str:
    """The documents a rule's source names, for its readers; nothing when it names none."""
    plain = _SOURCE_MARK.sub("", text or "")
    found: list[str] = []
    for match in _CITATION.finditer(plain):
        cite = re.sub(r"\s+", " ", match.group(0)).strip()
        if len(cite) >= 4 and not any(cite in other for other in found):
            found.append(cite)
    return "；".join(found)


def who(name: Any) -> Any:
    """Who did something: a person's name as stored; the platform's own jobs and the demo ("system:…")
    as "the system" in the reader's language."""
    if isinstance(name, str) and name.startswith("system:"):
        return i18n.gettext("System")
    return "" if name is None else name


def _places(ctx) -> tuple[names.PlaceIndex | None, str]:
    """The place index (in memory, per process) and the reader's jurisdiction, from the request."""
    request = ctx.get("request")
    session = getattr(request.state, "session", None) if request is not None else None
    principal = ctx.get("principal")
    within = getattr(principal, "jurisdiction_code", "") or ""
    return (names.index(session) if session is not None else None), within


@pass_context
def place(ctx, code: str | None, fallback: str | None = None) -> Markup:
    """A place as ``<span title="full legal path">县 · 镇 · 村</span>``, relative to the reader:
    the one way pages show where something is."""
    if not code:
        return Markup(escape(fallback or ""))
    ix, within = _places(ctx)
    if ix is None or code not in ix.places:
        return Markup(escape(fallback or code))
    return Markup('<span class="place" title="{}">{}</span>').format(
        ix.legal_path(code), ix.short_path(code, within)
    )


@pass_context
def place_text(ctx, code: str | None, fallback: str | None = None) -> str:
    """The same short path as plain text (a page's <title>, an attribute)."""
    ix, within = _places(ctx)
    if not code or ix is None or code not in ix.places:
        return fallback or code or ""
    return ix.short_path(code, within)


@pass_context
def places(ctx, codes, limit: int = 3) -> Markup:
    """Several places (a warning's area): the first paths and 等N处, every legal path on hover."""
    codes = [c for c in dict.fromkeys(codes or []) if c]
    ix, within = _places(ctx)
    if ix is None:
        return Markup(escape("、".join(codes)))
    title = "\n".join(ix.legal_path(c) for c in codes[:50])
    return Markup('<span class="place" title="{}">{}</span>').format(
        title, ix.short_paths(codes, within, limit)
    )


env.filters["place"] = place
env.filters["place_text"] = place_text
env.filters["places"] = places
env.filters["localtime"] = _fmt_time
env.filters["who"] = who
env.filters["source_note"] = source_note
env.filters["division12"] = division_code_12
env.globals.update(
    version=__version__,
    role_label=lambda role: i18n.gettext(ROLE_LABELS_MSGID.get(role, role)),
    LOCALE_NAMES=i18n.LOCALE_NAMES,
    Perm=Perm,
    qs=_qs,
    map_groups=map_catalog.GROUPS,  # the map panel's layers, legend and switcher
    map_layers_on=map_catalog.layers_on,
    static=static_url,  # fingerprinted URL of a file under web/static/ (cached for a year)
)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, _page_context(request, context), status_code=status_code)


def fragment(request: Request, name: str, context: dict[str, Any] | None = None) -> Markup:
    """A template rendered to HTML with a page's context: a part of a page that a page cache keeps
    (``core.pagecache``) and the page then places with ``{{ part }}``."""
    return Markup(env.get_template(name).render(_page_context(request, context)))


def kept(cache: ScopedCache, request: Request, build: Callable[[], T], *key: Hashable, until=None) -> T:
    """A part of a page the readers of one jurisdiction share (``cache``), built once per language
    and ``key``. The database is in the key: a test process opens several with the same codes."""
    session, principal = request.state.session, request.state.principal
    full = (str(session.get_bind().url), i18n.current_locale(), *key)
    return cache.get_or_build(principal.jurisdiction_code or "", build, key=full, until=until)


def _page_context(request: Request, context: dict[str, Any] | None) -> dict[str, Any]:
    principal = getattr(request.state, "principal", None)
    sections = nav.for_principal(principal)
    ctx = {
        "request": request,
        "principal": principal,
        "csrf_token": getattr(request.state, "csrf_token", ""),
        "locale": i18n.current_locale(),
        "nav": sections,
        "nav_active": nav.active_key(sections, request.url.path),
        "settings": request.app.state.settings,
        # Phone numbers shown through ``mask`` are masked for roles that do not need them.
        "mask": lambda number: mask_phone(number, principal) if principal else None,
        # Whether the reader may take an action (the permission, on a place in their jurisdiction): a
        # page shows only the buttons its reader may press.
        "can": lambda perm, code=None: (
            bool(principal) and principal.can(perm) and (code is None or principal.covers(code))
        ),
    }
    ctx.update(context or {})
    return ctx


def pages(base: dict[str, Any], fresh: Callable[[], dict[str, Any]] | None = None):
    """A domain's ``page(request, name, ctx, status_code)``: ``render`` with the domain's labels and
    code tables at hand, and ``new_key`` (a fresh client key for a one-tap form); ``fresh()`` adds
    what is computed for each page (the time)."""
    fixed = {"new_key": idempotency.new_key} | base

    def page(request: Request, name: str, ctx: dict | None = None, status_code: int = 200) -> HTMLResponse:
        now = fresh() if fresh is not None else {}
        return render(request, name, fixed | now | (ctx or {}), status_code=status_code)

    return page
