"""Events written by another process (a second `yingji serve`, the `yingji worker`) reach this
process's subscribers: through LISTEN/NOTIFY on PostgreSQL, through the poll of the log on SQLite."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor

from yingji.events import hub as hub_module
from yingji.events.hub import hub_for

PUBLISHER = textwrap.dedent(
    """
    import sys
    from yingji.config import Settings
    from yingji.core.db import Actor, open_database
    from yingji.events import publish

    url, code, n = sys.argv[1:4]
    db = open_database(Settings(database_url=url, secret_key="x", var_dir=__import__("pathlib").Path(".")))
    with db.writing(Actor.system("other-process")) as session:
        publish(session, "report.new", code, {"n": n})
    db.dispose()
    """
)


def run(coro) -> None:
    """``asyncio.run`` on a thread of its own: the browser tests leave an event loop on this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def _publish_elsewhere(url: str, code: str, n: str) -> None:
    subprocess.run([sys.executable, "-c", PUBLISHER, url, code, n], check=True, timeout=60)


def test_an_event_of_another_process_arrives(city, monkeypatch):
    postgres = city.db.kind == "postgresql"
    if postgres:
        # No poll to fall back on: only the NOTIFY can bring the event within the test's wait.
        monkeypatch.setattr(hub_module, "POLL_S", 3600.0)

    async def scenario():
        hub = hub_for(city.db)
        county = await hub.subscribe(city.county_a)
        other = await hub.subscribe(city.county_b)
        # Published before or after the LISTEN is up, the event comes: the listener reads the log
        # once it has connected.
        url = city.db.settings.database_url
        await asyncio.to_thread(_publish_elsewhere, url, city.town_a, "from another process")
        ev = await asyncio.wait_for(county.queue.get(), 30)
        assert ev.payload == {"n": "from another process"} and ev.jurisdiction_code == city.town_a
        assert other.queue.empty()
        hub.close()

    run(scenario())
