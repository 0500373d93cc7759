"""Every lesson notebook run in JupyterLab in a real browser, as a learner would run it.

Each test opens one lesson (a copy of it), clears its outputs, runs all cells, then checks
what the page shows: no unexpected error, every widget rendered and answering its slider
through the kernel, every graph drawing displayed. A screenshot of the whole notebook is saved
to tests/browser/artifacts/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

LESSONS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OPEN_SECONDS = 60
RUN_SECONDS = 120
SETTLE_SECONDS = 1.5
WIDGET_SECONDS = 15
SLIDER_SECONDS = 30

# window.d2lad.*: the helpers the tests call in the page
HELPERS = Path(__file__).resolve().parent / "notebook_page.js"


@dataclass
class SavedCell:
    """A code cell of the committed notebook: what it is and what its saved outputs show."""

    first_line: str
    tags: list[str]
    widgets: int
    svgs: int

    @property
    def raises(self) -> bool:
        return "raises-exception" in self.tags


def saved_cells(notebook: Path) -> list[SavedCell]:
    """The code cells of ``notebook`` as committed, in order."""
    cells = []
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        lines = [line for line in "".join(cell["source"]).splitlines()
                 if line.strip() and not line.startswith("# NBVAL_")]
        data = [out.get("data", {}) for out in cell.get("outputs", [])]
        cells.append(SavedCell(first_line=lines[0] if lines else "",
                               tags=cell.get("metadata", {}).get("tags", []),
                               widgets=sum(WIDGET_VIEW in d for d in data),
                               svgs=sum("image/svg+xml" in d for d in data)))
    return cells


def label(index: int, cell: SavedCell) -> str:
    """How a failure message names a cell: its place among code cells and its first line
    (nbval's markers left out)."""
    return f"code cell {index + 1} ({cell.first_line!r})"


def open_and_run(page: Any, lab: Any, name: str) -> dict[str, Any]:
    """Open ``name`` in JupyterLab, clear its outputs, run all cells; the final state.

    Run All is over when every code cell has run and the kernel is idle, or, after an error
    made the kernel drop the cells queued behind it, once the kernel has stayed idle with no
    new execution count for SETTLE_SECONDS. (JupyterLab's own Run All promise resolves at the
    first error even when that cell is tagged raises-exception and the rest still run.)
    """
    page.add_init_script(path=HELPERS)
    page.goto(f"{lab.url}/lab/tree/{name}?reset")
    page.wait_for_function("path => d2lad.opened(path)", arg=name, timeout=OPEN_SECONDS * 1000)
    page.evaluate("window.jupyterapp.shell.collapseLeft()")  # the notebook gets the width
    page.evaluate("d2lad.startRunAll()")
    deadline = time.monotonic() + RUN_SECONDS
    seen, since = None, time.monotonic()
    while True:
        state = page.evaluate("d2lad.state()")
        counts = [cell["count"] for cell in state["cells"]]
        quiet = state["run"] != "running" and state["kernel"] == "idle"
        if quiet and None not in counts:
            return state
        if (quiet, counts) != seen:
            seen, since = (quiet, counts), time.monotonic()
        elif quiet and time.monotonic() - since > SETTLE_SECONDS:
            return state
        if time.monotonic() > deadline:
            cells = saved_cells(lab.root / name)
            stuck = (f"{label(counts.index(None), cells[counts.index(None)])} has not run or "
                     "is still running" if None in counts else "every cell has run")
            pytest.fail(f"{name}: Run All has not finished after {RUN_SECONDS} s: the kernel is "
                        f"{state['kernel']}, {stuck}", pytrace=False)
        time.sleep(0.1)


def wait_for_widgets(page: Any) -> dict[str, Any]:
    """Give widget views a few seconds to render; the state then."""
    deadline = time.monotonic() + WIDGET_SECONDS
    state = page.evaluate("d2lad.state()")
    while any("Loading widget..." in c["text"] for c in state["cells"]):
        if time.monotonic() > deadline:
            break
        time.sleep(0.25)
        state = page.evaluate("d2lad.state()")
    return state


def move_slider(page: Any, name: str, cell: int, slider: int, where: str) -> None:
    """Press an arrow key on a slider handle; its widget's view must change, which needs a
    round trip through the kernel."""
    before = page.evaluate("([c, s]) => d2lad.slider(c, s)", [cell, slider])
    assert page.evaluate("([c, s]) => d2lad.focusSlider(c, s)", [cell, slider]), (
        f"{name}: slider {slider + 1} of {where} cannot be focused")
    page.keyboard.press("ArrowLeft" if before["atMax"] else "ArrowRight")
    deadline = time.monotonic() + SLIDER_SECONDS
    while True:
        after = page.evaluate("([c, s]) => d2lad.slider(c, s)", [cell, slider])
        if after["views"] != before["views"] and after["kernel"] == "idle":
            return
        if time.monotonic() > deadline:
            moved = (f"the slider moved from {before['value']} to {after['value']}"
                     if after["value"] != before["value"] else "the slider did not move")
            pytest.fail(f"{name}: slider {slider + 1} of {where}: {moved}, but its output did "
                        f"not change within {SLIDER_SECONDS} s", pytrace=False)
        time.sleep(0.2)


@pytest.mark.parametrize("notebook", LESSONS, ids=[nb.stem for nb in LESSONS])
def test_lesson_runs_in_jupyterlab(notebook: Path, page: Any, lab: Any,
                                   screenshot: Callable[[Any, str], None]) -> None:
    """Run All succeeds, and the widgets, sliders and graph drawings work in the page."""
    name = notebook.name
    saved = saved_cells(notebook)
    state = open_and_run(page, lab, name)
    cells = state["cells"]
    assert len(cells) == len(saved), f"{name}: the page shows {len(cells)} code cells"
    assert state["run"] == "finished", f"{name}: Run All failed: {state['run']}"

    errors = [f"{label(i, s)} raised {'; '.join(c['errors'])}"
              for i, (s, c) in enumerate(zip(saved, cells)) if c["errors"] and not s.raises]
    assert not errors, f"{name}: unexpected errors:\n" + "\n".join(errors)
    not_run = [label(i, s) for i, (s, c) in enumerate(zip(saved, cells)) if c["count"] is None]
    assert not not_run, f"{name}: cells not run: {', '.join(not_run)}"

    cells = wait_for_widgets(page)["cells"]
    for i, (s, c) in enumerate(zip(saved, cells)):
        for message in ("Error displaying widget", "Loading widget..."):
            assert message not in c["text"], f"{name}: {label(i, s)} shows {message!r}"
        assert c["widgets"] == s.widgets, (
            f"{name}: {label(i, s)} shows {c['widgets']} rendered widgets, "
            f"its saved outputs have {s.widgets}")
        drawn = [size for size in c["svgs"] if min(size) > 0]
        assert len(drawn) >= s.svgs, (
            f"{name}: {label(i, s)} shows {len(drawn)} drawings with a size "
            f"(sizes {c['svgs']}), its saved outputs have {s.svgs} SVG images")

    screenshot(page, notebook.stem)

    for i, (s, c) in enumerate(zip(saved, cells)):
        for slider in range(c["sliders"]):
            move_slider(page, name, i, slider, label(i, s))
