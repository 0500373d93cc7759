"""Tests for the ``d2lad`` command line (d2lad/cli.py and d2lad/__main__.py)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from d2lad.cli import COMMANDS, main

SUBCOMMANDS = ("lab", "release", "grade")
NOT_YET = [name for name in SUBCOMMANDS if name not in COMMANDS]


def test_version_prints_installed_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"d2lad {version('d2lad')}"


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


@pytest.mark.parametrize("name", NOT_YET)
def test_subcommand_not_available_yet(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([name]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "not available yet in this version: arrives with" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "lab" in capsys.readouterr().err


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_python_dash_m_d2lad() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "d2lad", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"d2lad {version('d2lad')}"

    result = subprocess.run(
        [sys.executable, "-m", "d2lad", "lab"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "not available yet" in result.stderr


def test_console_script() -> None:
    script = Path(sys.executable).parent / "d2lad"
    if not script.exists():
        pytest.skip("the d2lad console script is not installed next to this Python")
    result = subprocess.run(
        [str(script), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    for name in SUBCOMMANDS:
        assert name in result.stdout
