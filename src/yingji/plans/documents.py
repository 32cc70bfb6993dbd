"""Documents of a plan version: the issued text, the 编制说明 and other material, as PDF or DOCX —
recognised by their content (a PDF header and trailer; a DOCX package with its main document
part), not by the name the browser sends. Files are kept once by their SHA-256."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from yingji.auth import uploads
from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, writable
from yingji.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from yingji.core.i18n import N_
from yingji.plans.codes import PlanState
from yingji.plans.lifecycle import draft_version
from yingji.plans.models import Plan, PlanDocument
from yingji.plans.registry import event, get

KINDS = {
    "pdf": ("application/pdf", "pdf"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}
NOT_A_DOCUMENT = N_("This file is not a PDF or Word (DOCX) document.")


def sniff(data: bytes) -> str | None:
    """'pdf', 'docx' or None."""
    if data[:5] == b"%PDF-" and b"%%EOF" in data[-2048:]:
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                main = "[Content_Types].xml" in names and "word/document.xml" in names
                if main and z.testzip() is None:
                    return "docx"
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
    return None


def dir_of(settings) -> Path:
    return uploads.folder(settings, "plans")


def _ext(doc: PlanDocument) -> str:
    return next(e for mime, e in KINDS.values() if mime == doc.content_type)


def path_of(base: Path, doc: PlanDocument) -> Path:
    return uploads.path_of(base, doc.sha256, _ext(doc))


def store(
    session: Session,
    principal: Principal,
    plan_id: int,
    kind: str,
    data: bytes,
    filename: str | None,
    *,
    base: Path,
    max_bytes: int,
) -> PlanDocument:
    """Keep a document of the version being drafted (or, if none, the version in force)."""
    plan: Plan = get(session, principal, plan_id, lock=True)
    writable(principal, plan.jurisdiction_code, Perm.PLANS_MANAGE)
    if plan.state == PlanState.REPEALED:
        raise Conflict("A repealed plan cannot be changed.")
    if kind not in ("text", "explanation", "other"):
        raise ValidationFailed(details=[{"field": "kind", "message": "This value is not valid."}])
    if len(data) > max_bytes:
        raise PayloadTooLarge(limit_mb=max_bytes // (1024 * 1024))
    what = sniff(data)
    if what is None:
        raise ValidationFailed(details=[{"field": "file", "message": NOT_A_DOCUMENT}])
    draft = draft_version(session, plan)
    version_no = draft.version_no if draft is not None else plan.version_no
    sha = uploads.digest(data)
    same = session.scalar(
        select(PlanDocument).where(
            PlanDocument.plan_id == plan.id, PlanDocument.version_no == version_no, PlanDocument.sha256 == sha
        )
    )
    if same is not None:
        return same
    doc = PlanDocument(
        plan_id=plan.id,
        version_no=version_no,
        kind=kind,
        original_name=(filename or "")[:200] or None,
        content_type=KINDS[what][0],
        size_bytes=len(data),
        sha256=sha,
        uploaded_by_user_id=principal.user_id,
        jurisdiction_code=plan.jurisdiction_code,
    )
    uploads.write_once(path_of(base, doc), data)
    session.add(doc)
    event(session, principal, plan, "document", plan.state, doc.original_name)
    session.flush()
    return doc


def documents_of(session: Session, plan_id: int) -> list[PlanDocument]:
    return list(
        session.scalars(
            select(PlanDocument)
            .where(PlanDocument.plan_id == plan_id)
            .order_by(PlanDocument.version_no.desc(), PlanDocument.id)
        )
    )


def fetch(
    session: Session, principal: Principal, plan_id: int, doc_id: int, base: Path
) -> tuple[PlanDocument, Path]:
    """A document and its file, for whoever sees the plan (404 otherwise)."""
    get(session, principal, plan_id)
    doc = session.get(PlanDocument, doc_id)
    if doc is None or doc.plan_id != plan_id:
        raise NotFound()
    return doc, uploads.kept(base, doc.sha256, _ext(doc))
