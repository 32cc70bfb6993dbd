"""Login throttling that slows guessing but cannot be turned against the account's owner."""

from __future__ import annotations

from datetime import timedelta

from tests.auth.helpers import client_at, fresh_user, post_login
from tests.conftest import PASSWORD
from yingji.auth import throttle


def test_victim_logs_in_while_an_attacker_hammers_the_account_from_elsewhere(app, city, clock):
    """Defect: five wrong passwords locked any account for 15 minutes, right password refused."""
    clock.freeze(clock.now())
    victim = fresh_user(city)
    attacker = client_at(app, "203.0.113.66")
    answers = [post_login(attacker, victim, f"guess-{i}-Xy").status_code for i in range(40)]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}  # the attacker waits
    desk = client_at(app, "198.51.100.20")  # the duty officer at another desk, never failed here
    assert post_login(desk, victim, PASSWORD).status_code == 303
    # ... and the attacker, even with the right password now, still waits (its address failed).
    assert post_login(attacker, victim, PASSWORD).status_code == 429


def test_a_known_browser_logs_in_through_a_distributed_attack(app, city, clock):
    clock.freeze(clock.now())
    victim = fresh_user(city)
    laptop = client_at(app, "198.51.100.30")
    assert post_login(laptop, victim, PASSWORD).status_code == 303  # remembered from now on
    assert throttle.KNOWN_COOKIE in laptop.cookies
    for n in range(throttle.BYPASS_BUDGET + 5):  # many addresses, a guess or two each
        bot = client_at(app, f"203.0.113.{n + 1}")
        for i in range(2):
            assert post_login(bot, victim, f"guess-{n}-{i}-Xy").status_code in (401, 429)
    stranger = client_at(app, "192.0.2.200")  # a fresh address, once the fresh-address budget is spent
    assert post_login(stranger, victim, PASSWORD).status_code == 429
    laptop.cookies.delete("yingji_session")
    assert post_login(laptop, victim, PASSWORD).status_code == 303  # the known browser is not locked out
    # Now from yet another network (the laptop moved): the cookie, not the address, is what counts.
    moved = client_at(
        app, "192.0.2.201", cookies={throttle.KNOWN_COOKIE: laptop.cookies[throttle.KNOWN_COOKIE]}
    )
    assert post_login(moved, victim, PASSWORD).status_code == 303


def _checked_guesses(app, username: str, addresses: list[str], clock, minutes: int) -> int:
    """An attacker that waits exactly as told (Retry-After) and guesses from each address in turn:
    how many passwords the server checked in ``minutes`` of (simulated) time."""
    clients = [client_at(app, a) for a in addresses]
    ready = [clock.now()] * len(clients)
    end = clock.now() + timedelta(minutes=minutes)
    checked = 0
    while True:
        i = min(range(len(clients)), key=lambda k: ready[k])
        if ready[i] >= end:
            return checked
        if ready[i] > clock.now():
            clock.advance(ready[i] - clock.now())
        r = post_login(clients[i], username, f"guess-{checked}-Qz")
        if r.status_code == 429:
            ready[i] = clock.now() + timedelta(seconds=int(r.headers["Retry-After"]))
        else:
            assert r.status_code == 401
            checked += 1


def test_guessing_from_one_address_is_slowed(app, city, clock):
    clock.freeze(clock.now())
    victim = fresh_user(city)
    first_minute = _checked_guesses(app, victim, ["203.0.113.150"], clock, 1)
    next_hour = _checked_guesses(app, victim, ["203.0.113.150"], clock, 60)
    # 5 free, then 2 s, 4 s, 8 s … up to 15 minutes between guesses.
    assert first_minute <= 10 and next_hour <= 10


def test_guessing_from_many_addresses_is_slowed_too(app, city, clock):
    clock.freeze(clock.now())
    victim = fresh_user(city)
    bots = [f"203.0.113.{n}" for n in range(160, 200)]  # 40 addresses
    hour = _checked_guesses(app, victim, bots, clock, 60)
    # Each fresh address costs the account one guess until the budget of fresh addresses is spent,
    # then only the account's own doubling slot is left: ~5 + 20 + a few per hour, not 40 × 5.
    assert hour <= 5 + throttle.BYPASS_BUDGET + 10


def test_spraying_one_password_over_many_accounts_is_slowed_per_address(app, city, clock):
    clock.freeze(clock.now())
    sprayer = client_at(app, "203.0.113.240")
    answers = [post_login(sprayer, f"nobody{i}", "Password2026!").status_code for i in range(40)]
    assert answers.count(401) == city.db.settings.login_max_failures_per_ip
    assert answers[-1] == 429


def test_a_run_is_forgotten_an_hour_after_its_last_failure(app, city, clock):
    clock.freeze(clock.now())
    user = fresh_user(city)
    c = client_at(app, "203.0.113.250")
    for i in range(8):
        post_login(c, user, f"wrong-{i}-Xy")
    assert post_login(c, user, PASSWORD).status_code == 429
    clock.advance(throttle.FORGET + timedelta(minutes=1))
    assert post_login(c, user, PASSWORD).status_code == 303


def test_wait_doubles_and_is_capped():
    rule = throttle.Rule(free=5, first_s=2, cap_s=900)
    assert [rule.wait(n).total_seconds() for n in (4, 5, 6, 7)] == [0, 2, 4, 8]
    assert rule.wait(50).total_seconds() == 900


def test_known_browser_cookie_cannot_be_forged():
    value = throttle.remember_browser("secret-a", None, 7)
    assert throttle.known_browsers("secret-a", value).keys() == {7}
    assert throttle.known_browsers("secret-b", value) == {}
    _uid, nonce, expires, sig = value.split(".")
    assert throttle.known_browsers("secret-a", f"8.{nonce}.{expires}.{sig}") == {}
    more = throttle.remember_browser("secret-a", value, 9)
    assert throttle.known_browsers("secret-a", more).keys() == {7, 9}
