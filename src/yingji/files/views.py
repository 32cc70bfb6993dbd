"""Pages of file jobs: "my exports and imports" with their progress (refreshed by htmx while one is
running), one job's page with its download or its import's result row by row."""

from __future__ import annotations

from fastapi import APIRouter, Request

from yingji.auth.deps import CurrentPrincipal
from yingji.auth.roles import Perm
from yingji.core.deps import DbSession
from yingji.core.i18n import N_, gettext
from yingji.files import kinds, service
from yingji.files.models import LIVE, FileJob, FileJobState
from yingji.web import nav
from yingji.web.templating import render

router = APIRouter(include_in_schema=False)
nav.register(N_("System"), nav.NavItem("files", N_("My exports and imports"), "/files", Perm.EXPORT))

STATE_LABELS = {
    FileJobState.QUEUED: N_("Queued"),
    FileJobState.RUNNING: N_("Being processed"),
    FileJobState.DONE: N_("Ready"),
    FileJobState.FAILED: N_("Failed"),
    FileJobState.EXPIRED: N_("Expired"),
}
DIRECTION_LABELS = {"export": N_("Export"), "import": N_("Import")}


def _label(job: FileJob) -> str:
    try:
        kind = kinds.export_kind(job.kind) if job.direction == "export" else kinds.import_kind(job.kind)
    except KeyError:
        return job.kind
    return gettext(kind.label)


def _view(job: FileJob) -> dict:
    out = service.to_out(job)
    errors = [
        e | {"text": gettext(e["message"], **(e.get("params") or {}))}
        for e in (job.result or {}).get("errors", [])
    ]
    return out | {
        "what": _label(job),
        "direction_label": gettext(DIRECTION_LABELS.get(job.direction, job.direction)),
        "state_label": gettext(STATE_LABELS.get(job.state, job.state)),
        "live": job.state in LIVE,
        "text": gettext(job.message, **(job.message_params or {})) if job.message else "",
        "errors": errors,
        "counts": (job.result or {})
        if job.direction == "import" and job.state == FileJobState.DONE
        else None,
    }


def _list_ctx(session, principal) -> dict:
    jobs = [_view(j) for j in service.mine(session, principal)]
    return {"jobs": jobs, "live": any(j["live"] for j in jobs)}


@router.get("/files")
def files_page(request: Request, principal: CurrentPrincipal, session: DbSession):
    """My exports and imports (the last 50)."""
    return render(request, "files/list.html", _list_ctx(session, principal))


@router.get("/files/panel")
def files_panel(request: Request, principal: CurrentPrincipal, session: DbSession):
    """The list alone, for htmx to refresh while a job is running."""
    return render(request, "files/_list.html", _list_ctx(session, principal))


@router.get("/files/{job_id}")
def job_page(job_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    """One file job: its progress, then its download or its import's result row by row."""
    return render(request, "files/job.html", {"job": _view(service.get(session, principal, job_id))})


@router.get("/files/{job_id}/panel")
def job_panel(job_id: int, request: Request, principal: CurrentPrincipal, session: DbSession):
    return render(request, "files/_job.html", {"job": _view(service.get(session, principal, job_id))})
