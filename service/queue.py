"""arq connection settings and the JSON job serializer (never pickle)."""

from __future__ import annotations

import json
from typing import Any

from arq import ArqRedis, create_pool
from arq.connections import RedisSettings


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
