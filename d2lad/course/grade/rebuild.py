"""Rebuilding a submission from the canonical exercise: the learner's answers, nothing else.

The rebuilt notebook has every cell of the canonical exercise (its checks included, whatever
the learner deleted or edited), with the learner's ``answer`` cells in place of the answer
stubs, then one probe cell. From the learner's cells only the source is taken: no tags, no
outputs, no ``# NBVAL_...`` marker lines, so nothing in a submission can tell nbval to skip a
cell or to expect an error, and no saved output counts.

>>> strip_markers("# NBVAL_SKIP\\nx = 1  # NBVAL_SKIP stays: not a comment line")
'\\nx = 1  # NBVAL_SKIP stays: not a comment line'
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell

from d2lad.course.grade.canonical import ANSWER, Canonical, source, tags
from d2lad.course.notebooks import KERNELSPEC, LANGUAGE

#: A submission larger than this is not read (bytes).
NOTEBOOK_CAP = 200_000_000
_MAKERS = {"code": new_code_cell, "markdown": new_markdown_cell, "raw": new_raw_cell}


class Malformed(Exception):
    """A submission that is not a notebook; the message says why, for the grade's status."""


def strip_markers(src: str) -> str:
    """``src`` without the comment lines nbval reads as markers (``# NBVAL_...``)."""
    lines = []
    for line in src.split("\n"):
        text = line.strip()
        comment = text.lstrip("#").strip()
        if text.startswith("#") and comment.startswith(("NBVAL_", "PYTEST_VALIDATE_")):
            line = ""
        lines.append(line)
    return "\n".join(lines)


def read_submission(path: Path) -> Any:
    """The notebook at ``path``; raises :class:`Malformed` with a short reason."""
    try:
        size = path.stat().st_size
        if size > NOTEBOOK_CAP:
            raise Malformed(f"larger than {NOTEBOOK_CAP // 1_000_000} MB")
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise Malformed(f"not UTF-8 text ({err.reason})") from err
    except OSError as err:
        raise Malformed(f"cannot be read ({err.strerror})") from err
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise Malformed(f"invalid JSON ({err.msg} at line {err.lineno} column {err.colno})") \
            from err
    if not isinstance(data, dict) or not isinstance(data.get("cells", None), list):
        raise Malformed("no list of cells")
    for number, cell in enumerate(data["cells"]):
        if (not isinstance(cell, dict) or cell.get("cell_type") not in _MAKERS
                or not isinstance(cell.get("source", ""), (str, list))):
            raise Malformed(f"cell {number} is not a notebook cell")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return nbformat.reads(text, as_version=4)
    except Exception as err:  # noqa: BLE001 - any reason nbformat has is the status
        raise Malformed(str(err).splitlines()[0][:200] if str(err) else type(err).__name__) \
            from err


def match_answers(answers: list[Any], cells: list[Any]) -> list[Any | None]:
    """For each canonical answer cell, the learner's cell that answers it (or None).

    A cell with the same id answers it (whatever its tags now); the answers left over are
    matched in order with the learner's remaining ``answer`` cells.

    >>> a = [{"id": "a1"}, {"id": "a2"}]
    >>> s = [{"id": "x", "metadata": {"tags": ["answer"]}}, {"id": "a1"}]
    >>> [c["id"] if c else None for c in match_answers(a, s)]
    ['a1', 'x']
    """
    by_id: dict[str, Any] = {}
    for cell in cells:
        cid = cell.get("id")
        if isinstance(cid, str) and cid and cid not in by_id:
            by_id[cid] = cell
    found: list[Any | None] = [None] * len(answers)
    used: set[int] = set()
    for k, answer in enumerate(answers):
        cell = by_id.get(answer.get("id") or "")
        if cell is not None:
            found[k] = cell
            used.add(id(cell))
    rest = [c for c in cells if ANSWER in tags(c) and id(c) not in used]
    slots = [k for k, c in enumerate(found) if c is None]
    for k, cell in zip(slots, rest):
        found[k] = cell
    return found


def rebuild(canon: Canonical, student: Any, probe_source: str) -> Any:
    """The notebook to run: the canonical exercise with the learner's answers, then the probe.

    Canonical cells keep their tags (the instructor's ``raises-exception``, say); the
    learner's answers get none, and no outputs anywhere.
    """
    answers = [c for c in canon.exercise.cells if ANSWER in tags(c)]
    given = dict(zip((id(c) for c in answers), match_answers(answers, student.cells)))
    cells = []
    for cell in canon.exercise.cells:
        make = _MAKERS.get(cell.cell_type, new_raw_cell)
        if id(cell) in given:
            theirs = given[id(cell)]
            src = strip_markers(source(theirs)) if theirs is not None else "# (no answer)"
            cells.append(make(src))
            continue
        new = make(source(cell))
        if tags(cell):
            new.metadata["tags"] = list(tags(cell))
        cells.append(new)
    cells.append(new_code_cell(probe_source))
    nb = new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE)}
    return nb


def code_cells(nb: Any) -> int:
    """How many code cells ``nb`` has (nbval makes one test of each).

    >>> code_cells(new_notebook(cells=[new_code_cell("1"), new_markdown_cell("#")]))
    1
    """
    return sum(1 for c in nb.cells if c.cell_type == "code")
