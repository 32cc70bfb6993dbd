"""Who the signed-in grid worker is: their name and phone, pre-filled on every form of the app."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.org.models import Person


@dataclass(frozen=True)
class Me:
    name: str
    phone: str | None
    person_id: int | None


def me(session: Session, principal: Principal) -> Me:
    """The principal's person (name, mobile), or their account's display name when not linked."""
    user = session.get(User, principal.user_id) if principal.user_id else None
    person = session.get(Person, user.person_id) if user is not None and user.person_id else None
    if person is not None:
        return Me(person.name, person.mobile, person.id)
    return Me(principal.display_name[:60], None, None)
