"""What a submission changed outside its answers, compared with the canonical exercise.

Grading does not depend on it (the rebuilt notebook takes every non-answer cell from the
canonical exercise), but an instructor wants to know: deleted or edited check cells, cells
added, tags changed, cell types changed. Cells are paired by cell id first, then, for the rest,
by aligning their kinds and sources (``difflib``).

>>> ex = [{"cell_type": "code", "id": "c", "source": 'check("1.1", "x")'}]
>>> [n.change for n in compare_cells(ex, [])]
['deleted']
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from d2lad.course.grade.canonical import ANSWER, is_check_cell, source, tags


@dataclass(frozen=True)
class Change:
    """One difference: the cell (1-based, in the exercise; in the submission when added),
    its kind ("check", "answer", "code", "markdown", "raw"), the change and a short detail."""

    cell: int
    kind: str
    change: str
    detail: str


def kind(cell: Any) -> str:
    """What a cell is for: "answer", "check", or its cell type.

    >>> kind({"cell_type": "code", "source": "x = 1", "metadata": {"tags": ["answer"]}})
    'answer'
    """
    if ANSWER in tags(cell):
        return "answer"
    if is_check_cell(cell):
        return "check"
    return str(cell.get("cell_type", "?"))


def _key(cell: Any) -> tuple[str, str]:
    if ANSWER in tags(cell):
        return ("answer", "")
    return (str(cell.get("cell_type")), _norm(source(cell)))


def _norm(src: str) -> str:
    return "\n".join(line.rstrip() for line in src.strip().splitlines())


def _excerpt(src: str, limit: int = 80) -> str:
    text = " ".join(_norm(src).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def compare_cells(exercise: list[Any], submitted: list[Any]) -> list[Change]:
    """The changes from the exercise's cells to the submitted cells, in exercise order."""
    pairs: dict[int, int] = {}  # exercise index -> submitted index
    where = {}
    for j, cell in enumerate(submitted):
        cid = cell.get("id")
        if isinstance(cid, str) and cid and cid not in where:
            where[cid] = j
    for i, cell in enumerate(exercise):
        cid = cell.get("id")
        if isinstance(cid, str) and cid in where:
            pairs[i] = where[cid]
    taken = set(pairs.values())
    left_e = [i for i in range(len(exercise)) if i not in pairs]
    left_s = [j for j in range(len(submitted)) if j not in taken]
    matcher = difflib.SequenceMatcher(
        a=[_key(exercise[i]) for i in left_e], b=[_key(submitted[j]) for j in left_s],
        autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            for i, j in zip(left_e[a0:a1], left_s[b0:b1]):
                pairs[i] = j
    taken = set(pairs.values())
    changes: list[Change] = []
    for i, cell in enumerate(exercise):
        k = kind(cell)
        if i not in pairs:
            changes.append(Change(i + 1, k, "deleted", _excerpt(source(cell))))
            continue
        theirs = submitted[pairs[i]]
        if theirs.get("cell_type") != cell.get("cell_type"):
            changes.append(Change(i + 1, k, "changed cell type",
                                  f"{cell.get('cell_type')} -> {theirs.get('cell_type')}"))
        if k != "answer" and _norm(source(theirs)) != _norm(source(cell)):
            changes.append(Change(i + 1, k, "edited",
                                  f"{_excerpt(source(cell), 40)!r} -> "
                                  f"{_excerpt(source(theirs), 40)!r}"))
        if sorted(tags(theirs)) != sorted(tags(cell)):
            changes.append(Change(i + 1, k, "changed tags", f"{tags(cell)} -> {tags(theirs)}"))
    for j, cell in enumerate(submitted):
        if j not in taken:
            what = "added (tagged answer)" if ANSWER in tags(cell) else "added"
            changes.append(Change(j + 1, kind(cell), what, _excerpt(source(cell))))
    return changes
