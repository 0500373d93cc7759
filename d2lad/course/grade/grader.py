"""Grading a class: find the submissions, rebuild them, run them, judge what the probes read.

>>> import tempfile
>>> from pathlib import Path
>>> root = Path(tempfile.mkdtemp())
>>> (root / "ana").mkdir(); _ = (root / "ana" / "01_chain_rule.ipynb").write_text("{}")
>>> {s: sorted(e) for s, e in find_submissions([root]).items()}
{'ana': ['01_chain_rule']}
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import numpy as np

from d2lad.course.grade.canonical import (
    Canonical,
    GradingError,
    load_canonical,
    solution_paths,
)
from d2lad.course.grade.probe import make_request, probe_cell_source, read_reports
from d2lad.course.grade.rebuild import Malformed, code_cells, read_submission, rebuild
from d2lad.course.grade.runner import NotebookRun, Progress, run_notebooks
from d2lad.course.grade.tamper import Change, compare_cells
from d2lad.course.grade.values import from_data, to_data
from d2lad.course.parts import Part


@dataclass(frozen=True)
class PartGrade:
    """One part of one submission: points, and the verdict ("right", "wrong", "error",
    "not graded") with its hint."""

    part: str
    points: int
    max_points: int
    verdict: str
    hint: str


@dataclass
class Grade:
    """One student's grade on one exercise.

    ``status``: "graded", "missing", "no such exercise", "malformed notebook: <reason>",
    "timeout", "kernel died" or "error: <reason>".
    """

    student: str
    exercise: str
    points: int
    max_points: int
    status: str
    parts: list[PartGrade] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class Grading:
    """The grades of a run, with what is needed to reproduce it (the seed)."""

    grades: list[Grade]
    seed: int
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def by_student(self) -> dict[str, list[Grade]]:
        """The grades grouped by student, in order."""
        out: dict[str, list[Grade]] = {}
        for g in self.grades:
            out.setdefault(g.student, []).append(g)
        return out


def find_submissions(paths: Sequence[Path]) -> dict[str, dict[str, Path]]:
    """student -> exercise -> notebook, from folders laid out ``DIR/<student>/<exercise>.ipynb``
    (also ``DIR/<student>/<assignment>/<exercise>.ipynb``, nbgrader's submitted layout) and
    from single notebooks (student: their folder's name). Hidden files and folders
    (``.ipynb_checkpoints``) are skipped."""
    found: dict[str, dict[str, Path]] = {}
    for path in paths:
        path = Path(path)
        if path.is_file():
            found.setdefault(path.parent.name or "student", {})[path.stem] = path
            continue
        if not path.is_dir():
            raise GradingError(f"{path}: no such folder or notebook")
        for student in sorted(path.iterdir()):
            if not student.is_dir() or student.name.startswith("."):
                continue
            mine = found.setdefault(student.name, {})
            inner = [d for d in sorted(student.iterdir())
                     if d.is_dir() and not d.name.startswith(".")]
            for folder in (student, *inner):
                for nb in sorted(folder.glob("*.ipynb")):
                    if not nb.name.startswith(".") and nb.is_file():
                        mine.setdefault(nb.stem, nb)
    return found


def rng_for(seed: int, student: str, exercise: str) -> np.random.Generator:
    """The generator of one submission's inputs: the run's seed, the student, the exercise.

    >>> float(rng_for(1, "ana", "01").random()) == float(rng_for(1, "ana", "01").random())
    True
    """
    return np.random.default_rng([seed, zlib.crc32(student.encode()),
                                  zlib.crc32(exercise.encode())])


def _transferable(data: Any) -> bool:
    if isinstance(data, list):
        return all(_transferable(v) for v in data)
    if isinstance(data, dict):
        if "__object__" in data:
            return False
        return all(_transferable(v) for v in data.values())
    return True


def _inputs(part: Part, rng: np.random.Generator, exercise: str) -> tuple[Any, Any]:
    """The part's arguments for this submission, as chosen and as sent to the kernel."""
    if part.inputs is None:
        return (), None
    args = part.inputs(rng)
    args = tuple(args) if isinstance(args, (tuple, list)) else (args,)
    data = to_data(args)
    if not _transferable(data):
        raise GradingError(f"{exercise} part {part.id}: inputs must be numbers, strings, "
                           "arrays or lists of them (they travel to the kernel as data)")
    return args, data


@dataclass
class _Job:
    student: str
    exercise: str
    canon: Canonical
    args: list[tuple]
    probe: Path
    key: str
    cells: int
    changes: list[Change]


_UNREAD = object()  # a part its probe did not report


def _describe_error(text: str) -> str:
    if text.startswith("NotImplementedError"):
        return "not answered yet: replace `raise NotImplementedError` with your answer"
    if text.startswith("NameError"):
        return f"not answered: {text.split(': ', 1)[-1]}"
    return f"your answer raised {text}"


def _stopped(run: NotebookRun | None) -> tuple[str, str]:
    """(status, why a part was not read) for a notebook's run."""
    if run is None:
        return "error: not run", "not graded: the notebook was not run"
    event, reason = run.event, run.reason.split(": ", 1)[-1]
    if event is None:
        return "graded", "not graded: the grader could not read this part"
    if event == "timeout":
        return "timeout", f"not graded: {reason or 'the notebook ran out of time'}"
    if event == "kernel died":
        return "kernel died", f"not graded: {reason or 'the kernel died'}"
    if event == "kernel did not start":
        return "error: the kernel did not start", "not graded: the kernel did not start"
    if event == "crashed":
        return "error: the test worker crashed", "not graded: the test worker crashed"
    return f"error: {reason}", f"not graded: {reason}"


def judge(part: Part, args: tuple, report: Any, unread: str) -> PartGrade:
    """A part's grade from what its probe reported (``report``; absent: ``unread`` says why).

    As ``Part.verdict``: the reference runs here, on the arguments ``inputs`` returned (numpy
    arrays; the learner's function got them as d2lad tensors), and ``compare`` judges the
    value the probe sent back (arrays as numpy arrays, tuples as lists).

    >>> part = Part("9.1", points=2, probe="f", inputs=lambda rng: (3,),
    ...             reference=lambda x: 2 * x)
    >>> judge(part, (3,), {"part": "9.1", "value": 6}, "")
    PartGrade(part='9.1', points=2, max_points=2, verdict='right', hint='')
    >>> judge(part, (3,), _UNREAD, "not graded: the kernel died").verdict
    'not graded'
    """
    def grade(verdict: str, hint: str, right: bool = False) -> PartGrade:
        return PartGrade(part.id, int(part.points) if right else 0, int(part.points),
                         verdict, hint)

    if report is _UNREAD:
        return grade("not graded", unread)
    if not isinstance(report, dict) or report.get("part") != part.id:
        return grade("not graded", "not graded: the probe's report does not match the part")
    if "error" in report:
        return grade("error", _describe_error(str(report["error"])))
    try:
        got = from_data(report.get("value"))
    except Exception:  # noqa: BLE001 - data the probe never writes
        return grade("not graded", "not graded: the reported value cannot be read")
    try:
        expected = part.reference(*args) if part.reference is not None else None
    except Exception as err:  # noqa: BLE001 - the instructor's side
        return grade("not graded", f"grader error: the reference raised {type(err).__name__}: "
                                   f"{err}")
    try:
        problem = part.compare(got, expected)
    except Exception as err:  # noqa: BLE001 - a value compare does not handle
        problem = f"your answer could not be compared ({type(err).__name__})"
    if problem is None:
        return grade("right", "", right=True)
    return grade("wrong", str(problem))


def grade(submissions: Sequence[Path] | Path, solutions: Path = Path("solutions"), *,
          workers: int = 1, cell_timeout: float = 60.0, timeout: float | None = None,
          notebook_timeout: float = 0.0, seed: int | None = None,
          exercises: Sequence[str] | None = None, work: Path | None = None,
          output_cap: int = 1_000_000, progress: Progress | None = None) -> Grading:
    """Grade every submission under ``submissions`` against the solutions in ``solutions``.

    ``exercises``: the exercises every student should have submitted (default: every exercise
    someone submitted); ``work``: a folder to keep the rebuilt notebooks, probe files and the
    pytest log in (default: a temporary folder, removed afterwards). Nothing is written under
    ``submissions``.
    """
    started = time.monotonic()
    roots = [Path(submissions)] if isinstance(submissions, (str, Path)) else \
        [Path(p) for p in submissions]
    seed = int.from_bytes(os.urandom(8), "little") >> 1 if seed is None else int(seed)
    found = find_submissions(roots)
    known = solution_paths(Path(solutions))
    notes: list[str] = []
    wanted = list(exercises) if exercises else sorted(
        {e for mine in found.values() for e in mine if e in known})
    for name in wanted:
        if name not in known:
            raise GradingError(f"no solution for exercise {name!r} in {solutions}")
    canonicals = {name: load_canonical(known[name]) for name in wanted}
    for root in roots:
        if root.is_dir():
            notes += [f"{p}: not in a student's folder (DIR/<student>/<exercise>.ipynb); "
                      "ignored" for p in sorted(root.glob("*.ipynb"))]

    protected = [r.resolve() for r in roots]
    keep = work is not None
    if work is None:
        _refuse_inside(Path(tempfile.gettempdir()) / "d2lad-grade", protected,
                       "the temporary folder (set TMPDIR or pass work=)")
        work_dir = Path(tempfile.mkdtemp(prefix="d2lad-grade-"))
    else:
        work_dir = Path(work)
        _refuse_inside(work_dir, protected, "the work folder")
        _fresh_work(work_dir)
    (work_dir / WORK_MARKER).write_text("made by d2lad grade; emptied by the next run\n")
    (work_dir / "nb").mkdir(parents=True, exist_ok=True)
    (work_dir / "probe").mkdir(exist_ok=True)

    grades: dict[tuple[str, str], Grade] = {}
    jobs: list[_Job] = []
    try:
        for student in sorted(found):
            mine = found[student]
            for exercise in sorted(set(wanted) | set(mine)):
                path = mine.get(exercise)
                canon = canonicals.get(exercise)
                if exercise not in wanted:
                    if exercises and exercise in known:
                        continue  # an exercise not asked for in this run
                    grades[student, exercise] = Grade(student, exercise, 0, 0,
                                                      "no such exercise")
                    continue
                assert canon is not None
                if path is None:
                    grades[student, exercise] = Grade(student, exercise, 0, canon.max_points,
                                                      "missing", _none_parts(canon, "missing"))
                    continue
                try:
                    nb = read_submission(path)
                except Malformed as err:
                    grades[student, exercise] = Grade(
                        student, exercise, 0, canon.max_points, f"malformed notebook: {err}",
                        _none_parts(canon, f"not graded: malformed notebook ({err})"))
                    continue
                jobs.append(_prepare(len(jobs), student, exercise, canon, nb, seed, work_dir))

        hard = timeout if timeout else cell_timeout + 30.0
        runs = run_notebooks(work_dir, {j.key: j.cells for j in jobs}, workers=workers,
                             cell_timeout=cell_timeout, hard_timeout=hard,
                             notebook_timeout=notebook_timeout, output_cap=output_cap,
                             progress=progress)
        for job in jobs:
            run = runs.get(job.key)
            status, unread = _stopped(run)
            reports = read_reports(job.probe)
            parts = [judge(part, job.args[i], reports.get(i, _UNREAD), unread)
                     for i, part in enumerate(job.canon.parts)]
            grades[job.student, job.exercise] = Grade(
                job.student, job.exercise, sum(p.points for p in parts),
                job.canon.max_points, status, parts, job.changes,
                round(run.seconds, 3) if run else 0.0)
    finally:
        if not keep:
            shutil.rmtree(work_dir, ignore_errors=True)
    settings = {"solutions": str(solutions), "workers": workers, "cell_timeout": cell_timeout,
                "timeout": timeout or cell_timeout + 30.0, "notebook_timeout": notebook_timeout,
                "output_cap": output_cap, "exercises": wanted,
                "work": str(work_dir) if keep else None}
    return Grading([grades[k] for k in sorted(grades)], seed,
                   round(time.monotonic() - started, 3), settings, notes)


def _none_parts(canon: Canonical, hint: str) -> list[PartGrade]:
    return [PartGrade(p.id, 0, int(p.points), "not graded", hint) for p in canon.parts]


def _prepare(k: int, student: str, exercise: str, canon: Canonical, nb: Any, seed: int,
             work: Path) -> _Job:
    rng = rng_for(seed, student, exercise)
    chosen = [_inputs(part, rng, exercise) for part in canon.parts]
    args = [a for a, _ in chosen]
    request = make_request([{"id": p.id, "probe": p.probe, "args": data}
                            for p, (_, data) in zip(canon.parts, chosen)])
    probe = (work / "probe" / f"{k:04d}.jsonl").resolve()
    rebuilt = rebuild(canon, nb, probe_cell_source(probe, request))
    key = f"nb/{k:04d}/{exercise}.ipynb"
    (work / key).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(rebuilt, str(work / key))
    return _Job(student, exercise, canon, args, probe, key, code_cells(rebuilt),
                compare_cells(list(canon.exercise.cells), list(nb.cells)))


#: The file that marks a work folder as the grader's, so a later run may empty it.
WORK_MARKER = ".d2lad-grade-work"


def _fresh_work(work: Path) -> None:
    """Make ``work`` an empty work folder: new, empty, or emptied after an earlier run (so
    no probe file of that run can be taken for this one's)."""
    if not work.exists():
        work.mkdir(parents=True)
        return
    if not work.is_dir():
        raise GradingError(f"{work}: the work folder is a file")
    entries = list(work.iterdir())
    if entries and not (work / WORK_MARKER).exists():
        raise GradingError(f"{work}: the work folder must be new, empty, or one that d2lad "
                           "grade used before")
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _refuse_inside(path: Path, protected: Sequence[Path], what: str) -> None:
    resolved = path.resolve()
    for root in protected:
        folder = root if root.is_dir() else root.parent
        if resolved == folder or folder in resolved.parents:
            raise GradingError(f"{what} ({path}) must not be inside the submissions ({root})")


def preview(notebook: Path, solutions: Path = Path("solutions"), exercise: str | None = None,
            **options: Any) -> Grading:
    """Grade one notebook as the instructor would (the exercise named by the file name).

    ``options`` are those of :func:`grade`.
    """
    notebook = Path(notebook)
    if not notebook.is_file():
        raise GradingError(f"{notebook}: no such notebook")
    known = solution_paths(Path(solutions))
    name = exercise or _exercise_name(notebook.stem, known)
    with tempfile.TemporaryDirectory(prefix="d2lad-preview-") as tmp:
        folder = Path(tmp) / "submitted" / "you"
        folder.mkdir(parents=True)
        shutil.copyfile(notebook, folder / f"{name}.ipynb")
        return grade([folder.parent], solutions, exercises=[name], **options)


def _exercise_name(stem: str, known: dict[str, Path]) -> str:
    if stem in known:
        return stem
    number = stem.split("_", 1)[0]
    same = [name for name in known if number.isdigit() and name.split("_", 1)[0] == number]
    if len(same) == 1:
        return same[0]
    raise GradingError(f"no solution matches {stem!r}; known exercises: "
                       f"{', '.join(sorted(known)) or 'none'}")
