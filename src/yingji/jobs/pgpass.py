"""A worker's pass on PostgreSQL as one fixed statement: mark done the jobs it ran that wrote
nothing, and claim the next ones (``queue.finish_and_claim``).

The same rows and guards as ``queue.finish_many`` and ``queue.claim_many`` (done only under our
lease; claims from ``ix_jobs_queued`` in claim order, ``FOR UPDATE SKIP LOCKED``, each leased for its
kind), written once as SQL text with array parameters: building and keying the SQLAlchemy
constructs again on every pass cost a worker more CPU than the statement cost the server.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import TextClause, text

from yingji.core.types import UTCDateTime

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
    UPDATE jobs SET state = 'running', lease_owner = :worker, lease_token = :token,
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
