"""Running the rebuilt notebooks: one pytest + nbval subprocess for all of them.

``pytest --nbval-lax`` runs each notebook in a fresh kernel, one test per code cell, outputs
not compared; ``-n WORKERS --dist loadfile`` gives each xdist worker one notebook at a time;
``--nbval-cell-timeout`` limits each cell and pytest-timeout is the hard limit behind it; the
grader's plugin (:mod:`d2lad.course.grade.plugin`) closes nbval's holes and writes a JSON line
per test report, which this module reads while pytest runs, to draw the progress bar and,
at the end, to tell how each notebook went. pytest runs with a configuration of its own (no
project ``addopts``, no plugins but xdist, nbval, pytest-timeout and the grader's).

>>> run = NotebookRun(cells=2)
>>> run.add({"nodeid": "nb/1/x.ipynb::Cell 0", "when": "teardown", "outcome": "passed",
...          "duration": 0.5, "event": None, "message": ""})
>>> run.done, run.event
(False, None)
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from d2lad.course.grade.canonical import GradingError

Progress = Callable[[int, int], None]

PLUGINS = ("d2lad.course.grade.startup", "xdist.plugin", "xdist.looponfail", "nbval.plugin",
           "pytest_timeout", "d2lad.course.grade.plugin")


@dataclass
class NotebookRun:
    """How one rebuilt notebook ran: its cells' outcomes and what stopped it, if anything."""

    cells: int
    finished: set[int] = field(default_factory=set)
    failed: dict[int, str] = field(default_factory=dict)
    seconds: float = 0.0
    event: str | None = None
    reason: str = ""
    reported: bool = False

    def add(self, record: dict[str, Any]) -> None:
        """Take one line of the plugin's event file."""
        self.reported = True
        try:
            cell = int(str(record["nodeid"]).rsplit("::Cell ", 1)[1])
        except (IndexError, ValueError):
            cell = -1
        self.seconds += float(record.get("duration") or 0.0)
        if record.get("outcome") == "failed":
            self.failed.setdefault(cell, str(record.get("message", "")))
        if record.get("event") and self.event is None:
            self.event = str(record["event"])
            self.reason = str(record.get("message", ""))
        if record.get("when") == "teardown" or record.get("event") == "crashed":
            self.finished.add(cell)

    @property
    def done(self) -> bool:
        """Whether every cell has been through (or the run gave up on it)."""
        return len(self.finished) >= self.cells


def text_progress(stream: TextIO | None = None) -> Progress:
    """A progress bar drawn on ``stream`` (stderr): ``[#####.....] 5/10 notebooks``, redrawn
    in place on a terminal; elsewhere (a log) one line per tenth of the way.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = text_progress(out)
    >>> bar(1, 4); bar(4, 4)
    >>> out.getvalue().splitlines()[-1].strip()
    '[##############################] 4/4 notebooks'
    """
    stream = stream if stream is not None else sys.stderr
    tty = getattr(stream, "isatty", lambda: False)()
    started = time.monotonic()
    shown = [-1]

    def draw(done: int, total: int) -> None:
        tenth = 10 * done // max(total, 1)
        if not tty and tenth == shown[0] and done < total:
            return
        shown[0] = tenth
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "." * (width - filled)
        seconds = time.monotonic() - started
        text = f"[{bar}] {done}/{total} notebooks"
        if tty:
            stream.write(f"\r{text}  {seconds:.0f} s" + ("\n" if done >= total else ""))
        else:
            stream.write(text + "\n")
        stream.flush()

    return draw


def pytest_command(notebooks: Sequence[str], events: Path, config: Path, workers: int,
                   cell_timeout: float, hard_timeout: float, notebook_timeout: float,
                   output_cap: int) -> list[str]:
    """The pytest command line that runs ``notebooks`` (paths relative to the work folder)."""
    plugins = [arg for name in PLUGINS for arg in ("-p", name)]
    return [
        sys.executable, "-m", "pytest", "-c", str(config), "--rootdir", str(config.parent),
        "--confcutdir", str(config.parent), *plugins, "-p", "no:cacheprovider",
        "--nbval-lax", "--nbval-current-env", f"--nbval-cell-timeout={cell_timeout:g}",
        f"--timeout={hard_timeout:g}", "--timeout-method=signal",
        "-n", str(workers), "--dist", "loadfile",
        f"--d2lad-events={events}", f"--d2lad-notebook-timeout={notebook_timeout:g}",
        f"--d2lad-output-cap={output_cap}",
        "-q", "--no-header", "-p", "no:warnings", *notebooks,
    ]


def run_notebooks(work: Path, notebooks: dict[str, int], workers: int = 1,
                  cell_timeout: float = 60.0, hard_timeout: float | None = None,
                  notebook_timeout: float = 0.0, output_cap: int = 1_000_000,
                  progress: Progress | None = None) -> dict[str, NotebookRun]:
    """Run ``notebooks`` (path relative to ``work`` -> number of code cells) under pytest."""
    runs = {key: NotebookRun(cells) for key, cells in notebooks.items()}
    if not runs:
        return runs
    workers = max(1, min(workers, len(runs)))
    hard = hard_timeout if hard_timeout else cell_timeout + 30.0
    config, events, log = work / "pytest.ini", work / "events.jsonl", work / "pytest.log"
    config.write_text("[pytest]\n", encoding="utf-8")
    events.write_text("", encoding="utf-8")
    command = pytest_command(sorted(runs), events, config, workers, cell_timeout, hard,
                             notebook_timeout, output_cap)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_XDIST_AUTO_NUM_WORKERS")}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    per_notebook = max(cells for cells in notebooks.values()) * hard + 60.0
    if notebook_timeout:
        per_notebook = min(per_notebook, notebook_timeout + hard + 60.0)
    limit = 120.0 + math.ceil(len(runs) / workers) * per_notebook
    done = 0
    if progress:
        progress(0, len(runs))
    with open(log, "wb") as out, open(events, encoding="utf-8") as feed:
        process = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, env=env, start_new_session=True)
        started = time.monotonic()
        pending = ""
        try:
            while True:
                finished = process.poll() is not None
                pending += feed.read()
                *lines, pending = pending.split("\n")
                for line in lines:
                    _take(runs, line)
                now_done = sum(run.done for run in runs.values())
                if progress and now_done != done:
                    progress(now_done, len(runs))
                done = now_done
                if finished:
                    break
                if time.monotonic() - started > limit:
                    _kill(process)
                    break
                time.sleep(0.05)
        except BaseException:
            _kill(process)
            raise
    _take(runs, pending)
    code = process.wait()
    if code not in (0, 1) and not any(run.reported for run in runs.values()):
        tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise GradingError(f"pytest could not run the notebooks (exit code {code}):\n{tail}")
    for run in runs.values():
        if not run.done and run.event is None:
            run.event = "error"
            run.reason = f"not run to the end (pytest exit code {code}; see {log.name})"
    if progress and done != len(runs):
        progress(len(runs), len(runs))
    return runs


def _take(runs: dict[str, NotebookRun], line: str) -> None:
    if not line.strip():
        return
    try:
        record = json.loads(line)
        key = str(record["nodeid"]).split("::", 1)[0]
    except (ValueError, KeyError, TypeError):
        return
    if key in runs:
        runs[key].add(record)


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        pass
    process.wait()
