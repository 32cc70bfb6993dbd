"""Public pages, no login: the current warnings, their Atom index and each one's CAP document."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yingji.core.deps import DbSession
from yingji.core.errors import NotFound
from yingji.warnings import atom, export, lifecycle, queries, values
from yingji.warnings.codes import SENT
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
CACHE = {"Cache-Control": "public, max-age=30"}


@router.get("/public/warnings")
def public_page(request: Request, session: DbSession):
    """Warnings in force (published, not expired, actual, public), most severe first."""
    found = queries.current_public(session)
    return render(
        request,
        "warnings/public.html",
        {"warnings": found, "LEVELS": values.levels(), "STATUS_LABELS": lifecycle.STATUS_LABELS},
    )


@router.get("/public/warnings.atom")
def public_atom(request: Request, session: DbSession) -> Response:
    """The Atom index of the warnings in force, for downstream systems."""
    body = atom.index_feed(queries.current_public(session), str(request.base_url))
    return Response(body, media_type="application/atom+xml", headers=CACHE)


@router.get("/public/warnings/cap/{warning_id}.xml")
def public_cap(warning_id: int, session: DbSession, profile: str = "cap12") -> Response:
    """The CAP 1.2 document (or ``profile=cn``) of a public warning that was sent."""
    from yingji.warnings.models import Warning

    warning = session.get(Warning, warning_id)
    if (
        warning is None
        or warning.scope != "Public"
        or warning.drill_id is not None
        or warning.status not in SENT
    ):
        raise NotFound()
    return Response(export.document(warning, profile), media_type="application/cap+xml", headers=CACHE)
