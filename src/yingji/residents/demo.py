"""Demo residents: fictitious people in every village group, about three to a household, with the
vulnerable-person flags at plausible rates and most subscribed to warning SMS.

``DemoOptions.residents`` (the integrator's ``yingji demo --residents N``) sets the total for the
city; without it each village group gets ``DEFAULT_PER_GROUP``. Rows are generated with numpy from
a seed (same seed, same residents) and bulk-inserted; the audit log gets one summary entry.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from sqlalchemy import insert, select

from yingji.auth import audit
from yingji.core import clock
from yingji.core.db import Actor, Database
from yingji.demo.names import GIVEN, SURNAMES
from yingji.org.models import Jurisdiction
from yingji.residents import idnumber
from yingji.residents.models import Resident

DEFAULT_PER_GROUP = 6  # ~126,000 for Tongren: enough to show households; --residents N for scale work
RATES = {"disabled": 0.02, "lives_alone": 0.03, "very_old": 0.04}
MOBILE_SHARE, SUBSCRIBED_SHARE = 0.85, 0.9
CHUNK = 20_000


def group_codes(db: Database, under: str) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(Jurisdiction.code)
                .where(Jurisdiction.level == "group", Jurisdiction.code.startswith(under))
                .order_by(Jurisdiction.code)
            )
        )


def id_numbers(county: str, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` fictitious ID numbers with a valid check digit (issue 13): the county's code, a birth
    date (1940–2015, day ≤ 28), a serial; vectorised (the check digit is a dot product)."""
    birth = rng.integers(1940, 2016, n) * 10_000 + rng.integers(1, 13, n) * 100 + rng.integers(1, 29, n)
    first17 = int(county.ljust(6, "0")[:6]) * 10**11 + birth * 1000 + rng.integers(0, 1000, n)
    digits = first17[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64) % 10
    check = np.array(list(idnumber.CHECK))[(digits @ np.array(idnumber.WEIGHTS)) % 11]
    return np.char.add(np.char.mod("%017d", first17), check)


def generate(groups: list[str], total: int, seed: int) -> Iterator[list[dict]]:
    """Resident rows spread over ``groups`` (``total`` in all), in chunks, deterministic for a seed."""
    if not groups or total <= 0:
        return
    rng = np.random.default_rng([seed, 4])
    per_group = np.full(len(groups), total // len(groups))
    per_group[: total % len(groups)] += 1
    now = clock.now()
    surnames, given = np.array(SURNAMES), np.array(GIVEN)
    serial = 0
    chunk: list[dict] = []
    base = idnumber.hasher()  # one key schedule, copied per number
    for code, n in zip(groups, per_group, strict=True):
        n = int(n)
        if n == 0:
            continue
        households = np.maximum(1, np.cumsum(rng.random(n) < 0.34))  # ~3 people per household
        sur = surnames[rng.integers(0, len(surnames), n)]
        g1 = given[rng.integers(0, len(given), n)]
        g2 = np.where(rng.random(n) < 0.3, "", given[rng.integers(0, len(given), n)])
        flags = {k: rng.random(n) < p for k, p in RATES.items()}
        has_mobile = rng.random(n) < MOBILE_SHARE
        subscribed = rng.random(n) < SUBSCRIBED_SHARE
        ids = id_numbers(code[:6], n, rng).tolist()
        for i in range(n):
            serial += 1
            vulnerable = int(flags["disabled"][i]) + int(flags["lives_alone"][i]) + int(flags["very_old"][i])
            chunk.append(
                {
                    "name": f"{sur[i]}{g1[i]}{g2[i]}",
                    "mobile": f"166{(serial * 7919 + 7654321) % 10**8:08d}" if has_mobile[i] else None,
                    "jurisdiction_code": code,
                    "village_code": code[:12],
                    "household": f"{int(households[i]):03d}",
                    "address": None,
                    "id_hash": idnumber.id_hash(ids[i], base=base),
                    "id_tail": ids[i][-4:],
                    "disabled": bool(flags["disabled"][i]),
                    "lives_alone": bool(flags["lives_alone"][i]),
                    "very_old": bool(flags["very_old"][i]),
                    "vulnerability": vulnerable,
                    "subscribed": bool(subscribed[i]),
                    "active": True,
                    "note": None,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
    if chunk:
        yield chunk


def write(db: Database, groups: list[str], total: int, seed: int, progress=None) -> int:
    """Bulk insert generated residents; returns how many."""
    n = 0
    actor = Actor.system("demo")
    for chunk in generate(groups, total, seed):
        with db.writing(actor) as session:
            session.execute(insert(Resident), chunk)
        n += len(chunk)
        if progress:
            progress("residents", n, total)
    return n


def build(db, data, options, progress) -> None:
    """Residents for every village group of the demo."""
    groups = group_codes(db, data.top)
    total = getattr(options, "residents", None) or DEFAULT_PER_GROUP * len(groups)
    n = write(db, groups, int(total), options.seed, progress)
    with db.writing(Actor.system("demo")) as session:
        audit.record(
            session, "demo.build", "residents", data.top, after={"residents": n}, note="demo residents"
        )
