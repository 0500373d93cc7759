"""``d2lad lab``: copy the course into a working folder and open it in JupyterLab.

The lessons (``notebooks/``) and the exercises (``exercises/``) ship inside the d2lad package;
the solutions never do. ``d2lad lab DIR`` copies them into ``DIR`` with the same layout, so
the links between lessons and exercises keep working, then starts JupyterLab there.

Copying never overwrites a learner's work. A notebook's work is its cells' sources: running
it, which changes outputs and metadata (JupyterLab also saves the kernel's language details),
is not an edit. ``DIR/.d2lad-course.json`` records the digest of every notebook's sources as
copied; on the next run a notebook is

- copied when it is missing,
- updated when its sources are still those copied but the course has changed since,
- kept, and listed, when the learner has changed its sources.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     first = copy_course(Path(tmp))
...     again = copy_course(Path(tmp))
>>> len(first.copied) > 0, again.copied, again.kept
(True, [], [])
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

#: The folders a learner gets, as they are named in the repository and in the working folder.
COURSE_FOLDERS = ("notebooks", "exercises")
#: Where the package build puts them inside d2lad (see setup.py).
PACKAGED = "_course"
#: The notebook JupyterLab opens first.
START = "notebooks/00_index.ipynb"
#: The record of what was copied, inside the working folder.
MANIFEST = ".d2lad-course.json"


class LabError(RuntimeError):
    """``d2lad lab`` cannot go on; the message says what to do."""


@dataclass
class CopyReport:
    """What :func:`copy_course` did, as paths relative to the working folder."""

    folder: Path
    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """A few lines for the terminal: what was copied, and every file left as it was."""
        counts = [f"{len(names)} {what}" for names, what in (
            (self.copied, "copied"), (self.updated, "updated"),
            (self.unchanged, "already up to date"), (self.kept, "kept as you edited them"),
        ) if names]
        lines = [f"d2lad lab: course files in {self.folder}: " + ", ".join(counts) + "."]
        for name in self.kept:
            lines.append(f"  kept your edited {name} (the course's version differs; to get it, "
                         "rename or delete your file and run d2lad lab again)")
        return "\n".join(lines)


def course_source() -> Traversable:
    """The folder holding ``notebooks/`` and ``exercises/``: inside the installed package, or
    the repository when d2lad is used from a source checkout (``pip install -e .``)."""
    packaged = files("d2lad") / PACKAGED
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and all(
        (checkout / folder).is_dir() for folder in COURSE_FOLDERS
    ):
        return checkout
    raise LabError(
        "this installation of d2lad has no course notebooks in it (d2lad/_course is missing). "
        "Reinstall it from a wheel or from the repository: python -m pip install 'd2lad[notebooks]'"
    )


def course_files(source: Traversable) -> dict[str, bytes]:
    """Every lesson and exercise notebook under ``source``, by relative path, with its bytes."""
    found = {}
    for folder in COURSE_FOLDERS:
        for item in (source / folder).iterdir():
            if item.name.endswith(".ipynb") and item.is_file():
                found[f"{folder}/{item.name}"] = item.read_bytes()
    return dict(sorted(found.items()))


def work_digest(data: bytes) -> str:
    """Digest of what a learner writes in a notebook: the type and source of every cell.

    >>> cell = {"cell_type": "code", "source": ["x = 1"], "outputs": [], "metadata": {}}
    >>> ran = dict(cell, outputs=[{"output_type": "stream", "text": "1"}], execution_count=1)
    >>> as_bytes = lambda c: json.dumps({"cells": [c], "metadata": {}}).encode()
    >>> work_digest(as_bytes(cell)) == work_digest(as_bytes(ran))
    True
    """
    try:
        cells = json.loads(data)["cells"]
        work = [[cell["cell_type"], "".join(cell["source"])] for cell in cells]
    except (ValueError, KeyError, TypeError):  # not a notebook: every byte counts
        return hashlib.sha256(data).hexdigest()
    return hashlib.sha256(json.dumps(work).encode()).hexdigest()


def _read_manifest(folder: Path) -> dict[str, str]:
    path = folder / MANIFEST
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise LabError(f"cannot read {path} ({exc}); delete that file and run d2lad lab again: "
                       "your notebooks are kept, since every file that differs from the course "
                       "counts as edited") from exc
    return {str(k): str(v) for k, v in recorded.get("files", {}).items()}


def copy_course(folder: Path, source: Traversable | None = None) -> CopyReport:
    """Copy the lessons and exercises into ``folder`` without overwriting any edited file."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise LabError(f"{folder} is a file; give d2lad lab a folder to work in")
    shipped = course_files(course_source() if source is None else source)
    recorded = _read_manifest(folder)
    report = CopyReport(folder.resolve())
    for name, data in shipped.items():
        target = folder / name
        new = work_digest(data)
        if not target.exists():
            bucket = report.copied
        else:
            current = work_digest(target.read_bytes())
            if current == new:
                report.unchanged.append(name)
                recorded[name] = new
                continue
            if recorded.get(name) != current:
                report.kept.append(name)
                continue
            bucket = report.updated
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        recorded[name] = new
        bucket.append(name)
    manifest = {"about": "written by d2lad lab: the digest of each notebook's sources as copied",
                "files": dict(sorted(recorded.items()))}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return report


def jupyter_command(folder: Path, port: int | None = None, open_browser: bool = True) -> list[str]:
    """The command that starts JupyterLab on ``folder``, opened at the course's index.

    >>> jupyter_command(Path("/tmp/course"), port=8890, open_browser=False)[1:4]
    ['-m', 'jupyterlab', '--ServerApp.root_dir=/tmp/course']
    """
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}",
               f"--LabApp.default_url=/lab/tree/{START}"]
    if port is not None:
        command.append(f"--port={port}")
    if not open_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # JupyterLab refuses root (containers) unless told
    return command


def start_lab(folder: Path, port: int | None = None, open_browser: bool = True) -> int:
    """Start JupyterLab on ``folder``; on POSIX the process becomes JupyterLab."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise LabError(
            f"JupyterLab is not installed in this Python ({sys.executable}). Install the "
            "course's notebook tools with: python -m pip install 'd2lad[notebooks]' "
            "(or run d2lad lab --copy-only and open the folder with your own Jupyter)"
        )
    command = jupyter_command(folder.resolve(), port, open_browser)
    print("d2lad lab: starting JupyterLab; stop it with Ctrl-C.", flush=True)
    if os.name == "posix":
        os.execv(command[0], command)
    return subprocess.call(command)


def main(folder: str, port: int | None = None, open_browser: bool = True,
         copy_only: bool = False) -> int:
    """``d2lad lab``: copy the course into ``folder``, report, then start JupyterLab."""
    try:
        report = copy_course(Path(folder))
        print(report.summary(), flush=True)
        if copy_only:
            print(f"d2lad lab: open {report.folder / START} with Jupyter to begin.")
            return 0
        return start_lab(Path(folder), port, open_browser)
    except (LabError, OSError) as exc:
        print(f"d2lad lab: error: {exc}", file=sys.stderr)
        return 1
