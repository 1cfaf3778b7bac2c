"""The application's shared services, typed, behind one accessor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from arq import ArqRedis
from starlette.requests import HTTPConnection
from starlette.templating import Jinja2Templates

from service.security import Passwords
from service.settings import Settings
from service.taxonomy.normalise import Taxonomy


@dataclass(frozen=True)
class Config:
    """What ``create_app`` builds before any server is reachable."""

    settings: Settings
    passwords: Passwords
    templates: Jinja2Templates
    openapi: dict[str, Any]


@dataclass
class Services:
    """Config plus what the lifespan opens: the database and Redis pools, the taxonomy."""

    config: Config
    pool: asyncpg.Pool
    arq: ArqRedis
    taxonomy: Taxonomy

    @property
    def settings(self) -> Settings:
        """The process's settings."""
        return self.config.settings

    @property
    def passwords(self) -> Passwords:
        """The argon2id hasher."""
        return self.config.passwords

    @property
    def templates(self) -> Jinja2Templates:
        """The HTML templates."""
        return self.config.templates


def config(conn: HTTPConnection) -> Config:
    """The app's config (available before the lifespan has run)."""
    found = conn.app.state.config
    assert isinstance(found, Config)
    return found


def services(conn: HTTPConnection) -> Services:
    """The app's services, opened by its lifespan."""
    found = conn.app.state.services
    assert isinstance(found, Services)
    return found
