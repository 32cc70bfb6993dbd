"""The people picker: search-as-you-type over the people in the user's scope (one service behind
the HTML fragment ``/pick/people`` and the JSON ``/api/v1/pick/people``), and the one reader of what
a picker field posts — a person id (with JS), or, without JS, a mobile number or a unique name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal, in_scope, mask_phone
from yingji.core.errors import ValidationFailed
from yingji.core.i18n import N_
from yingji.org import places
from yingji.org.models import Jurisdiction, Person, Position, Unit

PICK_LIMIT = 20
MOBILE = re.compile(r"1[3-9]\d{9}")
# Labels read "张三（办公室主任）" or "张三 · 碧江区": a no-JS form posts the label back.
LABEL_TAIL = re.compile(r"[（(·].*$")
# A chosen person shown without JS: "张三 #123".
ID_TAIL = re.compile(r"#(\d{1,10})\s*$")


@dataclass
class PickOption:
    id: int
    name: str
    detail: str  # unit and title, else the person's title
    place: str
    mobile: str | None  # masked as the role requires

    @property
    def label(self) -> str:
        return f"{self.name}（{self.detail}）" if self.detail else self.name


def _in(stmt, session: Session, principal: Principal, within: str | None):
    stmt = stmt.where(in_scope(Person.jurisdiction_code, principal), Person.active)
    stmt = places.narrow(session, principal, stmt, Person.jurisdiction_code, within)
    return stmt


def pick(
    session: Session, principal: Principal, q: str, *, within: str | None = None, limit: int = PICK_LIMIT
) -> list[PickOption]:
    """Up to ``limit`` active people in scope whose name starts with (or title holds) ``q``, or
    whose mobile starts with the digits typed; names that start with ``q`` first."""
    q = (q or "").strip()[:40]
    if not q:
        return []
    cols = select(Person.id, Person.name, Person.title, Person.mobile, Jurisdiction.name).join(
        Jurisdiction, Jurisdiction.code == Person.jurisdiction_code
    )
    stmt = _in(cols, session, principal, within)
    if q.isdigit():
        stmt = stmt.where(Person.mobile.startswith(q))
    else:
        stmt = stmt.where(
            or_(Person.name.contains(q, autoescape=True), Person.title.contains(q, autoescape=True))
        )
    rows = session.execute(stmt.order_by(Person.name, Person.id).limit(limit * 3)).all()
    rows.sort(key=lambda r: (not r[1].startswith(q), r[1] != q, len(r[1])))
    rows = rows[:limit]
    posts: dict[int, str] = {}
    if rows:
        for pid, unit, title in session.execute(
            select(Position.person_id, Unit.name, Position.title)
            .join(Unit, Unit.id == Position.unit_id)
            .where(Position.person_id.in_([r[0] for r in rows]))
            .order_by(Position.sort, Position.id)
        ):
            posts.setdefault(pid, f"{unit}{title or ''}")
    return [
        PickOption(pid, name, posts.get(pid) or title or "", place, mask_phone(mobile, principal))
        for pid, name, title, mobile, place in rows
    ]


def resolve(session: Session, principal: Principal, text: str | None, field: str) -> int | None:
    """The id of the person a picker field names: an id (what the JS posts), a mobile number, or a
    name that only one person in scope has. None when empty; 422 naming ``field`` otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    compact = text.replace(" ", "").replace("-", "")
    mobile = MOBILE.search(compact)
    tail = ID_TAIL.search(text)
    if tail or (compact.isdigit() and len(compact) <= 10):
        stmt = select(Person.id).where(Person.id == int(tail.group(1) if tail else compact))
        mobile = None
    elif mobile:
        stmt = select(Person.id).where(Person.mobile == mobile.group(0))
    else:
        name = LABEL_TAIL.sub("", text).strip()
        stmt = select(Person.id).where(Person.name == name)
    found = list(session.scalars(_in(stmt, session, principal, None).limit(2)))
    if len(found) == 1:
        return found[0]
    if found:
        message = N_("Several people have this name; type the mobile number.")
    else:
        message = N_("No person with this mobile number.") if mobile else N_("No such person here.")
    raise ValidationFailed(details=[{"field": field, "message": message, "value": text[:60]}])
