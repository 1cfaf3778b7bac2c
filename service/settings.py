"""Configuration: one pydantic-settings class read from the environment."""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
from functools import cached_property
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything Kickoff can be configured with; unset URLs mean embedded servers."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    smtp_url: str = Field(default="smtp://127.0.0.1:8025", alias="SMTP_URL")
    outbox_resend_after: float = Field(default=30.0, alias="OUTBOX_RESEND_AFTER", gt=0)
    mail_from: str = Field(default="Kickoff <introductions@kickoff.localhost>", alias="MAIL_FROM")
    secret_key: str | None = Field(default=None, alias="SECRET_KEY")
    kickoff_home: Path = Field(default=Path(".kickoff"), alias="KICKOFF_HOME")
    base_url: str = Field(default="http://127.0.0.1:8000", alias="BASE_URL")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    # argon2id cost; the defaults follow RFC 9106's second recommended option (64 MiB, t=3).
    password_memory_kib: int = Field(default=65536, alias="PASSWORD_MEMORY_KIB", ge=8)
    password_time_cost: int = Field(default=3, alias="PASSWORD_TIME_COST", ge=1)
    session_days: int = Field(default=30, alias="SESSION_DAYS", ge=1, le=365)
    db_pool_max: int = Field(default=10, alias="DB_POOL_MAX", ge=1)
    arq_queue_name: str = Field(default="kickoff:queue", alias="ARQ_QUEUE_NAME")
    demo_mode: bool = Field(default=False, alias="KICKOFF_DEMO")
    #: Days after an invitation email was delivered before its one reminder (links work 30).
    invitation_reminder_days: int = Field(default=7, alias="INVITATION_REMINDER_DAYS", ge=1, le=29)

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return value

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @property
    def home(self) -> Path:
        """The state directory as an absolute path (created on demand)."""
        path = self.kickoff_home.expanduser().resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path

    def serving_at(self, host: str, port: int) -> Settings:
        """These settings for a server listening on ``host:port``: unless BASE_URL was set,
        links (in emails) point there, at loopback when it listens on every address."""
        if "base_url" in self.model_fields_set:
            return self
        return self.model_copy(update={"base_url": local_url(host, port)})

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry Secure only when the site is served over https."""
        return self.base_url.startswith("https://")

    @cached_property
    def secret(self) -> bytes:
        """The signing key: SECRET_KEY, or one generated once and kept in the state directory."""
        if self.secret_key:
            return self.secret_key.encode()
        path = self.home / "secret_key"
        if not path.exists():
            # O_EXCL so two processes starting together cannot write different keys.
            try:
                with path.open("x") as fh:
                    fh.write(secrets.token_urlsafe(48))
                path.chmod(0o600)
            except FileExistsError:
                pass
        return path.read_text().strip().encode()


def local_url(host: str, port: int) -> str:
    """The http:// URL of a server listening on ``host:port`` (loopback for every address)."""
    shown = host or "127.0.0.1"
    with contextlib.suppress(ValueError):
        address = ipaddress.ip_address(shown)
        if address.is_unspecified:
            shown = "127.0.0.1" if address.version == 4 else "::1"
        if address.version == 6:
            shown = f"[{shown}]"
    return f"http://{shown}:{port}"
