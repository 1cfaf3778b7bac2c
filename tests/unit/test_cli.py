"""The ``kickoff`` command line: help for every sub-command, errors for unknown ones."""

from __future__ import annotations

import pytest

from kickoff.cli import main

COMMANDS = ["demo", "serve", "worker", "migrate", "seed", "admin"]


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    code = exited.value.code
    return 0 if code is None else int(code)


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kickoff")
    for command in COMMANDS:
        assert command in out


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: kickoff {command}")


def test_serve_help_mentions_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--host", "--port", "--forwarded-allow-ips"):
        assert option in out


def test_admin_create_help_mentions_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["admin", "create", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: kickoff admin create")
    for option in ("--email", "--name", "--password-stdin"):
        assert option in out


def test_admin_needs_an_action_and_an_email(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["admin"]) == 2
    assert "usage: kickoff admin" in capsys.readouterr().err
    assert _exit_code(["admin", "create"]) == 2
    assert "--email" in capsys.readouterr().err


def test_unknown_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert "usage: kickoff" in err
    assert "frobnicate" in err


def test_missing_command_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code([]) == 2
    assert "usage: kickoff" in capsys.readouterr().err


def test_bad_option_value_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert _exit_code(["serve", "--port", "eighty"]) == 2
    assert "--port" in capsys.readouterr().err
