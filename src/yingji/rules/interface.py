"""The public rules interfaces (``POST /api/v1/rules/*`` and ``yingji rules …``): one JSON object in,
one JSON object out. Both read their input through these functions so they answer alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from yingji.core.errors import ValidationFailed
from yingji.org import codes
from yingji.rules import grading
from yingji.rules import messages as msg
from yingji.rules.tables import MEASURES, Tables

GRADE_FIELDS = frozenset({"kind", "jurisdiction"})
DEADLINE_FIELDS = frozenset({"kind", "grade", "received_at", "jurisdiction"})
# Resolves a jurisdiction code to its effective tables (None: the national tables).
TablesFor = Callable[[str], Tables | None]


def _all_checked(*checks: Callable[[], Any]) -> list[Any]:
    """Run every check; raise one ValidationFailed with all their problems, else return their results."""
    results, details = [], []
    for check in checks:
        try:
            results.append(check())
        except ValidationFailed as exc:
            details += exc.details
    if details:
        raise ValidationFailed(details=details)
    return results


def _object(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise ValidationFailed(details=[{"field": "", "message": "Send one JSON object."}])
    return payload


def _unknown(payload: dict, allowed: frozenset[str]) -> None:
    extra = sorted(k for k in payload if k not in allowed and k not in MEASURES)
    if extra:
        raise ValidationFailed(details=[{"field": str(k), "message": msg.UNKNOWN_FIELD} for k in extra])


def _jurisdiction(payload: dict) -> str | None:
    value = payload.get("jurisdiction")
    if value is None:
        return None
    try:
        return codes.normalise(value if isinstance(value, str) else "")
    except ValueError:
        raise ValidationFailed(
            details=[{"field": "jurisdiction", "message": "Not a division code."}]
        ) from None


def _measures(payload: dict) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k in MEASURES}


def parse_received_at(value: Any) -> datetime:
    """An ISO-8601 time with an offset or Z; anything else (also a naive time) is an error."""
    problem = {
        "field": "received_at",
        "message": msg.AWARE_TIME,
    }
    if not isinstance(value, str) or "T" not in value.upper():
        raise ValidationFailed(details=[problem])
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(details=[problem]) from None
    if parsed.utcoffset() is None:
        raise ValidationFailed(details=[problem])
    return parsed


def format_time(value: datetime, like: str) -> str:
    """ISO-8601 in the offset of the input; ``Z`` stays ``Z``."""
    if like.strip().upper().endswith("Z"):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def grade_request(payload: Any, tables_for: TablesFor | None = None) -> dict:
    """``{"kind", …measures}`` (and optionally ``jurisdiction``) → ``{"grade", "label", "basis"}``."""
    body = _object(payload)
    kind, measures, code = _all_checked(
        lambda: _unknown(body, GRADE_FIELDS),
        lambda: grading.check_kind(body.get("kind")),
        lambda: grading.clean_measures(_measures(body)),
        lambda: _jurisdiction(body),
    )[1:]
    tables = tables_for(code) if code and tables_for else None
    return grading.grade(kind, measures, tables=tables).as_json()


def deadlines_request(payload: Any, tables_for: TablesFor | None = None) -> dict:
    """``{"kind", "grade", "received_at", "jurisdiction"}`` → ``{"deadlines": [...]}`` by due time."""
    body = _object(payload)
    kind, measures, received_at, code = _all_checked(
        lambda: _unknown(body, DEADLINE_FIELDS),
        lambda: grading.check_kind(body.get("kind")),
        lambda: grading.clean_measures(_measures(body)),
        lambda: parse_received_at(body.get("received_at")),
        lambda: _jurisdiction(body),
    )[1:]
    tables = tables_for(code) if code and tables_for else None
    specs = grading.reporting_deadlines(
        kind, body.get("grade"), received_at, code, tables=tables, measures=measures
    )
    like = body["received_at"]
    return {
        "deadlines": [{"to": d.to, "due_at": format_time(d.due_at, like), "basis": d.basis} for d in specs]
    }
