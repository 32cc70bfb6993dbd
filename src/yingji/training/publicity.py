"""Publicity events (宣传活动, RULES2 §13.3–13.4): into enterprises, villages, communities, schools and
homes (五进; 进机关 and 进公共场所 too where the local 七进 is on: ``YINGJI_PUBLICITY_SEVEN=1``), on the
national days or not, with place, audience and materials; statistics per target, day and place; the
calendar of the coming days. Field entries are idempotent by client key; photos are kept by content
hash through ``incidents.photos``."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from yingji.auth.roles import Perm
from yingji.auth.scope import Principal, in_scope, visible, writable
from yingji.core import clock
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.i18n import N_
from yingji.core.pagination import Page, paginate
from yingji.incidents import photos as store
from yingji.org import places
from yingji.rules import load
from yingji.training import labels
from yingji.training.models import PublicityEvent, PublicityPhoto
from yingji.training.schemas import PublicityIn

MIME = {kind: mime for kind, (mime, _ext) in store.KINDS.items()}


def calendar_rules() -> dict:
    return load("publicity_calendar.json")


def seven_on() -> bool:
    return os.environ.get("YINGJI_PUBLICITY_SEVEN", "") in ("1", "true", "yes")


def targets() -> list[dict]:
    """The targets offered: 五进, and 七进's two more where the setting is on."""
    return [t for t in calendar_rules()["targets"] if t["set"] == "five" or seven_on()]


def _codes(rows) -> set[str]:
    return {r["code"] for r in rows}


def search(
    session: Session,
    principal: Principal,
    *,
    year: int | None = None,
    within: str | None = None,
    target: str | None = None,
    day: str | None = None,
    page: int = 1,
    size: int = 50,
) -> Page[PublicityEvent]:
    stmt = select(PublicityEvent).where(*_filters(session, principal, year, within))
    if target:
        stmt = stmt.where(PublicityEvent.target == target)
    if day:
        stmt = stmt.where(PublicityEvent.day == day)
    return paginate(
        session, stmt.order_by(PublicityEvent.held_on.desc(), PublicityEvent.id.desc()), page, size
    )


def every(session: Session, principal: Principal, year: int, within: str | None) -> list[PublicityEvent]:
    """All events of a year (the export), by date."""
    stmt = select(PublicityEvent).where(*_filters(session, principal, year, within))
    return list(session.scalars(stmt.order_by(PublicityEvent.held_on, PublicityEvent.id)))


def _filters(session, principal, year, within) -> list:
    where = [in_scope(PublicityEvent.jurisdiction_code, principal)]
    if within:
        low, high = places.within(session, principal, within)
        where += [PublicityEvent.jurisdiction_code >= low, PublicityEvent.jurisdiction_code < high]
    if year:
        where += [PublicityEvent.held_on >= date(year, 1, 1), PublicityEvent.held_on <= date(year, 12, 31)]
    return where


def get(session: Session, principal: Principal, event_id: int) -> PublicityEvent:
    return visible(principal, session.get(PublicityEvent, event_id))


def create(session: Session, principal: Principal, data: PublicityIn) -> tuple[PublicityEvent, bool]:
    code = data.jurisdiction_code or principal.jurisdiction_code
    writable(principal, code, Perm.TRAINING_MANAGE)
    if data.client_key:
        found = session.scalar(select(PublicityEvent).where(PublicityEvent.client_key == data.client_key))
        if found is not None:
            return visible(principal, found), False
    places.get(session, principal, code)
    if data.target not in _codes(calendar_rules()["targets"]) or (data.target not in _codes(targets())):
        raise ValidationFailed.on("target", N_("Choose a target from the list."))
    if data.day and data.day not in _codes(calendar_rules()["days"]):
        raise ValidationFailed.on("day", N_("Choose a day from the list."))
    event = PublicityEvent(
        **data.model_dump(exclude={"jurisdiction_code"}), jurisdiction_code=code, created_by=principal.user_id
    )
    session.add(event)
    session.flush()
    return event, True


def stats(session: Session, principal: Principal, year: int, within: str | None = None) -> dict:
    """Events, audience and materials per target, per day and per place (the next level down)."""
    where = _filters(session, principal, year, within)
    sums = (
        func.count(),
        func.coalesce(func.sum(PublicityEvent.audience), 0),
        func.coalesce(func.sum(PublicityEvent.materials), 0),
    )
    total = session.execute(select(*sums).where(*where)).one()

    def rows(key, label):
        out = []
        for k, n, a, m in session.execute(select(key, *sums).where(*where).group_by(key).order_by(key)):
            out.append({"key": k or "", "label": label(k), "events": n, "audience": a, "materials": m})
        return out

    top = within or principal.jurisdiction_code
    width = {0: 4, 2: 4, 4: 6, 6: 9, 9: 12}.get(len(top), len(top))
    place_key = func.substr(PublicityEvent.jurisdiction_code, 1, width)
    by_place = rows(place_key, lambda k: k)
    names = places.names(session, [r["key"] for r in by_place])
    for r in by_place:
        r["label"] = names.get(r["key"], r["key"])
    return {
        "year": year,
        "events": total[0],
        "audience": total[1],
        "materials": total[2],
        "by_target": rows(PublicityEvent.target, labels.target_label),
        "by_day": [r for r in rows(PublicityEvent.day, labels.day_label)],
        "by_place": by_place,
    }


def coming_days(today: date | None = None, count: int = 8) -> list[dict]:
    """The national days and campaigns from today on (this year's, then next year's)."""
    today = today or clock.now().date()
    out = []
    for year in (today.year, today.year + 1):
        for d in calendar_rules()["days"]:
            on = date(year, d["month"], d["day"])
            through = bool(d.get("through_month"))
            last = date(year, d["month"], 30) if through else on
            if last < today:
                continue
            out.append(
                {
                    "code": d["code"],
                    "label": labels.day_label(d["code"]),
                    "on": on,
                    "days_left": max((on - today).days, 0),
                    "through_month": through,
                    "source": d["source"],
                }
            )
    return sorted(out, key=lambda x: x["on"])[:count]


def out(session: Session, event: PublicityEvent, names: dict | None = None) -> dict:
    names = names if names is not None else places.names(session, [event.jurisdiction_code])
    photo_ids = session.scalars(
        select(PublicityPhoto.id).where(PublicityPhoto.event_id == event.id).order_by(PublicityPhoto.id)
    ).all()
    return {
        "id": event.id,
        "title": event.title,
        "target": event.target,
        "target_label": labels.target_label(event.target),
        "day": event.day,
        "day_label": labels.day_label(event.day),
        "held_on": event.held_on,
        "place": event.place,
        "jurisdiction_code": event.jurisdiction_code,
        "jurisdiction_name": names.get(event.jurisdiction_code),
        "organiser": event.organiser,
        "audience": event.audience,
        "materials": event.materials,
        "materials_note": event.materials_note,
        "note": event.note,
        "photos": list(photo_ids),
    }


def outs(session: Session, events: list[PublicityEvent]) -> list[dict]:
    names = places.names(session, [e.jurisdiction_code for e in events])
    return [out(session, e, names) for e in events]


# -- photos -------------------------------------------------------------------------------------
def add_photo(
    session: Session,
    principal: Principal,
    event_id: int,
    data: bytes,
    caption: str | None,
    *,
    upload_dir: Path,
    max_bytes: int,
) -> PublicityPhoto:
    event = get(session, principal, event_id)
    writable(principal, event.jurisdiction_code, Perm.TRAINING_MANAGE)
    kind, sha, _w, _h = store.keep(upload_dir, data, max_bytes)
    found = session.scalar(
        select(PublicityPhoto).where(PublicityPhoto.event_id == event.id, PublicityPhoto.sha256 == sha)
    )
    if found is not None:
        return found
    photo = PublicityPhoto(
        event_id=event.id,
        jurisdiction_code=event.jurisdiction_code,
        sha256=sha,
        content_type=MIME[kind],
        size_bytes=len(data),
        caption=(caption or "")[:200] or None,
        uploaded_by=principal.user_id,
    )
    session.add(photo)
    session.flush()
    return photo


def photo_file(session: Session, principal: Principal, event_id: int, photo_id: int, upload_dir: Path):
    event = get(session, principal, event_id)
    photo = session.get(PublicityPhoto, photo_id)
    if photo is None or photo.event_id != event.id:
        raise NotFound()
    return photo, store.stored_file(upload_dir, photo.sha256, photo.content_type)
