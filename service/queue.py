"""arq connection settings and the JSON job serializer (never pickle)."""

from __future__ import annotations

import json
from typing import Any

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
