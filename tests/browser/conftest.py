"""Fixtures for the browser tests: a throwaway JupyterLab serving copies of the lesson
notebooks, and Debian's Chromium driven by Playwright, one of each for the module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from local_server import free_port, stop_process_group

LESSONS = Path(__file__).resolve().parents[2] / "notebooks"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
# Headless, and nothing that talks to Google: no sync, updates, QUIC probes or pings.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 900}
INSTALL = ("install Debian's Chromium with `sudo apt-get update && sudo apt-get install -y "
           "chromium` and Playwright for Python with `.venv/bin/python -m pip install "
           "playwright` (it is in the test extra; it drives /usr/bin/chromium, so no "
           "`playwright install` is needed)")
# JupyterLab settings for every test: render every cell, even off-screen ones (the default
# windowing mode leaves them unrendered), and ask the user about no news or updates.
LAB_OVERRIDES = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}
SERVER_START_SECONDS = 60
NOTEBOOK_SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"
# Chromium draws at most about 16k pixels in one go; taller notebooks are saved in parts.
SCREENSHOT_MAX_HEIGHT = 12000


def unavailable(what: str) -> NoReturn:
    """Skip the browser tests for a missing tool, or fail under CI, which must run them."""
    message = f"{what}; {INSTALL}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI=true: the browser tests must run there)", pytrace=False)
    pytest.skip(message)


@dataclass
class Lab:
    """A running JupyterLab: its address and the folder it serves."""

    url: str
    root: Path
    log: Path

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API; the decoded JSON answer, or None when there is none."""
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every session, and so every kernel."""
        for session in self.api("sessions"):
            self.api(f"sessions/{session['id']}", method="DELETE")

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def lab_config(home: Path) -> dict[str, Any]:
    """Server and lab configuration: loopback only, no token or password, throwaway settings,
    and the app object exposed as ``window.jupyterapp`` for the tests to drive."""
    return {
        "ServerApp": {"ip": "127.0.0.1", "port": free_port(), "port_retries": 0,
                      "open_browser": False, "root_dir": str(home / "notebooks"),
                      "password": "", "disable_check_xsrf": True},
        "IdentityProvider": {"token": ""},
        "LabApp": {"expose_app_in_browser": True, "news_url": None,
                   "check_for_updates_class":
                       "jupyterlab.handlers.announcements.NeverCheckForUpdate",
                   "app_settings_dir": str(home / "app-settings"),
                   "user_settings_dir": str(home / "user-settings"),
                   "workspaces_dir": str(home / "workspaces")},
    }


def wait_until_up(lab: Lab, server: subprocess.Popen[bytes]) -> None:
    """Poll /api/status until the server answers; fail with its log if it exits or hangs."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with code {server.returncode} before answering; "
                        f"its log ends with:\n{lab.log_tail()}", pytrace=False)
        try:
            lab.api("status")
            return
        except OSError:  # refused, reset, timed out, or an HTTP error while it starts
            time.sleep(0.25)
    pytest.fail(f"JupyterLab did not answer {lab.url}/api/status within "
                f"{SERVER_START_SECONDS} s; its log ends with:\n{lab.log_tail()}", pytrace=False)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab serving copies of notebooks/*.ipynb (it autosaves: the committed notebooks
    must never change), with its own config, runtime, data and settings folders."""
    home = tmp_path_factory.mktemp("lab")
    (home / "notebooks").mkdir()
    for notebook in LESSONS.glob("*.ipynb"):
        shutil.copy(notebook, home / "notebooks" / notebook.name)
    config = lab_config(home)
    for folder in ("config", "runtime", "data", "ipython", "app-settings"):
        (home / folder).mkdir()
    (home / "config" / "jupyter_server_config.json").write_text(json.dumps(config, indent=1))
    (home / "app-settings" / "overrides.json").write_text(json.dumps(LAB_OVERRIDES, indent=1))
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env.update(JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_RUNTIME_DIR=str(home / "runtime"),
               JUPYTER_DATA_DIR=str(home / "data"), IPYTHONDIR=str(home / "ipython"))
    command = [sys.executable, "-m", "jupyterlab"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    lab = Lab(f"http://127.0.0.1:{config['ServerApp']['port']}", home / "notebooks",
              home / "server.log")
    with lab.log.open("wb") as log:
        server = subprocess.Popen(command, cwd=home, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(lab, server)
        yield lab
    finally:
        stop_process_group(server, grace=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, launched by Playwright with a fresh profile."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Keep each phase's report on the test item, so fixtures can tell that a test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


def save_screenshot(page: Any, path: Path) -> None:
    """Save the whole notebook the page shows: the window is made as tall as the notebook
    (JupyterLab scrolls inside a panel, so a plain screenshot shows one screenful); a notebook
    taller than SCREENSHOT_MAX_HEIGHT is saved in parts, ``name.png``, ``name-2.png``, ...
    A page with no notebook is saved as it is."""
    for stale in path.parent.glob(f"{path.stem}-[0-9]*.png"):
        stale.unlink()
    scroller = page.locator(NOTEBOOK_SCROLLER)
    if not scroller.count():
        page.screenshot(path=path)
        return
    content, visible = scroller.evaluate("s => [s.scrollHeight, s.clientHeight]")
    viewport = page.viewport_size
    chrome = viewport["height"] - visible
    step = SCREENSHOT_MAX_HEIGHT - chrome
    for part, top in enumerate(range(0, content, step), start=1):
        page.set_viewport_size({"width": viewport["width"],
                                "height": min(content - top, step) + chrome})
        scroller.evaluate("(s, top) => { s.scrollTop = top; }", top)
        page.wait_for_timeout(200)
        page.screenshot(path=path if part == 1 else path.with_name(f"{path.stem}-{part}.png"))
    page.set_viewport_size(viewport)


@pytest.fixture(scope="module")
def screenshot() -> Callable[[Any, str], None]:
    """``screenshot(page, name)`` saves the notebook on the page as artifacts/name.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    return lambda page, name: save_screenshot(page, ARTIFACTS / f"{name}.png")


@pytest.fixture
def page(browser: Any, lab: Lab, screenshot: Callable[[Any, str], None],
         request: pytest.FixtureRequest) -> Iterator[Any]:
    """A page in a new browser context. Afterwards every kernel is shut down, and if the test
    failed, a screenshot of the page is saved as artifacts/<test id>-failure.png."""
    callspec = getattr(request.node, "callspec", None)
    name = f"{callspec.id if callspec else request.node.name}-failure"
    for stale in ARTIFACTS.glob(f"{name}*.png"):
        stale.unlink()
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    yield page
    try:
        call = request.node.stash.get(REPORTS, {}).get("call")
        if call is not None and call.failed:
            screenshot(page, name)
    finally:
        context.close()
        lab.shut_down_kernels()
