"""Where an order's ``evacuation.tally`` event is pushed. The hub gives an event to everyone whose
jurisdiction covers its place, so an event at the issuer's place (a county) would never reach the town
officer or the village leader who watch the same order below it. An event goes instead to the places
the change touched: their villages when few, else their towns, else their counties — each watcher at
or above one of them hears it, and a batch from a phone (one cell) costs one event row."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from yingji.events import publish

MOST = 8  # event rows one commit may add for one order
LEVELS = (12, 9, 6, 4, 2)  # village, town, county, city, province (significant digits)


def places(codes: Iterable[str]) -> list[str]:
    """The narrowest level at which ``codes`` fall into at most ``MOST`` places."""
    wanted = {c for c in codes if c}
    for digits in LEVELS:
        out = {c[:digits] for c in wanted}
        if len(out) <= MOST:
            return sorted(out)
    return sorted({c[:2] for c in wanted})


def tally_moved(session: Session, order, codes: Iterable[str] | None = None) -> None:
    """Push the order's tally at the places of ``codes`` (default: the order's area), once per commit."""
    targets = places(codes if codes is not None else (order.area_codes or [])) or [order.jurisdiction_code]
    for code in targets:
        publish(session, "evacuation.tally", code, {"order_id": order.id}, once=f"{order.id}:{code}")
