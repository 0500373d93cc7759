"""The package as users get it: build the sdist and the wheel, install the wheel into a fresh
venv, and use it there, away from this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
EXERCISES = sorted(path.name for path in (ROOT / "exercises").glob("*.ipynb"))

pytestmark = pytest.mark.slow


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None,
        expect: int = 0) -> subprocess.CompletedProcess[str]:
    """Run ``command``; fail with its output when the exit status is not ``expect``."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == expect, (
        f"{' '.join(command)} exited {result.returncode}, expected {expect}\n"
        f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``python -m build`` on a copy of the repository's tracked files: the sdist, then the
    wheel built from that sdist (so the sdist must carry everything the wheel needs)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git and a git checkout, to copy only the tracked files")
    work = tmp_path_factory.mktemp("build")
    source = work / "source"
    tracked = run(["git", "ls-files", "-z"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    out = work / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(out), str(source)], cwd=work)
    return out


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {found}"
    return found[0]


def test_the_wheel_ships_lessons_and_exercises_not_solutions(dist: Path) -> None:
    names = zipfile.ZipFile(only(dist, "*.whl")).namelist()
    assert sorted(n.rsplit("/", 1)[1] for n in names
                  if n.startswith("d2lad/_course/notebooks/")) == LESSONS
    assert sorted(n.rsplit("/", 1)[1] for n in names
                  if n.startswith("d2lad/_course/exercises/")) == EXERCISES
    assert "d2lad/engine/primitives.py" in names
    assert not [n for n in names if "solution" in n.lower()]
    with zipfile.ZipFile(only(dist, "*.whl")) as wheel:
        for name in names:
            if name.endswith(".ipynb"):
                assert b"### BEGIN SOLUTION" not in wheel.read(name), name


def test_the_sdist_has_the_course_sources_but_no_solutions(dist: Path) -> None:
    with tarfile.open(only(dist, "*.tar.gz")) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    for lesson in LESSONS:
        assert f"notebooks/{lesson}" in names
    for exercise in EXERCISES:
        assert f"exercises/{exercise}" in names
    assert "setup.py" in names and "pyproject.toml" in names
    assert not [name for name in names if name.startswith("solutions")]


@pytest.fixture(scope="module")
def fresh_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with nothing but the wheel (and numpy, its one dependency) installed."""
    home = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(home / "venv")
    python = home / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    run([str(python), "-m", "pip", "install", "--quiet", str(only(dist, "*.whl"))], cwd=home)
    return python


def test_installed_wheel_works_outside_the_repository(fresh_venv: Path, tmp_path: Path) -> None:
    d2lad = fresh_venv.parent / "d2lad"
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

    assert run([str(d2lad), "--version"], cwd=tmp_path, env=env).stdout.strip() == "d2lad 0.1.0"
    help_text = run([str(d2lad), "lab", "--help"], cwd=tmp_path, env=env).stdout
    assert help_text.startswith("usage: d2lad lab") and "--copy-only" in help_text

    program = (
        "import d2lad, pathlib\n"
        "x = d2lad.arange(4.0, requires_grad=True)\n"
        "(2 * d2lad.dot(x, x)).backward()\n"
        "print(x.grad.tolist())\n"
        "print(pathlib.Path(d2lad.__file__).parent)\n"
    )
    printed = run([str(fresh_venv), "-c", program], cwd=tmp_path, env=env).stdout
    grad, location = printed.splitlines()
    assert grad == "[0.0, 4.0, 8.0, 12.0]"
    assert Path(location).is_relative_to(fresh_venv.parent.parent), location

    copied = run([str(d2lad), "lab", "course", "--copy-only"], cwd=tmp_path, env=env).stdout
    assert f"{len(LESSONS) + len(EXERCISES)} copied" in copied
    for lesson in LESSONS:
        assert (tmp_path / "course" / "notebooks" / lesson).read_bytes() == \
            (ROOT / "notebooks" / lesson).read_bytes()
    assert not (tmp_path / "course" / "solutions").exists()

    # the wheel alone has no JupyterLab: the command says what to install, and fails cleanly
    failed = run([str(d2lad), "lab", "course"], cwd=tmp_path, env=env, expect=1)
    assert "pip install 'd2lad[notebooks]'" in failed.stderr
    assert "Traceback" not in failed.stderr
