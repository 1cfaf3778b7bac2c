"""arq connection settings and the JSON job serializer (never pickle)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms


def job_id(queue_name: str, *parts: object) -> str:
    """A job id of the deployment whose queue is ``queue_name``: that name, then ``parts``.

    arq keys a job by its id alone (``arq:job:<id>``, ``arq:result:<id>``,
    ``arq:in-progress:<id>``), whatever its queue, so two deployments sharing a Redis database
    would refuse or skip each other's jobs of the same id; prefixed, each has its own.
    """
    return ":".join([queue_name, *map(str, parts)])


def serialize(obj: Any) -> bytes:
    """arq job serializer: JSON, so a job carries ids and plain values only."""
    return json.dumps(obj, separators=(",", ":"), default=str).encode()


def deserialize(data: bytes) -> Any:
    """arq job deserializer."""
    return json.loads(data)


def redis_settings(url: str) -> RedisSettings:
    """RedisSettings for redis://, rediss:// or unix:// URLs."""
    settings = RedisSettings.from_dsn(url)
    settings.conn_timeout = 5
    return settings


async def connect(redis_url: str, queue_name: str) -> ArqRedis:
    """An arq pool enqueueing to ``queue_name`` with the JSON serializer."""
    return await create_pool(
        redis_settings(redis_url),
        job_serializer=serialize,
        job_deserializer=deserialize,
        default_queue_name=queue_name,
    )


#: Jobs per script call: Redis serves nobody else while a script runs, so each stays short.
ENQUEUE_CHUNK = 1000
#: arq's enqueue_job for a batch, atomic per call. KEYS: the queue, then each job's key and
#: result key; ARGV: the jobs' expiry (ms) and score, then each job's id and payload. A job
#: whose key or kept result exists is skipped, as enqueue_job refuses it. Returns how many
#: were enqueued.
_ENQUEUE_MANY = """
local n = 0
for i = 1, (#KEYS - 1) / 2 do
  if redis.call('EXISTS', KEYS[2 * i], KEYS[2 * i + 1]) == 0 then
    redis.call('PSETEX', KEYS[2 * i], ARGV[1], ARGV[2 * i + 2])
    redis.call('ZADD', KEYS[1], ARGV[2], ARGV[2 * i + 1])
    n = n + 1
  end
end
return n
"""


async def enqueue_many(
    redis: ArqRedis, function: str, jobs: Sequence[tuple[str, Sequence[Any]]]
) -> int:
    """Enqueue ``function(*args)`` for each ``(job id, args)`` in one round trip; how many new.

    The same jobs arq's ``enqueue_job`` makes (JSON payload, key expiry, queued now on the
    pool's default queue, a repeated id refused), written by scripts sent in one pipeline
    instead of a WATCH/MULTI exchange per job.
    """
    if not jobs:
        return 0
    now = timestamp_ms()
    async with redis.pipeline(transaction=False) as pipe:
        for start in range(0, len(jobs), ENQUEUE_CHUNK):
            keys: list[str] = [redis.default_queue_name]
            argv: list[Any] = [redis.expires_extra_ms, now]
            for job_id, args in jobs[start : start + ENQUEUE_CHUNK]:
                keys += [job_key_prefix + job_id, result_key_prefix + job_id]
                argv += [
                    job_id,
                    serialize_job(function, tuple(args), {}, None, now, serializer=serialize),
                ]
            pipe.eval(_ENQUEUE_MANY, len(keys), *keys, *argv)
        counts = await pipe.execute()
    return sum(int(c) for c in counts)
