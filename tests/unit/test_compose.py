"""docker-compose.yml and the Dockerfile run real ``kickoff`` commands with the right wiring."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from kickoff.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent.parent
APP_ENV = ("DATABASE_URL", "REDIS_URL", "SMTP_URL", "SECRET_KEY")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def sub_commands() -> set[str]:
    """The sub-commands ``kickoff`` really has, read from its parser."""
    parser = build_parser()
    found: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    assert found, "kickoff has no sub-commands?"
    return found


def as_argv(command: str | list[str]) -> list[str]:
    """A compose ``command`` (string or list) as argv."""
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def assert_kickoff_command(argv: list[str]) -> argparse.Namespace:
    assert argv[0] == "kickoff", argv
    assert len(argv) >= 2, argv
    assert argv[1] in sub_commands(), f"{argv[1]!r} is not a kickoff sub-command"
    return build_parser().parse_args(argv[1:])


def test_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert {"postgres", "redis", "mailpit", "migrate", "web", "worker"} <= set(services)


def test_built_services_run_real_kickoff_commands(services: dict[str, dict[str, Any]]) -> None:
    built = {name: svc for name, svc in services.items() if "build" in svc}
    assert {"migrate", "web", "worker"} <= set(built)
    for name, svc in built.items():
        assert "command" in svc, f"{name} has no command"
        args = assert_kickoff_command(as_argv(svc["command"]))
        assert callable(args.func), name


def test_web_listens_on_all_interfaces_and_publishes_its_port(
    services: dict[str, dict[str, Any]],
) -> None:
    args = build_parser().parse_args(as_argv(services["web"]["command"])[1:])
    assert args.command == "serve"
    assert args.host == "0.0.0.0"
    assert f"{args.port}:{args.port}" in [str(p) for p in services["web"]["ports"]]
    assert args.forwarded_allow_ips == "*"


def test_every_service_but_migrate_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        if name == "migrate":
            continue
        check = svc.get("healthcheck")
        assert check and check.get("test"), f"{name} has no healthcheck"
        assert not check.get("disable"), name


def test_migrate_runs_once(services: dict[str, dict[str, Any]]) -> None:
    # Quoted in YAML: a bare `no` would load as the boolean False.
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def _major(image: str) -> int:
    _, _, tag = image.partition(":")
    assert tag, f"{image} is not pinned to a version"
    return int(tag.split(".")[0].split("-")[0])


def test_backing_service_versions(services: dict[str, dict[str, Any]]) -> None:
    assert services["postgres"]["image"].startswith("postgres:")
    assert _major(services["postgres"]["image"]) == 16
    assert services["redis"]["image"].startswith("redis:")
    assert _major(services["redis"]["image"]) == 7
    assert "appendonly yes" in " ".join(as_argv(services["redis"]["command"]))


@pytest.mark.parametrize("name", ["migrate", "web", "worker"])
def test_app_services_get_their_configuration(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    env = services[name]["environment"]
    assert isinstance(env, dict)
    for key in APP_ENV if name != "migrate" else ("DATABASE_URL",):
        assert env.get(key), f"{name} lacks {key}"
    assert env["DATABASE_URL"].startswith("postgresql://")
    assert "@postgres:5432/" in env["DATABASE_URL"]
    if name != "migrate":
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert env["SMTP_URL"].startswith("smtp://mailpit:")
        # Compose refuses to start without a secret instead of running with an empty one.
        assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")


def test_web_and_worker_share_env_and_wait_for_migrations(
    services: dict[str, dict[str, Any]],
) -> None:
    assert services["web"]["environment"] == services["worker"]["environment"]
    for name in ("web", "worker"):
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["redis"]["condition"] == "service_healthy"
        assert deps["migrate"]["condition"] == "service_completed_successfully"


def test_postgres_credentials_match_the_app_url(services: dict[str, dict[str, Any]]) -> None:
    pg = services["postgres"]["environment"]
    url = services["web"]["environment"]["DATABASE_URL"]
    expected = f"postgresql://{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@postgres:5432/"
    assert url == expected + pg["POSTGRES_DB"]


def _dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    # Join continuation lines so each instruction is one line.
    return [ln.strip() for ln in text.replace("\\\n", " ").splitlines() if ln.strip()]


def test_dockerfile_cmd_is_a_kickoff_command() -> None:
    cmds = [ln for ln in _dockerfile() if ln.startswith("CMD ")]
    assert len(cmds) == 1
    argv = json.loads(cmds[0].removeprefix("CMD "))  # exec form, so signals reach kickoff
    args = assert_kickoff_command(argv)
    assert args.command == "serve"
    assert args.host == "0.0.0.0"
    assert args.port == 8000


def test_dockerfile_basics() -> None:
    lines = _dockerfile()
    assert "FROM python:3.11-slim" in lines
    users = [ln.split()[1] for ln in lines if ln.startswith("USER ")]
    assert users, "the image must not run as root"
    assert users[-1] not in {"root", "0"}
    assert "EXPOSE 8000" in lines
    assert any(ln.startswith("HEALTHCHECK") and "/healthz" in ln for ln in lines)
    assert any("pip install --no-cache-dir -e ." in ln for ln in lines)


def test_dockerignore_keeps_local_state_out_of_the_image() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    for entry in (".venv", ".git"):
        assert entry in ignored
    assert any(e.startswith(".kickoff") for e in ignored)
