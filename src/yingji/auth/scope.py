"""Jurisdiction scope: the one place that decides what a principal may see and change.

A user is bound to a jurisdiction; they see its whole subtree. Reads of anything outside are
"not found" (404: we do not even confirm it exists); writes outside are 403. Each refusal here is
noted as a security event (``security.note_refusal``), written if the request ends refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_
from sqlalchemy.orm import InstrumentedAttribute

from yingji.auth.roles import Perm, permissions_of
from yingji.auth.security import note_refusal
from yingji.core.db import Actor
from yingji.core.errors import Forbidden, NotFound, OutOfJurisdiction
from yingji.org.codes import subtree_bounds


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    display_name: str
    role: str
    jurisdiction_code: str
    permissions: frozenset[Perm] = field(default_factory=frozenset)
    ip: str | None = None
    request_id: str | None = None

    @classmethod
    def of(cls, user, *, ip: str | None = None, request_id: str | None = None) -> Principal:
        return cls(
            user_id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            jurisdiction_code=user.jurisdiction_code,
            permissions=permissions_of(user.role),
            ip=ip,
            request_id=request_id,
        )

    @classmethod
    def system(cls, jurisdiction_code: str = "", what: str = "cli") -> Principal:
        """Whole-country scope for the CLI and workers (an empty prefix covers every code)."""
        from yingji.auth.roles import PERMISSIONS, Role

        return cls(
            None, f"system:{what}", f"system:{what}", "admin", jurisdiction_code, PERMISSIONS[Role.ADMIN]
        )

    def can(self, perm: Perm) -> bool:
        return perm in self.permissions

    def covers(self, code: str | None) -> bool:
        return code is not None and code.startswith(self.jurisdiction_code)

    def as_actor(self) -> Actor:
        return Actor(self.user_id, self.username, self.ip, self.request_id, self.display_name)


def in_scope(column: InstrumentedAttribute | ColumnElement, principal: Principal) -> ColumnElement:
    """SQL condition: the column's code lies in the principal's subtree (an index range)."""
    if not principal.jurisdiction_code:
        return and_(True)
    low, high = subtree_bounds(principal.jurisdiction_code)
    return and_(column >= low, column < high)


def require(principal: Principal, perm: Perm) -> None:
    if not principal.can(perm):
        note_refusal(principal, "forbidden", 403, note=f"perm:{perm.value}")
        raise Forbidden()


def visible(principal: Principal, obj, code: str | None = None):
    """Return ``obj`` if the principal may see it, else raise NotFound (also when obj is None).
    An object that exists outside the principal's scope is a probe: noted as a security event."""
    if obj is None:
        raise NotFound()
    where = code if code is not None else obj.jurisdiction_code
    if not principal.covers(where):
        note_refusal(
            principal,
            "scope_probe",
            404,
            entity=getattr(obj, "__tablename__", type(obj).__name__),
            entity_id=getattr(obj, "id", None) or getattr(obj, "code", None),
            jurisdiction_code=where,
        )
        raise NotFound()
    return obj


def writable(principal: Principal, code: str, perm: Perm) -> None:
    """Raise unless the principal holds ``perm`` and ``code`` lies in their subtree."""
    require(principal, perm)
    if not principal.covers(code):
        note_refusal(principal, "out_of_jurisdiction", 403, jurisdiction_code=code, note=f"perm:{perm.value}")
        raise OutOfJurisdiction()


def mask_phone(number: str | None, principal: Principal) -> str | None:
    """138****5678 for roles that do not need numbers."""
    if not number or principal.can(Perm.CONTACT_PHONE):
        return number
    if len(number) >= 7:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    return "*" * len(number)
