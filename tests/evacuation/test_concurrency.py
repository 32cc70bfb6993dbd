"""Batches from many phones at once (threads, each its own transaction): every household ends on
its newest mark, nothing is counted twice, and every tally read meanwhile keeps the identity
threatened = moved + sheltered + safe elsewhere + unaccounted + returned. Runs on both databases."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import timedelta

from sqlalchemy import func, select

from yingji.core import clock
from yingji.evacuation import marks as service
from yingji.evacuation import tally as tallies
from yingji.evacuation.models import EvacuationMark
from yingji.evacuation.schemas import MarkIn

from .conftest import households, issue, principal_of
from .test_marks import identity

STATES = ["moved", "self_moved", "at_relatives", "refused", "not_home"]


def test_concurrent_batches_keep_the_identity(city):
    order_id = issue(city.db, "town", [city.town_a])
    rows = households(city.db, order_id)
    rng = random.Random(13)
    base = clock.now() - timedelta(hours=2)
    sent: list[MarkIn] = []
    for i, h in enumerate(rows[:300]):
        for j in range(rng.randint(1, 3)):
            at = base + timedelta(seconds=j * 600 + rng.randint(0, 500), microseconds=i)
            sent.append(
                MarkIn(household_id=h.id, state=rng.choice(STATES), marked_at=at, client_key=uuid.uuid4().hex)
            )
    repeats = rng.sample(sent, len(sent) // 10)
    stream = sent + repeats
    rng.shuffle(stream)
    phones = [stream[i::6] for i in range(6)]
    p = principal_of(city.db, "town")
    errors: list[BaseException] = []
    done = threading.Event()

    def phone(batch: list[MarkIn]) -> None:
        try:
            for k in range(0, len(batch), 25):
                with city.db.writing(p.as_actor()) as session:
                    service.apply_marks(session, p, order_id, batch[k : k + 25])
        except BaseException as exc:
            errors.append(exc)

    def reader() -> None:
        try:
            while not done.is_set():
                with city.db.reading() as session:
                    identity(tallies.tally(session, p, order_id))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=phone, args=(b,)) for b in phones]
    watcher = threading.Thread(target=reader)
    watcher.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    watcher.join()
    assert not errors, errors
    newest: dict[int, MarkIn] = {}
    for m in sent:
        if m.household_id not in newest or m.marked_at > newest[m.household_id].marked_at:
            newest[m.household_id] = m
    final = {h.id: h for h in households(city.db, order_id)}
    lost = [hid for hid, m in newest.items() if final[hid].state != m.state.value]
    assert lost == []
    with city.db.reading() as session:
        logged = session.scalar(
            select(func.count()).select_from(EvacuationMark).where(EvacuationMark.order_id == order_id)
        )
        t = tallies.tally(session, p, order_id)
    assert logged == len(sent)  # every mark once in the log, repeats not again
    identity(t)
    assert t.threatened.households == len(rows)
    assert t.unaccounted.households == len(rows) - sum(
        1 for m in newest.values() if m.state.value in STATES[:3]
    )
