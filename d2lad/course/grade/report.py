"""What grading writes: the grades, the per-part detail, feedback per student, the tamper
report, and a record of the run.

Beside ``grades.csv`` (the ``out`` path): ``grades-detail.csv``, ``tamper-report.csv``,
``grades-run.json`` and ``feedback/<student>.md``.

>>> from d2lad.course.grade.grader import Grade, Grading, PartGrade
>>> g = Grade("ana", "01_chain_rule", 1, 3, "graded",
...           [PartGrade("01.1", 1, 1, "right", ""), PartGrade("01.2", 0, 2, "wrong", "off")])
>>> print(summary(Grading([g], seed=7, seconds=1.0)))
01_chain_rule: 1/3 points (graded)
  01.1  1/1  right
  01.2  0/2  wrong: off
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path

from d2lad.course.grade.canonical import GradingError
from d2lad.course.grade.grader import Grade, Grading
from d2lad.course.grade.tamper import Change


def paths(out: Path) -> dict[str, Path]:
    """Where each report goes, given the grades file ``out``.

    >>> sorted(p.name for p in paths(Path("grades.csv")).values())
    ['feedback', 'grades-detail.csv', 'grades-run.json', 'grades.csv', 'tamper-report.csv']
    """
    out = Path(out)
    return {"grades": out, "detail": out.with_name(f"{out.stem}-detail.csv"),
            "tamper": out.with_name("tamper-report.csv"),
            "run": out.with_name(f"{out.stem}-run.json"), "feedback": out.parent / "feedback"}


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "student"


def check_destination(out: Path, protect: Sequence[Path]) -> None:
    """Raise GradingError when a report beside ``out`` would land under a ``protect`` folder."""
    for target in paths(out).values():
        resolved = target.resolve()
        for root in protect:
            root = Path(root).resolve()
            folder = root if not root.is_file() else root.parent
            if resolved == folder or folder in resolved.parents:
                raise GradingError(f"{target} would be inside the submissions ({folder}): "
                                   "write the grades elsewhere")


def write_reports(grading: Grading, out: Path, protect: Sequence[Path] = ()) -> dict[str, Path]:
    """Write every report beside ``out``; refuse to write under a ``protect`` folder."""
    check_destination(out, protect)
    where = paths(out)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(where["grades"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "points", "max_points", "status"])
        for g in grading.grades:
            w.writerow([g.student, g.exercise, g.points, g.max_points, g.status])
    with open(where["detail"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "part", "points", "max_points", "verdict", "hint",
                    "seed"])
        for g in grading.grades:
            for p in g.parts:
                w.writerow([g.student, g.exercise, p.part, p.points, p.max_points, p.verdict,
                            p.hint, grading.seed])
    with open(where["tamper"], "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "cell", "kind", "change", "detail"])
        for g in grading.grades:
            for c in g.changes:
                w.writerow([g.student, g.exercise, c.cell, c.kind, c.change, c.detail])
    where["feedback"].mkdir(exist_ok=True)
    taken: set[str] = set()
    for student, grades in grading.by_student().items():
        name, n = _safe(student), 1
        while name.lower() in taken:  # two names that look alike on disk
            n += 1
            name = f"{_safe(student)}-{n}"
        taken.add(name.lower())
        (where["feedback"] / f"{name}.md").write_text(feedback(student, grades),
                                                     encoding="utf-8")
    run = {"seed": grading.seed, "seconds": grading.seconds, "settings": grading.settings,
           "notes": grading.notes,
           "notebooks": [{"student": g.student, "exercise": g.exercise, "status": g.status,
                          "seconds": g.seconds} for g in grading.grades]}
    where["run"].write_text(json.dumps(run, indent=1) + "\n", encoding="utf-8")
    return where


def feedback(student: str, grades: list[Grade]) -> str:
    """A student's feedback in markdown: each exercise, each part, its points and hint.

    >>> print(feedback("ana", [Grade("ana", "01_chain_rule", 0, 7, "missing")]))
    # Feedback for ana
    <BLANKLINE>
    ## 01_chain_rule: 0/7 points
    <BLANKLINE>
    Status: **missing**
    <BLANKLINE>
    """
    lines = [f"# Feedback for {student}", ""]
    for g in grades:
        lines += [f"## {g.exercise}: {g.points}/{g.max_points} points", ""]
        if g.status != "graded":
            lines += [f"Status: **{g.status}**", ""]
        if g.parts:
            lines += ["| part | points | verdict |", "| --- | --- | --- |"]
            for p in g.parts:
                text = p.verdict + (f": {p.hint}" if p.hint else "")
                lines.append(f"| {p.part} | {p.points}/{p.max_points} | "
                             f"{text.replace('|', '/')} |")
            lines.append("")
        if g.changes:
            lines.append("Cells changed outside your answers:")
            lines += [f"- {note(c)}" for c in g.changes]
            lines.append("")
    return "\n".join(lines)


def summary(grading: Grading) -> str:
    """A plain-text account of the grades, one block per exercise (what ``--preview`` shows)."""
    lines = []
    for g in grading.grades:
        lines.append(f"{g.exercise}: {g.points}/{g.max_points} points ({g.status})")
        for p in g.parts:
            lines.append(f"  {p.part}  {p.points}/{p.max_points}  {p.verdict}"
                         + (f": {p.hint}" if p.hint else ""))
        lines += [f"  note: {note(c)}" for c in g.changes]
    return "\n".join(lines)


def note(change: Change) -> str:
    """A change outside the answers, and what the grader made of it.

    >>> note(Change(5, "check", "deleted", 'check("01.1", "grad_w")'))
    'cell 5 (check) deleted: the grader ran the original'
    """
    what = {"deleted": "the grader ran the original", "edited": "the grader ran the original",
            "changed cell type": "the grader used the original type",
            "changed tags": "tags do not change grading"}.get(
        change.change, "the grader did not run it")
    return f"cell {change.cell} ({change.kind}) {change.change}: {what}"
