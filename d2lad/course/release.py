"""Make the learners' exercise notebooks from the instructor's solutions.

``solutions/NN_topic.ipynb`` is the single source of an exercise. Its exercise,
``exercises/NN_topic.ipynb``, is the same notebook with

1. every solution block, the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION``, replaced
   by one line at the BEGIN marker's indentation: ``raise NotImplementedError("write your
   answer here")``; solution blocks may only stand in code cells tagged ``answer``;
2. every cell tagged ``hidden-tests`` removed; such a cell holds nothing but
   ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``;
3. outputs cleared, execution counts None;
4. metadata cleaned as ``d2lad.course.notebooks.clean`` does (kernelspec python3, tags kept).

The result is byte-identical on every run. Errors name the notebook and the cell, counted from
1 in the order Jupyter shows them.

>>> import nbformat
>>> from nbformat.v4 import new_code_cell, new_notebook
>>> nb = new_notebook(cells=[new_code_cell(
...     "def f(x):\\n    ### BEGIN SOLUTION\\n    return 2 * x\\n    ### END SOLUTION",
...     metadata={"tags": ["answer"]})])
>>> print(exercise_from_solution(nb).cells[0].source)
def f(x):
    raise NotImplementedError("write your answer here")

Command line: ``d2lad release [--solutions DIR] [--exercises DIR] [--check]``.
"""

from __future__ import annotations

import copy
import hashlib
import sys
from pathlib import Path
from typing import Any

import nbformat

from d2lad.course.notebooks import clean

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
#: What a learner finds in place of each solution block.
STUB = 'raise NotImplementedError("write your answer here")'
ANSWER_TAG = "answer"
HIDDEN_TAG = "hidden-tests"
MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)


class ReleaseError(ValueError):
    """A solution notebook breaks the exercise format; the message says where and how."""


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _where(name: str, index: int, cell: Any) -> str:
    first = next((ln.strip() for ln in cell.source.splitlines() if ln.strip()), "")
    first = first if len(first) <= 40 else first[:37] + "..."
    return f"{name}, cell {index + 1} ({first!r})"


def _marker(line: str) -> str | None:
    """The marker a line holds (alone on it, any indentation), else None. A line that starts
    with a marker but goes on is an error: it must not pass for code and leak a solution."""
    stripped = line.strip()
    for marker in MARKERS:
        if stripped == marker:
            return marker
        if stripped.startswith(marker):
            raise ReleaseError(f"{marker} followed by {stripped[len(marker):].strip()!r}: put "
                               "nothing else on a marker's line")
    return None


def _markers(source: str, where: str) -> list[tuple[int, str | None]]:
    """(line number from 1, marker or None) for each line of ``source``."""
    found = []
    for number, line in enumerate(source.split("\n"), start=1):
        try:
            found.append((number, _marker(line)))
        except ReleaseError as err:
            raise ReleaseError(f"{where}: line {number}: {err}") from None
    return found


def strip_solutions(source: str, where: str = "<cell>") -> str:
    """``source`` with each solution block replaced by ``STUB`` at the BEGIN marker's indent.

    >>> print(strip_solutions("x = 1\\n### BEGIN SOLUTION\\ny = 2\\n### END SOLUTION\\nz = 3"))
    x = 1
    raise NotImplementedError("write your answer here")
    z = 3
    """
    out: list[str] = []
    begin_line = None
    lines = source.split("\n")
    for number, marker in _markers(source, where):
        line = lines[number - 1]
        if marker == BEGIN_SOLUTION:
            if begin_line is not None:
                raise ReleaseError(f"{where}: line {number}: {BEGIN_SOLUTION} inside the "
                                   f"solution block opened on line {begin_line}; close it first "
                                   f"with {END_SOLUTION}")
            begin_line = number
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + STUB)
        elif marker == END_SOLUTION:
            if begin_line is None:
                raise ReleaseError(f"{where}: line {number}: {END_SOLUTION} without a "
                                   f"{BEGIN_SOLUTION} before it")
            begin_line = None
        elif marker in (BEGIN_HIDDEN, END_HIDDEN):
            raise ReleaseError(f"{where}: line {number}: {marker} in a cell not tagged "
                               f"{HIDDEN_TAG!r}; hidden tests go in a cell of their own with "
                               "that tag")
        elif begin_line is None:
            out.append(line)
    if begin_line is not None:
        raise ReleaseError(f"{where}: line {begin_line}: {BEGIN_SOLUTION} is never closed; add "
                           f"{END_SOLUTION}")
    return "\n".join(out)


def _check_hidden(source: str, where: str) -> None:
    """A hidden-tests cell: the two markers first and last, none in between."""
    markers = [m for _, m in _markers(source.strip(), where)]
    if markers[0] != BEGIN_HIDDEN or markers[-1] != END_HIDDEN:
        raise ReleaseError(f"{where}: a {HIDDEN_TAG!r} cell must start with {BEGIN_HIDDEN} and "
                           f"end with {END_HIDDEN}, with nothing outside them (it is removed "
                           "from the exercise, so anything outside would be lost)")
    inner = [m for m in markers[1:-1] if m]
    if inner:
        raise ReleaseError(f"{where}: {inner[0]} inside the hidden tests")


def _cell_id(index: int, source: str) -> str:
    """A stable id for a cell that has none (nbformat 4.5 requires one)."""
    return hashlib.sha1(f"{index}\n{source}".encode()).hexdigest()[:8]


def exercise_from_solution(nb: Any, name: str = "notebook") -> Any:
    """The exercise made from the solution notebook ``nb`` (an nbformat v4 notebook, not
    changed); ``name`` is used in error messages. Raises ReleaseError when ``nb`` breaks the
    format."""
    nb = copy.deepcopy(nb)
    cells = []
    for index, cell in enumerate(nb.cells):
        if not isinstance(cell.source, str):  # nbformat allows a list of lines
            cell.source = "".join(cell.source)
        where = _where(name, index, cell)
        tags = _tags(cell)
        markers = {m for _, m in _markers(cell.source, where) if m}
        if HIDDEN_TAG in tags:
            if ANSWER_TAG in tags or cell.cell_type != "code":
                raise ReleaseError(f"{where}: a {HIDDEN_TAG!r} cell must be a code cell without "
                                   f"the tag {ANSWER_TAG!r}")
            _check_hidden(cell.source, where)
            continue
        if markers and cell.cell_type != "code":
            raise ReleaseError(f"{where}: {sorted(markers)[0]} in a {cell.cell_type} cell; "
                               "solution blocks belong in code cells tagged 'answer'")
        if markers & {BEGIN_SOLUTION, END_SOLUTION} and ANSWER_TAG not in tags:
            raise ReleaseError(f"{where}: a solution block in a cell not tagged {ANSWER_TAG!r}; "
                               "add the tag (in JupyterLab: Property Inspector, Cell Tags)")
        if cell.cell_type == "code":
            if "id" not in cell and nb.nbformat_minor >= 5:
                cell.id = _cell_id(index, cell.source)
            cell.source = strip_solutions(cell.source, where)
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    clean(nb)
    try:
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        raise ReleaseError(f"{name}: the exercise is not a valid notebook: {err}") from err
    return nb


def render(nb: Any) -> str:
    """The notebook as the text ``release`` writes: nbformat 4 JSON ending with a newline."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def exercise_text(solution: Path) -> str:
    """The text of the exercise made from the solution notebook at ``solution``."""
    try:
        nb = nbformat.read(solution, as_version=4)
    except Exception as err:  # not JSON, not a notebook, unreadable
        raise ReleaseError(f"{solution}: not a readable notebook: {err}") from err
    return render(exercise_from_solution(nb, name=str(solution)))


def _solutions(solutions_dir: Path) -> list[Path]:
    if not solutions_dir.is_dir():
        raise ReleaseError(f"no solutions folder {solutions_dir}")
    return sorted(solutions_dir.glob("*.ipynb"))


def orphans(solutions_dir: Path | str, exercises_dir: Path | str) -> list[Path]:
    """Exercise notebooks without a solution of the same name (``release`` leaves them)."""
    names = {s.name for s in _solutions(Path(solutions_dir))}
    exercises_dir = Path(exercises_dir)
    found = sorted(exercises_dir.glob("*.ipynb")) if exercises_dir.is_dir() else []
    return [p for p in found if p.name not in names]


def outdated(solutions_dir: Path | str, exercises_dir: Path | str) -> list[tuple[Path, str]]:
    """Exercises that are not what ``release`` would write, each with the reason: missing,
    different from what its solution gives, or without a solution."""
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    found = []
    for solution in _solutions(solutions_dir):
        target = exercises_dir / solution.name
        text = exercise_text(solution)  # also when the target is missing: format errors show
        if not target.exists():
            found.append((target, "missing"))
        elif target.read_bytes() != text.encode():
            found.append((target, f"differs from what {solution} gives"))
    found += [(p, f"has no solution in {solutions_dir}")
              for p in orphans(solutions_dir, exercises_dir)]
    return found


def release(solutions_dir: Path | str, exercises_dir: Path | str) -> list[Path]:
    """Write the exercise of every ``solutions_dir/*.ipynb`` to ``exercises_dir`` (files whose
    text would not change are left untouched); return the exercises' paths, sorted. Every
    solution is converted before anything is written, so an error writes nothing.

    >>> import tempfile
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "solutions").mkdir()
    >>> nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]),
    ...                folder / "solutions" / "01_a.ipynb")
    >>> [p.name for p in release(folder / "solutions", folder / "exercises")]
    ['01_a.ipynb']
    >>> outdated(folder / "solutions", folder / "exercises")
    []
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    texts = {exercises_dir / s.name: exercise_text(s) for s in _solutions(solutions_dir)}
    exercises_dir.mkdir(parents=True, exist_ok=True)
    for path, text in texts.items():
        if not path.exists() or path.read_bytes() != text.encode():
            with path.open("w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    return list(texts)


def main(solutions: str = "solutions", exercises: str = "exercises", check: bool = False) -> int:
    """``d2lad release``: write the exercises, or with ``check`` only list those out of date.
    Exit status 0 when done or up to date, 1 when ``check`` found some, 2 on a format error."""
    try:
        found = outdated(solutions, exercises)
        if check:
            for path, why in found:
                print(f"{path}: {why}")
            if found:
                n = len(found)
                print(f"d2lad release --check: {n} exercise notebook{'s' * (n > 1)} out of "
                      "date; run d2lad release", file=sys.stderr)
                return 1
            print(f"d2lad release --check: the exercises in {exercises} are up to date")
            return 0
        written = release(solutions, exercises)
    except ReleaseError as err:
        print(f"d2lad release: {err}", file=sys.stderr)
        return 2
    changed = {path for path, _ in found}
    for path in written:
        print(f"{path}: {'written' if path in changed else 'unchanged'}")
    for path in orphans(solutions, exercises):
        print(f"warning: {path} has no solution in {solutions}; left as it is", file=sys.stderr)
    return 0
