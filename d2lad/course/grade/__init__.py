"""Instructor grading: ``d2lad grade DIR --out grades.csv`` on pytest + nbval.

For each submission ``DIR/<student>/<exercise>.ipynb``:

1. **rebuild** it from the canonical exercise (:mod:`.rebuild`): the learner's ``answer``
   cells, every other cell from the canonical notebook, then a probe cell (:mod:`.probe`) that
   reads each part's value, calling the learner's function on inputs chosen for this run;
2. **run** all rebuilt notebooks in one ``pytest --nbval-lax -n WORKERS --dist loadfile``
   subprocess (:mod:`.runner`), with the grader's plugin (:mod:`.plugin`) failing a cell at
   once when its kernel dies, killing a kernel that runs past its time, capping outputs;
3. **judge** in this process (:mod:`.grader`): the solution's ``reference`` on the same inputs,
   then ``compare``; a part its probe did not report scores 0, with the reason;
4. **report** (:mod:`.report`): grades, per-part detail, feedback per student, and the cells
   changed outside the answers (:mod:`.tamper`).

From Python (what ``d2lad grade submitted --out grades.csv -n 2`` does)::

    from d2lad.course.grade import grade, write_reports
    grading = grade(Path("submitted"), Path("solutions"), workers=2)
    write_reports(grading, Path("grades.csv"), protect=[Path("submitted")])

>>> from d2lad.course.grade import Grade, Grading, summary
>>> print(summary(Grading([Grade("ana", "01_chain_rule", 0, 7, "missing")], 1, 0.0)))
01_chain_rule: 0/7 points (missing)
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> the module defining it; imported on first use, so that the pytest plugin
#: (``d2lad.course.grade.plugin``) loads without the grader's own imports.
_PUBLIC = {"Grade": "grader", "Grading": "grader", "GradingError": "canonical",
           "PartGrade": "grader", "grade": "grader", "preview": "grader",
           "summary": "report", "text_progress": "runner", "write_reports": "report"}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
