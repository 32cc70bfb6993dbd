"""Demo: the city's handbook as a PDF edition, printed in 7,500 copies and handed out to the city's
member units, the counties' HQs, the towns' emergency offices and enterprises, as seed 000 reports
(编制印发三清单一手册7500余份，向全市相关单位、企业进行发放)."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from yingji.auth.models import User
from yingji.auth.scope import Principal
from yingji.core import clock
from yingji.core.db import Actor
from yingji.handbook import content, editions
from yingji.handbook.codes import EditionState, Format, RecipientKind
from yingji.handbook.models import Distribution, Edition, Print
from yingji.org.codes import subtree_bounds
from yingji.org.models import Jurisdiction, Unit
from yingji.risk.models import Enterprise

COPIES = 7500
# Copies per recipient, in proportion (largest remainder fills the print run exactly).
WEIGHTS = {"member_unit": 40, "county_hq": 300, "town_office": 10, "enterprise": 20}
ENTERPRISES = 100


def _recipients(session, city: str) -> list[tuple[str, int | None, str, int]]:
    """(kind, unit id, name, weight) of everyone the city hands copies to."""
    low, high = subtree_bounds(city)
    out = [
        (RecipientKind.UNIT.value, uid, name, WEIGHTS["member_unit"])
        for uid, name in session.execute(
            select(Unit.id, Unit.name)
            .where(Unit.jurisdiction_code == city, Unit.kind == "member_unit")
            .order_by(Unit.sort)
        )
    ]
    in_city = (Unit.jurisdiction_code >= low) & (Unit.jurisdiction_code < high)
    out += [
        (RecipientKind.UNIT.value, uid, name, WEIGHTS["county_hq"])
        for uid, name in session.execute(
            select(Unit.id, Unit.name)
            .where(in_city, func.length(Unit.jurisdiction_code) == 6, Unit.kind == "command_hq")
            .order_by(Unit.jurisdiction_code)
        )
    ]
    out += [
        (RecipientKind.UNIT.value, uid, name, WEIGHTS["town_office"])
        for uid, name in session.execute(
            select(Unit.id, Unit.name)
            .where(in_city, func.length(Unit.jurisdiction_code) == 9, Unit.kind == "committee_office")
            .order_by(Unit.jurisdiction_code)
        )
    ]
    out += [
        (RecipientKind.OTHER.value, None, name, WEIGHTS["enterprise"])
        for (name,) in session.execute(
            select(Enterprise.name)
            .where(Enterprise.jurisdiction_code >= low, Enterprise.jurisdiction_code < high)
            .order_by(Enterprise.id)
            .limit(ENTERPRISES)
        )
    ]
    return out


def _shares(weights: list[int], total: int) -> list[int]:
    whole = sum(weights)
    raw = [w * total / whole for w in weights]
    shares = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)[: total - sum(shares)]:
        shares[i] += 1
    return shares


def build(db, data, options, progress) -> None:
    city = data.top if len(data.top) == 4 else "5206"
    with db.reading() as session:
        place = session.get(Jurisdiction, city)
        done = session.scalar(select(Edition.id).where(Edition.jurisdiction_code == city))
        commander = session.scalar(select(User).where(User.username == "commander"))
        if place is None or done is not None:
            return
        principal = Principal.of(commander) if commander is not None else Principal.system(city, "demo")
        book = content.assemble(session, principal, place)
    path = str(editions.files_dir(db.settings) / f"{secrets.token_hex(16)}.pdf")
    values = editions.write_file(path, book, Format.PDF)
    with db.writing(Actor.system("demo")) as session:
        edition = Edition(
            jurisdiction_code=city,
            format=Format.PDF.value,
            state=EditionState.DONE.value,
            masked=book.masked,
            title=book.title,
            path=path,
            created_by=principal.display_name,
            created_by_id=principal.user_id,
            **values,
        )
        session.add(edition)
        session.flush()
        printed_on = clock.to_local(edition.data_at).date()  # printed once the data were read
        recipients = _recipients(session, city)
        shares = _shares([r[3] for r in recipients], COPIES) if recipients else []
        run = Print(
            edition_id=edition.id,
            jurisdiction_code=city,
            copies=COPIES,
            distributed=sum(shares),
            printed_on=printed_on,
            note="三清单一手册印发",
            created_by=principal.display_name,
        )
        session.add(run)
        session.flush()
        session.add_all(
            Distribution(
                print_id=run.id,
                jurisdiction_code=city,
                recipient_kind=kind,
                unit_id=uid,
                recipient_name=name[:120],
                copies=n,
                distributed_on=printed_on,
                created_by=principal.display_name,
            )
            for (kind, uid, name, _), n in zip(recipients, shares, strict=True)
            if n > 0
        )
    if progress:
        progress("handbook", len(recipients), len(recipients))
