"""The grader's pytest plugin: nbval with its holes closed, and a record of every cell.

Loaded with ``-p d2lad.course.grade.plugin`` next to ``--nbval-lax``. nbval drives a kernel
through one class, ``nbval.kernel.RunningKernel``; this plugin makes nbval build a
:class:`GuardedKernel` instead, which changes what happens when a cell misbehaves:

- **the kernel died** (``os._exit``, a crash, the OOM killer): nbval waits for the reply that
  never comes, for the whole cell timeout. The guarded kernel waits in short slices and polls
  the kernel process between them; the cell fails at once with :class:`KernelDied`.
- **a cell runs past its time** (``--nbval-cell-timeout``, or the notebook's budget): nbval
  interrupts the kernel and then reads its output until it goes idle, so a loop that ignores
  SIGINT and keeps printing holds it forever. The guarded kernel kills the kernel's process
  group with SIGKILL instead, and the cell fails at once with :class:`CellTimeout`; the cells
  after it fail at once too ("Kernel dead on test start").
- **huge outputs**: nbval keeps every output message of a cell in memory. The guarded kernel
  keeps at most ``--d2lad-output-cap`` characters per cell and drops the rest (and the
  messages nbval does not use), trims tracebacks, and reports are trimmed too.
- **pytest-timeout**, the hard limit, fails a cell that hangs anywhere else; the plugin then
  kills that notebook's kernel as well, so the next cells do not wait again.

Every test report is written as one JSON line to ``--d2lad-events`` by the process that
collects the reports (the xdist controller), which the grading process reads to follow
progress and to know why a notebook stopped.

>>> event_of("failed", CellTimeout("cell 3 ran longer than 5 s"))
'timeout'
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import deque
from queue import Empty
from typing import Any

import pytest
import zmq
from nbval import plugin as nbval_plugin
from nbval.kernel import RunningKernel

#: Longest failure text kept in a report (characters).
REPORT_CAP = 4000


class CellTimeout(Exception):
    """A cell ran longer than its time limit; its kernel was killed."""


class KernelDied(Exception):
    """The kernel process ended while a cell ran (``os._exit``, a crash, a kill)."""


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more]"


def _exit_text(code: int | None) -> str:
    if code is None:
        return "unknown exit status"
    if code < 0:
        try:
            return f"killed by signal {-code} ({signal.Signals(-code).name})"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


class GuardedKernel(RunningKernel):
    """nbval's kernel wrapper, made to fail fast: see the module docstring.

    The limits are class attributes, set by the plugin from the command line on a subclass.
    """

    cell_timeout: float = 2000.0
    notebook_timeout: float = 0.0  # 0: no budget for the notebook as a whole
    output_cap: int = 1_000_000
    poll_interval: float = 0.1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.deadline: float | None = None
        self.limit_text = ""
        self.kept = 0
        self.truncated = False
        self.event: str | None = None
        self.reason = ""
        self.reaped = False
        self.backlog: deque[dict] = deque()
        self.poller: zmq.Poller | None = None
        super().__init__(*args, **kwargs)
        self.started = time.monotonic()

    # -- the kernel process ---------------------------------------------------------------
    def _process(self) -> Any:
        provisioner = getattr(getattr(self, "km", None), "provisioner", None)
        return getattr(provisioner, "process", None)

    def is_alive(self) -> bool:
        """Whether the kernel process runs (a cheap ``poll`` of the child process)."""
        if self.reaped:
            return False
        process = self._process()
        if process is not None:
            return process.poll() is None
        return super().is_alive()

    def kill(self) -> None:
        """SIGKILL the kernel and its process group, then release the channels."""
        process = self._process()
        pgid = getattr(getattr(self.km, "provisioner", None), "pgid", None)
        try:
            if pgid and pgid != os.getpgrp():
                os.killpg(pgid, signal.SIGKILL)
            elif process is not None:
                process.kill()
        except OSError:
            pass
        if process is not None:
            try:
                process.wait(timeout=10)
            except Exception:  # noqa: BLE001 - a kernel that will not die is left to the OS
                pass
        self.reap()

    def reap(self) -> None:
        """Release what a dead kernel leaves behind (channels, connection file, children)."""
        if self.reaped:
            return
        self.reaped = True
        pgid = getattr(getattr(self.km, "provisioner", None), "pgid", None)
        if pgid and pgid != os.getpgrp():
            try:
                os.killpg(pgid, signal.SIGKILL)  # children left behind by the dead kernel
            except OSError:
                pass
        for release in (self.kc.stop_channels, self.km.cleanup_resources):
            try:
                release()
            except Exception:  # noqa: BLE001 - best effort on a dead kernel
                pass

    def interrupt(self) -> None:
        """Kill instead of interrupting: a cell that ignores SIGINT cannot hold the run."""
        self.event = self.event or "timeout"
        self.kill()

    def stop(self) -> None:
        """Stop the kernel as nbval does; a kernel already reaped is left alone."""
        if self.reaped:
            return
        try:
            super().stop()
        finally:
            self.reaped = True

    # -- cells ----------------------------------------------------------------------------
    def execute_cell_input(self, cell_input: str, allow_stdin: Any = None) -> str:
        """Send a cell to the kernel and start its clock."""
        now = time.monotonic()
        self.deadline = now + self.cell_timeout
        self.limit_text = f"the cell ran longer than {self.cell_timeout:g} s"
        if self.notebook_timeout:
            budget_end = self.started + self.notebook_timeout
            if budget_end < self.deadline:
                self.deadline = budget_end
                self.limit_text = f"the notebook ran longer than {self.notebook_timeout:g} s"
        self.kept, self.truncated = 0, False
        return super().execute_cell_input(cell_input, allow_stdin=allow_stdin)

    def get_message(self, stream: str, timeout: float | None = None) -> dict:
        """The next message on ``stream`` ("shell" or "iopub"), watching the kernel meanwhile.

        Output is read off the iopub channel as soon as it arrives, whichever channel nbval
        waits on, and trimmed at once (:meth:`_capped`); what is kept waits in a backlog, so
        a flood of output is never buffered. Raises :class:`KernelDied` when the kernel
        process has ended, :class:`CellTimeout` (after killing the kernel) when the cell's
        time is up, ``queue.Empty`` when only ``timeout`` has passed.
        """
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            if stream == "iopub" and self.backlog:
                return self.backlog.popleft()
            if stream == "shell" and self.kc.shell_channel.msg_ready():
                return self.kc.get_shell_msg(timeout=0)
            now = time.monotonic()
            if self.deadline is not None and now >= self.deadline:
                self._timed_out()
            if end is not None and now >= end:
                raise Empty
            wait = self.poll_interval
            if end is not None:
                wait = min(wait, end - now)
            if self.deadline is not None:
                wait = min(wait, self.deadline - now)
            if not self._pump(max(wait, 0.0)) and not self.is_alive():
                self._died()

    def _pump(self, wait: float) -> bool:
        """Wait up to ``wait`` s for a message on shell or iopub; move what iopub has into the
        backlog, trimmed. True when something arrived."""
        if self.poller is None:
            self.poller = zmq.Poller()
            self.poller.register(self.kc.shell_channel.socket, zmq.POLLIN)
            self.poller.register(self.kc.iopub_channel.socket, zmq.POLLIN)
        ready = dict(self.poller.poll(int(wait * 1000)))
        iopub = self.kc.iopub_channel
        if iopub.socket in ready:
            for _ in range(1000):  # then look at the clock again
                if not iopub.msg_ready():
                    break
                msg = self._capped(iopub.get_msg(timeout=0))
                if msg is not None:
                    self.backlog.append(msg)
        return bool(ready)

    def _died(self) -> None:
        process = self._process()
        code = process.poll() if process is not None else None
        self.event = self.event or "kernel died"
        self.reason = self.reason or f"the kernel died ({_exit_text(code)})"
        self.reap()
        raise KernelDied(self.reason)

    def _timed_out(self) -> None:
        self.event = "timeout"
        self.reason = f"{self.limit_text}: the kernel was killed"
        self.kill()
        raise CellTimeout(self.reason)

    def _capped(self, msg: dict) -> dict | None:
        """``msg`` with its output trimmed to what the cell may still keep; None: drop it."""
        kind = msg.get("msg_type")
        content = msg.get("content", {})
        if kind in ("status", "execute_input", "execute_reply"):
            return msg
        if kind == "error":
            content["evalue"] = _clip(str(content.get("evalue", "")), 2000)
            content["traceback"] = [_clip(str(t), 2000)
                                    for t in list(content.get("traceback") or [])[-20:]]
            return msg
        if kind == "stream":
            size = len(content.get("text", ""))
        elif kind in ("display_data", "execute_result"):
            size = sum(len(v) if isinstance(v, str) else 100
                       for v in content.get("data", {}).values())
        else:  # clear_output, update_display_data, comms: nbval does not use them
            return None
        if self.truncated:
            return None
        room = self.output_cap - self.kept
        if size <= room:
            self.kept += size
            return msg
        self.truncated = True
        self.kept = self.output_cap
        note = f"[d2lad grader: output beyond {self.output_cap} characters dropped]"
        if kind == "stream":
            content["text"] = content.get("text", "")[:room] + "\n" + note + "\n"
        else:
            content["data"] = {"text/plain": note}
            content["metadata"] = {}
        return msg


def event_of(outcome: str, exc: BaseException | None, kernel: Any = None) -> str | None:
    """What stopped a notebook, from a failed cell's exception: "timeout", "kernel died",
    "kernel did not start", or None (a cell that merely raised is the learner's answer)."""
    if outcome == "passed" or exc is None:
        return None
    if isinstance(exc, CellTimeout):
        return "timeout"
    if isinstance(exc, KernelDied):
        return "kernel died"
    text = str(exc)
    if type(exc).__name__ == "Failed" and text.startswith("Timeout"):
        return "timeout"
    if isinstance(exc, RuntimeError) and text.startswith("Kernel dead"):
        return getattr(kernel, "event", None) or "kernel died"
    return None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("d2lad", "d2lad grading")
    group.addoption("--d2lad-events", default=None,
                    help="append one JSON line per test report to this file")
    group.addoption("--d2lad-output-cap", type=int, default=1_000_000,
                    help="characters of output kept per cell (default 1000000)")
    group.addoption("--d2lad-notebook-timeout", type=float, default=0.0,
                    help="seconds a notebook may run in all (default 0: no limit)")


def pytest_configure(config: pytest.Config) -> None:
    limits = {
        "cell_timeout": float(config.getoption("nbval_cell_timeout")),
        "notebook_timeout": float(config.getoption("d2lad_notebook_timeout") or 0.0),
        "output_cap": int(config.getoption("d2lad_output_cap")),
    }
    config._d2lad_running_kernel = nbval_plugin.RunningKernel  # type: ignore[attr-defined]
    nbval_plugin.RunningKernel = type("GuardedKernel", (GuardedKernel,), limits)
    events = config.getoption("d2lad_events")
    if events and not hasattr(config, "workerinput"):
        config.pluginmanager.register(EventWriter(events), "d2lad-events")


def pytest_unconfigure(config: pytest.Config) -> None:
    original = getattr(config, "_d2lad_running_kernel", None)
    if original is not None:
        nbval_plugin.RunningKernel = original
    writer = config.pluginmanager.get_plugin("d2lad-events")
    if writer is not None:
        writer.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    kernel = getattr(getattr(item, "parent", None), "kernel", None)
    exc = call.excinfo.value if call.excinfo is not None else None
    event = event_of(report.outcome, exc, kernel)
    if event is None and exc is not None and call.when == "setup" and kernel is None:
        event = "kernel did not start"
    if event is not None and isinstance(kernel, GuardedKernel):
        kernel.event = kernel.event or event
        if kernel.is_alive():  # pytest-timeout fired: do not let the next cells wait again
            kernel.kill()
        else:
            kernel.reap()
    message = ""
    if exc is not None:
        message = _clip(f"{type(exc).__name__}: {exc}", 500)
        if event == "timeout" and not isinstance(exc, (CellTimeout, RuntimeError)):
            limit = item.config.getoption("timeout", None)
            message = (f"Failed: the cell ran longer than the hard limit ({limit:g} s): the "
                       "kernel was killed") if limit else message
    report.user_properties.append(("d2lad", {"event": event, "message": message}))
    if report.longrepr is not None:
        text = str(report.longrepr)
        if len(text) > REPORT_CAP:
            report.longrepr = _clip(text, REPORT_CAP)
    report.sections = [(name, _clip(body, REPORT_CAP)) for name, body in report.sections]


class EventWriter:
    """Writes each test report as a JSON line (registered in the controller only)."""

    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info: dict[str, Any] = {}
        for name, value in getattr(report, "user_properties", ()):
            if name == "d2lad" and isinstance(value, dict):
                info = value
        event = info.get("event")
        message = info.get("message", "")
        if report.when not in ("setup", "call", "teardown"):  # xdist: a worker crashed
            event = "crashed"
            message = _clip(str(report.longrepr), 500)
        record = {"nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
                  "duration": round(float(getattr(report, "duration", 0.0) or 0.0), 4),
                  "event": event, "message": message}
        self.file.write(json.dumps(record) + "\n")

    def close(self) -> None:
        self.file.close()
