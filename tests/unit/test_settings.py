"""Configuration from the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_defaults_mean_embedded_servers(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KICKOFF_HOME", str(tmp_path / "state"))
    s = Settings()
    assert s.database_url is None and s.redis_url is None
    assert s.home == (tmp_path / "state").resolve() and s.home.is_dir()
    assert not s.secure_cookies


def test_urls_from_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/kickoff")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("BASE_URL", "https://kickoff.example/")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    s = Settings()
    assert s.database_url == "postgresql://u:p@db:5432/kickoff"
    assert s.redis_url == "redis://cache:6379/0"
    assert s.base_url == "https://kickoff.example" and s.secure_cookies
    assert s.log_level == "DEBUG"


def test_bad_log_level_is_refused(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "loud")
    with pytest.raises(ValidationError):
        Settings()


def test_generated_secret_is_kept_in_the_state_directory(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("KICKOFF_HOME", str(tmp_path))
    first = Settings().secret
    assert len(first) >= 32
    assert Settings().secret == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    monkeypatch.setenv("SECRET_KEY", "explicit")
    assert Settings().secret == b"explicit"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8100"),
        ("0.0.0.0", "http://127.0.0.1:8100"),
        ("::", "http://[::1]:8100"),
        ("::1", "http://[::1]:8100"),
        ("localhost", "http://localhost:8100"),
    ],
)
def test_links_follow_the_address_served_unless_base_url_is_set(monkeypatch, host, expected):
    monkeypatch.delenv("BASE_URL", raising=False)
    assert Settings().serving_at(host, 8100).base_url == expected
    monkeypatch.setenv("BASE_URL", "https://kickoff.example/")
    assert Settings().serving_at(host, 8100).base_url == "https://kickoff.example"
