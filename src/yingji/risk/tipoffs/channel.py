"""Public tip-offs (公众举报, 安全生产法 第七十四条): a form anyone can send without logging in, of
any kind (hidden danger, 重大事故隐患, 非法违法生产经营, 事故瞒报 / 谎报).

Safe without a session: a signed form token that must match a SameSite=Strict cookie (double
submit), a per-address limit counted in the database (every server process sees it, and the count
is committed before the report is looked at, so rejected attempts count too), photos checked like
every upload. The sender gets a receipt code and never sees anything of others or of themselves
shown back."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from sqlalchemy import case, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.errors import TooManyAttempts, ValidationFailed
from yingji.core.text import trimmed
from yingji.org.models import Jurisdiction
from yingji.risk import dangers, photos
from yingji.risk.models import TipoffLimit
from yingji.risk.schemas import DangerIn, phone
from yingji.risk.tipoffs import sealed
from yingji.risk.tipoffs.codes import DANGER_KINDS, TipoffKind
from yingji.risk.tipoffs.models import Tipoff

COOKIE = "yingji_tipoff"
TOKEN_MAX_AGE = timedelta(hours=2)
WINDOW = timedelta(hours=1)
DEFAULT_PER_HOUR = 5
MAX_PHOTOS = 3
REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class TooManyTipoffs(TooManyAttempts):
    code = "too_many_tipoffs"
    message = "Too many reports from your address. Try again in {minutes} minutes."


def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:32]


def issue(secret: str) -> tuple[str, str]:
    """(form token, cookie value): the token names the cookie's nonce and is signed with the secret."""
    nonce = secrets.token_urlsafe(18)
    stamp = str(int(clock.now().timestamp()))
    return f"{stamp}.{nonce}.{_sign(secret, f'{stamp}.{nonce}')}", nonce


def verify(secret: str, token: str, cookie: str | None) -> bool:
    """The token is ours, not older than two hours, and matches the browser's cookie."""
    try:
        stamp, nonce, signature = token.split(".")
        age = clock.now().timestamp() - int(stamp)
    except ValueError:
        return False
    return (
        bool(cookie)
        and hmac.compare_digest(signature, _sign(secret, f"{stamp}.{nonce}"))
        and hmac.compare_digest(nonce, cookie or "")
        and -60 <= age <= TOKEN_MAX_AGE.total_seconds()
    )


def take_slot(session: Session, address: str, per_hour: int) -> None:
    """Count one attempt for ``address`` (atomic upsert); TooManyTipoffs past the hourly limit."""
    now = clock.now()
    cutoff = now - WINDOW
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stale = TipoffLimit.window_started_at < cutoff
    stmt = (
        insert(TipoffLimit)
        .values(address=address[:64], window_started_at=now, count=1)
        .on_conflict_do_update(
            index_elements=["address"],
            set_={
                "count": case((stale, 1), else_=TipoffLimit.count + 1),
                "window_started_at": case((stale, now), else_=TipoffLimit.window_started_at),
            },
        )
        .returning(TipoffLimit.count, TipoffLimit.window_started_at)
    )
    count, started = session.execute(stmt).one()
    if count > per_hour:
        left = clock.to_utc(started) + WINDOW - now
        raise TooManyTipoffs(minutes=max(1, int(left.total_seconds() // 60) + 1))


def towns(session: Session) -> list[tuple[str, list[Jurisdiction]]]:
    """Every town with its county, for the form's place list."""
    rows = session.scalars(
        select(Jurisdiction).where(Jurisdiction.level.in_(("county", "town"))).order_by(Jurisdiction.code)
    )
    groups: dict[str, tuple[str, list[Jurisdiction]]] = {}
    for j in rows:
        if j.level == "county":
            groups[j.code] = (j.name, [])
        elif j.code[:6] in groups:
            groups[j.code[:6]][1].append(j)
    return [g for g in groups.values() if g[1]]


def submit(session: Session, settings, form: dict, uploads: list[bytes], key: str | None = None) -> Tipoff:
    """Check everything (photos first), then record the tip-off of its kind; a hidden danger also
    opens a danger in the loop (without the reporter: the contact is sealed on the tip-off, for the
    reward only). ``key`` (the form's nonce) makes a form sent twice one report."""
    client_key = f"tipoff:{key}" if key else None
    if client_key:
        known = session.scalar(select(Tipoff).where(Tipoff.client_key == client_key))
        if known is not None:
            return known
    problems = []
    code = str(form.get("town") or "")
    place = session.get(Jurisdiction, code) if code.isdigit() else None
    if place is None or place.level not in ("town", "village"):
        problems.append({"field": "town", "message": "Choose the town where it is."})
    kind = str(form.get("kind") or TipoffKind.HIDDEN_DANGER.value)
    if kind not in set(TipoffKind):
        problems.append({"field": "kind", "message": "Choose what you report."})
    what = trimmed(form.get("what"), 200)
    if not what or len(what) < 4:
        problems.append({"field": "what", "message": "Say in a few words what the danger is."})
    try:
        contact = phone(trimmed(form.get("contact_phone"), 30))
    except ValueError:
        problems.append({"field": "contact_phone", "message": "Not a phone number."})
    uploads = [u for u in uploads if u]
    if len(uploads) > MAX_PHOTOS:
        problems.append({"field": "photo", "message": "At most three photos."})
    if problems:
        raise ValidationFailed(details=problems)
    for data in uploads:
        photos.checked(data, settings)  # a bad photo rejects the whole report, nothing is kept
    name = trimmed(form.get("contact_name"), 60)
    ref = new_ref()
    lon, lat = _coordinate(form.get("lon"), 180), _coordinate(form.get("lat"), 90)
    danger = None
    if kind in DANGER_KINDS:
        public = Principal.system(jurisdiction_code=place.code, what="public")
        danger = dangers.create(
            session,
            public,
            DangerIn(
                title=what,
                description=trimmed(form.get("details"), 4000),
                category="other",
                source="public",
                jurisdiction_code=place.code,
                location=trimmed(form.get("where"), 200),
                lon=lon,
                lat=lat,
                client_key=client_key,
            ),
            public_ref=ref,
            actor="public",
        )
        for data in uploads:  # a form sent twice: the same photos are the same rows
            photos.keep(session, None, danger, "before", data, settings, actor="public")
    now = clock.now()
    tipoff = Tipoff(
        jurisdiction_code=place.code,
        kind=kind,
        title=what,
        details=trimmed(form.get("details"), 4000),
        location=trimmed(form.get("where"), 200),
        lon=lon,
        lat=lat,
        unit_named=trimmed(form.get("unit_named"), 200),
        danger_id=danger.id if danger else None,
        public_ref=danger.public_ref if danger and danger.public_ref else ref,
        client_key=client_key,
        received_at=now,
        received_month=f"{clock.to_local(now):%Y-%m}",
        has_contact=bool(contact),
        contact_sealed=sealed.seal({"name": name, "phone": contact}, settings.secret_key)
        if contact
        else None,
        contact_hash=sealed.contact_hash(contact, settings.secret_key),
    )
    session.add(tipoff)
    session.flush()
    return tipoff


def _coordinate(value, limit: float) -> float | None:
    try:
        number = float(str(value))
    except ValueError:
        return None
    return round(number, 6) if -limit <= number <= limit else None


def new_ref() -> str:
    """A random receipt code (no sequence to guess)."""
    return "".join(secrets.choice(REF_ALPHABET) for _ in range(10))


def status_of(session: Session, ref: str) -> Tipoff | None:
    """The tip-off of a receipt code; the page shows its state and reward state only."""
    ref = (ref or "").strip().upper()
    if not (8 <= len(ref) <= 16):
        return None
    return session.scalar(select(Tipoff).where(Tipoff.public_ref == ref))
