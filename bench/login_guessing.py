"""How fast can a password be guessed, and can the owner still log in? (issue 10, item 7)

    python bench/login_guessing.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]

The real app and database; each client is a different TCP peer address. Time is simulated with the
platform clock (the throttle's waits run to 15 minutes): the attacker is optimal — it retries each
address exactly when ``Retry-After`` says. Counted: passwords the server actually checked (answers 401),
against one account, from one address and from many, in the first minute, the first hour and per hour
after that. Then the owner logs in from a fresh address and from their known browser. Baseline: the
issue's 470 guesses a minute (spoofed X-Forwarded-For from a trusted address, before the fix).
A last part measures real time: how long a refused attempt (429) and a checked one take.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from bench.common import fresh_database, report
from yingji.app import create_app
from yingji.auth import service
from yingji.auth.scope import Principal
from yingji.core.clock import clock
from yingji.core.db import Actor
from yingji.org.models import Jurisdiction

PASSWORD = "Tongren#Flood2026"
BASELINE_PER_MIN = 470.0


def client(app, address: str) -> TestClient:
    return TestClient(app, raise_server_exceptions=False, client=(address, 50000))


def attempt(c: TestClient, username: str, password: str):
    if "yingji_login_csrf" not in c.cookies:  # every answer of the login page renews the form token
        c.get("/login")
    return c.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "next": "/",
            "login_csrf": c.cookies.get("yingji_login_csrf"),
        },
        follow_redirects=False,
    )


def guesses(app, username: str, clients: list[TestClient], minutes: float) -> tuple[int, int]:
    """(passwords checked, requests sent) in ``minutes`` of simulated time by an optimal attacker."""
    ready = [clock.now()] * len(clients)
    end = clock.now() + timedelta(minutes=minutes)
    checked = sent = 0
    while True:
        i = min(range(len(clients)), key=lambda k: ready[k])
        if ready[i] >= end:
            clock.freeze(end)
            return checked, sent
        if ready[i] > clock.now():
            clock.freeze(ready[i])
        r = attempt(clients[i], username, f"guess-{sent}-Qz")
        sent += 1
        if r.status_code == 429:
            ready[i] = clock.now() + timedelta(seconds=int(r.headers["Retry-After"]))
        else:
            assert r.status_code == 401, r.status_code
            checked += 1


def make_user(db, name: str) -> None:
    with db.writing(Actor.system("bench")) as session:
        if session.get(Jurisdiction, "52") is None:
            session.add(Jurisdiction(code="52", name="贵州省", level="province"))
            session.flush()
        service.create_user(
            session,
            Principal.system(),
            username=name,
            password=PASSWORD,
            display_name=name,
            role="duty_officer",
            jurisdiction_code="52",
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pg", default=None, help="PostgreSQL server URL (default: SQLite)")
    ap.add_argument("--bots", type=int, default=1000, help="addresses of the distributed attack")
    args = ap.parse_args()
    rows, result = [], {}
    with fresh_database(args.pg, "guess") as db:
        app = create_app(db.settings, db, start_worker=False)
        start = clock.now()
        clock.freeze(start)

        make_user(db, "target1")
        one = [client(app, "203.0.113.1")]
        first_min, _ = guesses(app, "target1", one, 1)
        first_hour, _ = guesses(app, "target1", one, 59)
        next_hours, _ = guesses(app, "target1", one, 120)
        rows += [
            ("one address: checked in the 1st minute", str(first_min)),
            ("one address: checked in the 1st hour", str(first_min + first_hour)),
            ("one address: checked per hour after", f"{next_hours / 2:.1f}"),
        ]

        make_user(db, "target2")
        bots = [client(app, f"10.{n // 65536}.{n // 256 % 256}.{n % 256}") for n in range(1, args.bots + 1)]
        owner_known = client(app, "198.51.100.5")
        assert attempt(owner_known, "target2", PASSWORD).status_code == 303  # the owner's usual browser
        owner_known.cookies.delete("yingji_session")
        many_min, sent_min = guesses(app, "target2", bots, 1)
        many_hour, _ = guesses(app, "target2", bots, 59)
        many_next, sent_next = guesses(app, "target2", bots, 120)
        # The owner tries right after a bot's guess was checked, i.e. while the account waits.
        bot = bots[0]
        while (r := attempt(bot, "target2", "guess-last-Qz")).status_code == 429:
            clock.freeze(clock.now() + timedelta(seconds=int(r.headers["Retry-After"])))
        fresh_ok = attempt(client(app, "192.0.2.77"), "target2", PASSWORD).status_code == 303
        known_ok = attempt(owner_known, "target2", PASSWORD).status_code == 303
        rows += [
            (f"{args.bots} addresses: checked in the 1st minute", f"{many_min} ({sent_min} requests)"),
            (f"{args.bots} addresses: checked in the 1st hour", f"{many_min + many_hour}"),
            (
                f"{args.bots} addresses: checked per hour after",
                f"{many_next / 2:.1f} ({sent_next / 2:.0f} req/h)",
            ),
            ("owner, fresh address, account waiting", "logs in" if fresh_ok else "waits (429)"),
            ("owner, known browser, account waiting", "logs in" if known_ok else "waits (429)"),
        ]

        # Real time: a refused attempt skips argon2; a checked one pays for it.
        clock.reset()
        make_user(db, "target3")
        c = client(app, "203.0.113.99")
        t0 = time.perf_counter()
        for i in range(5):
            attempt(c, "target3", f"wrong-{i}-Xy")
        checked_ms = (time.perf_counter() - t0) / 5 * 1000
        t0 = time.perf_counter()
        for i in range(20):
            assert attempt(c, "target3", f"wrong-x{i}-Xy").status_code == 429
        refused_ms = (time.perf_counter() - t0) / 20 * 1000
        rows += [
            ("real time: a checked attempt (GET + POST)", f"{checked_ms:.0f} ms"),
            ("real time: a refused attempt (GET + POST)", f"{refused_ms:.0f} ms"),
        ]
        steady = many_next / 120  # per minute, from many addresses, once the attack has run an hour
        result = {
            "figure": round(steady, 3),
            "unit": "guesses/min against one account from many addresses (after the first hour)",
            "baseline": BASELINE_PER_MIN,
            "ratio": round(steady / BASELINE_PER_MIN, 5),
            "database": db.kind,
            "bots": args.bots,
            "one_address_first_minute": first_min,
            "one_address_first_hour": first_min + first_hour,
            "one_address_per_hour_after": next_hours / 2,
            "many_first_minute": many_min,
            "many_first_hour": many_min + many_hour,
            "many_per_hour_after": many_next / 2,
            "owner_fresh_address_logs_in": fresh_ok,
            "owner_known_browser_logs_in": known_ok,
            "checked_attempt_ms": round(checked_ms, 1),
            "refused_attempt_ms": round(refused_ms, 1),
        }
    report("login_guessing", rows, result)


if __name__ == "__main__":
    main()
