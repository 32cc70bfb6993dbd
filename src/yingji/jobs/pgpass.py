"""Fixed SQL text for PostgreSQL's busiest queue statements. A worker's pass as one statement: mark
done the jobs it ran that wrote nothing, and claim the next ones (``queue.finish_and_claim``); and
``enqueue``'s insert of one job and ``enqueue_many``'s of a batch through ``unnest``.

The same rows and guards as ``queue.finish_many`` and ``queue.claim_many(ahead=True)`` (done only under our
lease; claims from ``ix_jobs_queued`` in claim order, ``FOR UPDATE SKIP LOCKED``, each leased for its
kind), written once as SQL text with array parameters: building and keying the SQLAlchemy
constructs again on every pass cost a worker more CPU than the statement cost the server.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache

from sqlalchemy import TextClause, text

from yingji.core.types import UTCDateTime
from yingji.jobs.wakeup import CHANNEL

_NO_FLUSH_WAIT = "set_config('synchronous_commit', 'off', true)"  # see queue._no_flush_wait
_PASS = f"""
WITH finished AS (
    UPDATE jobs SET state = 'done', finished_at = :now, updated_at = :now, lease_token = NULL,
                    last_error = NULL
    WHERE state = 'running'
      AND (id, lease_token) IN (SELECT * FROM unnest(CAST(:done_ids AS bigint[]),
                                                     CAST(:done_tokens AS text[])))
    RETURNING id, {_NO_FLUSH_WAIT} AS no_flush_wait
), claim_due AS MATERIALIZED (
    SELECT id FROM jobs
    WHERE state = 'queued' AND due_at <= :now {{kinds}}
    ORDER BY priority DESC, due_at, id
    LIMIT :limit
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE jobs SET state = 'running', lease_token = :token,
                    lease_owner = CASE WHEN attempts + 1 >= max_attempts THEN NULL ELSE :worker END,
                    lease_expires_at = :now + make_interval(secs => coalesce(
                        (SELECT l.s FROM unnest(CAST(:lease_kinds AS text[]),
                                                CAST(:lease_s AS float8[])) AS l(k, s)
                         WHERE l.k = jobs.kind), :cap)),
                    attempts = attempts + 1, updated_at = :now
    WHERE id IN (SELECT id FROM claim_due) AND state = 'queued'
    RETURNING id, kind, payload, attempts, max_attempts, priority, due_at,
              {_NO_FLUSH_WAIT} AS no_flush_wait
)
SELECT id, kind, payload, attempts, max_attempts, priority, due_at, no_flush_wait FROM claimed
UNION ALL
SELECT id, NULL, NULL, NULL, NULL, NULL, NULL, no_flush_wait FROM finished
"""


@lru_cache(maxsize=8)
def statement(with_kinds: bool) -> TextClause:
    return text(_PASS.replace("{kinds}", "AND kind = ANY(CAST(:kinds AS text[]))" if with_kinds else ""))


def params(
    done: list, worker: str, limit: int, kinds, cap: float, now: datetime, token: str, shorter: dict
) -> dict:
    """``shorter``: the kinds whose lease is shorter than ``cap``, with their lease in seconds."""
    params = {
        "now": UTCDateTime().process_bind_param(now, None),
        "done_ids": [j.id for j in done],
        "done_tokens": [j.lease_token for j in done],
        "limit": limit,
        "worker": worker,
        "token": token,
        "lease_kinds": list(shorter),
        "lease_s": [float(s) for s in shorter.values()],
        "cap": float(cap),
    }
    if kinds:
        params["kinds"] = list(kinds)
    return params


_UNNEST = """
    INSERT INTO jobs (kind, payload, state, priority, due_at, attempts, max_attempts, dedupe_key,
                      created_at, updated_at)
    SELECT :kind, u.payload::jsonb, 'queued', :priority, :due_at, 0, :max_attempts, u.dedupe_key,
           :now, :now
    FROM unnest(CAST(:payloads AS text[]), CAST(:keys AS text[])) WITH ORDINALITY
         AS u(payload, dedupe_key, n)
    ORDER BY u.n
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
"""
_UNNEST_PLAIN = text(_UNNEST)
# Due now: the same insert, and one NOTIFY (PostgreSQL folds the repeats of a transaction).
_UNNEST_NOTIFY = text(f"WITH ins AS ({_UNNEST}) SELECT id, pg_notify('{CHANNEL}', '') FROM ins")


def insert_many(session, kind, payloads, keys, when, now, priority, attempts_max, due_now) -> list[int]:
    """PostgreSQL: two arrays and a few scalars, whatever the number of rows; no per-row SQL."""
    to_db = UTCDateTime().process_bind_param
    params = {
        "kind": kind,
        "priority": priority,
        "due_at": to_db(when, None),
        "max_attempts": attempts_max,
        "now": to_db(now, None),
        "payloads": [json.dumps(p or {}, ensure_ascii=False) for p in payloads],
        "keys": keys,
    }
    stmt = _UNNEST_NOTIFY if due_now else _UNNEST_PLAIN
    return list(session.execute(stmt, params).scalars())


_ONE = """
    INSERT INTO jobs (kind, payload, state, priority, due_at, attempts, max_attempts, dedupe_key,
                      created_at, updated_at)
    VALUES (%(kind)s, %(payload)s::jsonb, 'queued', %(priority)s, %(due_at)s, 0, %(max_attempts)s,
            %(dedupe_key)s, %(created_at)s, %(updated_at)s)
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id
"""
# Due now: the NOTIFY rides on the insert (no extra round trip), sent at commit, none if no row.
_ONE_NOTIFY = f"WITH ins AS ({_ONE}) SELECT id, pg_notify('{CHANNEL}', '') FROM ins"


def insert_one(session, values: dict, due_now: bool) -> int | None:
    """One job's row (``values`` as for the ORM), in the session's transaction; its id, or None
    when its dedupe key was taken."""
    to_db = UTCDateTime().process_bind_param
    params = dict(values, payload=json.dumps(values["payload"], ensure_ascii=False))
    for column in ("due_at", "created_at", "updated_at"):
        params[column] = to_db(values[column], None)
    stmt = _ONE_NOTIFY if due_now else _ONE
    return session.connection().exec_driver_sql(stmt, params).scalar()
