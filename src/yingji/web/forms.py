"""What every domain's pages do with a posted form: parse it into the API's schema, and show a
refusal next to the fields (or above the form) in the reader's language. A 403 or 404 is not a form
error: it goes up to the error page."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pydantic import BaseModel, ValidationError

from yingji.core.errors import ValidationFailed, YingjiError
from yingji.core.i18n import gettext

INVALID = "This value is not valid."


def first_field(loc: Sequence) -> str:
    """The form field of a schema error: the top-level name (``_`` for the form as a whole)."""
    return str(loc[0]) if loc else "_"


def refused(exc: Exception) -> bool:
    """A refusal to show on the form (not a 403/404, which go to the error page)."""
    return not (isinstance(exc, YingjiError) and exc.status_code in (403, 404))


def form_errors(
    exc: Exception, *, field: Callable[[Sequence], str] = first_field, refusals_up: bool = True
) -> dict[str, str]:
    """Field → message of a refused form (``_`` for the form as a whole). ``field`` names the form
    field of a schema error's location; with ``refusals_up`` a 403 or 404 is raised again."""
    if refusals_up and not refused(exc):
        raise exc
    if isinstance(exc, ValidationError):
        return {field(e["loc"]): gettext(INVALID) for e in exc.errors()}
    if not isinstance(exc, YingjiError):
        raise exc
    if exc.details:
        return {
            d.get("field", "_") or "_": gettext(d["message"], **(d.get("params") or {}))
            for d in exc.details
            if d.get("message")
        }
    return {"_": gettext(exc.message, **exc.params)}


def errors_with_refusals(exc: Exception) -> dict[str, str]:
    """``form_errors`` that shows a 403 or 404 on the form too, as the older pages (forces, drills,
    plans, experts, video, shelters …) always did."""
    return form_errors(exc, refusals_up=False)


def in_savepoint(session, fn, *args, **kwargs):
    """Run a service in a savepoint, so a refused form leaves the request's transaction clean."""
    with session.begin_nested():
        return fn(*args, **kwargs)


def error_texts(exc: Exception) -> list[str]:
    """The messages of a refused form as a list to show above it, each in the user's language."""
    if isinstance(exc, YingjiError):
        if exc.details:
            return [gettext(d["message"], **(d.get("params") or {})) for d in exc.details]
        return [gettext(exc.message, **exc.params)]
    return [gettext(INVALID)]


def parse(schema: type[BaseModel], values: dict) -> BaseModel:
    """The form's values (empty fields left out) as the API's schema; a refused field is a 422 naming
    it, so the page and the API refuse alike."""
    clean = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        return schema(**clean)
    except ValidationError as exc:
        details = [{"field": first_field(e["loc"]), "message": INVALID} for e in exc.errors()]
        raise ValidationFailed(details=details) from None


def import_errors(exc: YingjiError) -> list[dict]:
    """The row-by-row errors of a refused import, each with its ``text`` in the reader's language
    (``import_outcome`` in _macros.html shows them)."""
    return [d | {"text": gettext(d["message"], **(d.get("params") or {}))} for d in exc.details]
