"""The canonical side of grading: a solution notebook, its exercise, its graded parts.

The solution is read in the grading process, never in a learner's kernel: its code cells run
here, top to bottom (check cells and IPython magics left out, output swallowed), which
defines the solution's answers, ``PARTS`` from the hidden-tests cells, and whatever the
references use. The exercise is what learners received, made from the solution by
``d2lad.course.release.exercise_from_solution``.

>>> is_check_cell({"cell_type": "code", "source": 'check("01.1", "grad_w")'})
True
>>> runnable("%matplotlib inline\\nx = 1")
'\\nx = 1'
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from d2lad.course.parts import Part
from d2lad.course.release import ReleaseError, exercise_from_solution

ANSWER = "answer"
HIDDEN = "hidden-tests"
_CHECK_CALL = re.compile(r"^\s*check\(", re.MULTILINE)


class GradingError(Exception):
    """A problem on the instructor's side (a solution that does not run, a bad option)."""


def tags(cell: Any) -> list[str]:
    """The tags of a cell (an empty list when it has none or they are malformed).

    >>> tags({"metadata": {"tags": ["answer"]}})
    ['answer']
    """
    found = (cell.get("metadata") or {}).get("tags") or []
    return [t for t in found if isinstance(t, str)] if isinstance(found, list) else []


def source(cell: Any) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def is_check_cell(cell: Any) -> bool:
    """A code cell that calls ``check(...)`` and is neither an answer nor hidden tests."""
    return (cell.get("cell_type") == "code" and not {ANSWER, HIDDEN} & set(tags(cell))
            and bool(_CHECK_CALL.search(source(cell))))


def runnable(src: str) -> str:
    """A cell's source without IPython magics and shell escapes (lines ``%...``, ``!...``)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in src.splitlines())


@dataclass
class Canonical:
    """One exercise as the grader knows it: solution, exercise, parts and their namespace."""

    name: str
    path: Path
    solution: Any
    exercise: Any
    parts: list[Part]
    namespace: dict = field(repr=False)

    @property
    def max_points(self) -> int:
        """The points of all parts."""
        return sum(int(p.points) for p in self.parts)


def load_canonical(path: Path) -> Canonical:
    """Read the solution at ``path``, run its code here and collect its ``PARTS``."""
    try:
        solution = nbformat.read(str(path), as_version=4)
    except Exception as err:
        raise GradingError(f"{path}: not a readable notebook: {err}") from err
    namespace: dict[str, Any] = {"__name__": f"d2lad_solution_{path.stem}"}
    sink = io.StringIO()
    for number, cell in enumerate(solution.cells):
        if cell.cell_type != "code" or is_check_cell(cell):
            continue
        code = compile(runnable(source(cell)), f"<{path.name} cell {number}>", "exec")
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                exec(code, namespace)
        except Exception as err:
            raise GradingError(f"{path}: cell {number} raised "
                               f"{type(err).__name__}: {err}") from err
    parts = namespace.get("PARTS")
    if not isinstance(parts, list) or not parts:
        raise GradingError(f"{path}: the hidden-tests cells define no PARTS")
    ids = [getattr(p, "id", None) for p in parts]
    bad = [p for p in parts if not (isinstance(p, Part) and isinstance(p.probe, str))]
    if bad or len(set(ids)) != len(ids):
        raise GradingError(f"{path}: PARTS must be Part objects with distinct ids: {ids}")
    try:
        exercise = exercise_from_solution(solution, name=str(path))
    except ReleaseError as err:
        raise GradingError(str(err)) from err
    return Canonical(path.stem, path, solution, exercise, list(parts), namespace)


def solution_paths(folder: Path) -> dict[str, Path]:
    """Exercise name -> solution notebook, for the ``*.ipynb`` in ``folder``; a GradingError
    when there are none (a learner's copy of the course has no solutions)."""
    found = {p.stem: p for p in sorted(Path(folder).glob("*.ipynb"))}
    if not found:
        raise GradingError(
            f"no solution notebooks in {folder}/: grading compares answers with the "
            "instructor's solutions. Give their folder with --solutions DIR (in a clone of the "
            "d2lad repository: solutions/). The pip package does not ship them; the check "
            "cells in your exercise notebooks work without them."
        )
    return found
