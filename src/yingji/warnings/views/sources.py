"""Where warnings come from besides the compose page: a CAP file imported by hand, and the upstream
feeds with the hosts they may be fetched from and the senders allowed to act on others' warnings."""

from __future__ import annotations

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.auth.scope import require
from yingji.core.deps import DbSession
from yingji.core.errors import NotFound, YingjiError
from yingji.core.i18n import current_locale, gettext
from yingji.org import places
from yingji.warnings import authority, capimport, capxml, feedhosts, feeds
from yingji.warnings.forms import error_lines
from yingji.warnings.schemas import FeedIn
from yingji.warnings.views.lists import common
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/warnings/import")
def import_page(request: Request, principal: CurrentPrincipal):
    return render(request, "warnings/import.html", {"errors": [], "result": None, **common()})


@router.post("/warnings/import")
async def import_post(request: Request, principal: CurrentPrincipal, session: DbSession, file: UploadFile):
    data = capxml.as_utf8(await file.read(capxml.MAX_CAP_BYTES + 1))
    form = await request.form()
    relay = form.get("relay") == "1"
    try:
        result = capimport.import_message(
            session,
            principal,
            data,
            origin="import",
            origin_ref=(file.filename or "upload")[:300],
            relay=relay,
        )
    except capxml.CapRejected as exc:
        session.rollback()
        lines = [error_lines(exc)[0], *capxml.describe(exc, current_locale())]
        return render(request, "warnings/import.html", {"errors": lines, "result": None, **common()}, 422)
    except YingjiError as exc:
        session.rollback()
        if isinstance(exc, authority.AuthorityRefused):
            authority.record_refusal(session, principal, exc, exc.target, (file.filename or "upload")[:100])
        return render(
            request,
            "warnings/import.html",
            {"errors": error_lines(exc), "result": None, **common()},
            exc.status_code,
        )
    return RedirectResponse(
        f"/warnings/{result.warning.id}?imported={'dup' if result.duplicate else 'new'}", status_code=303
    )


# -- upstream feeds, the hosts they may come from, sender authorities --------------------------------
def _sources(request: Request, principal, session, errors: list[str] | None = None, status_code=200):
    feed_rows = feeds.list_feeds(session, principal)
    authorities = authority.list_authorities(session, principal) if principal.can(Perm.RULES_MANAGE) else []
    ctx = {
        "feeds": feed_rows,
        "hosts": feedhosts.list_hosts(session, principal),
        "authorities": authorities,
        "place_names": places.names(
            session, [f.jurisdiction_code for f in feed_rows] + [a.jurisdiction_code for a in authorities]
        ),
        "errors": errors or [],
    }
    return render(request, "warnings/sources.html", ctx, status_code=status_code)


@router.get("/warnings/sources")
def sources_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    require(principal, Perm.WARNING_PUBLISH)
    return _sources(request, principal, session)


SOURCE_ACTIONS = {
    "feed-add": lambda s, p, f: feeds.create_feed(
        s,
        p,
        FeedIn(
            name=f.get("name", ""),
            url=f.get("url", ""),
            kind=f.get("kind") or "atom",
            relay=f.get("relay") == "1",
            interval_s=int(f.get("interval_s") or 300),
        ),
    ),
    "feed-delete": lambda s, p, f: feeds.delete_feed(s, p, int(f.get("id") or 0)),
    "host-add": lambda s, p, f: feedhosts.add_host(
        s, p, f.get("pattern", ""), f.get("allow_private") == "1", f.get("note", "")
    ),
    "host-delete": lambda s, p, f: feedhosts.remove_host(s, p, int(f.get("id") or 0)),
    "authority-add": lambda s, p, f: authority.add_authority(
        s,
        p,
        f.get("sender", ""),
        f.get("authority", ""),
        f.get("jurisdiction_code") or None,
        f.get("note", ""),
    ),
    "authority-delete": lambda s, p, f: authority.remove_authority(s, p, int(f.get("id") or 0)),
}


@router.post("/warnings/sources/{action}")
async def sources_post(action: str, request: Request, principal: CurrentPrincipal, session: DbSession):
    if action not in SOURCE_ACTIONS:
        raise NotFound()
    form = {k: str(v) for k, v in (await request.form()).items()}
    try:
        with session.begin_nested():
            SOURCE_ACTIONS[action](session, principal, form)
    except (ValidationError, ValueError):
        return _sources(request, principal, session, [gettext("The submitted data is not valid.")], 422)
    except YingjiError as exc:
        return _sources(request, principal, session, error_lines(exc, with_fields=False), exc.status_code)
    return RedirectResponse("/warnings/sources", status_code=303)
