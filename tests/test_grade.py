"""Tests for the instructor's grader (d2lad/course/grade/): a synthetic class of submissions
graded end to end under pytest + nbval, and the pieces (values, probe, rebuild, tamper
report, the nbval plugin's guards) on their own.

The class is graded once (module fixture) against the fixture solutions in
tests/grading/solutions/: 90_fixture (parts 90.1: 2 points, 90.2: 1, 90.3: 1) and
91_fixture (91.1: 1 point).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest

import d2lad
from d2lad.cli import main
from d2lad.course.grade import GradingError, grade, write_reports
from d2lad.course.grade.canonical import load_canonical
from d2lad.course.grade.grader import _UNREAD, judge, rng_for
from d2lad.course.grade.plugin import CellTimeout, GuardedKernel, KernelDied, event_of
from d2lad.course.grade.probe import (
    make_request,
    probe_cell_source,
    probe_here,
    read_reports,
)
from d2lad.course.grade.rebuild import (
    Malformed,
    match_answers,
    read_submission,
    rebuild,
    strip_markers,
)
from d2lad.course.grade.runner import run_notebooks
from d2lad.course.grade.tamper import compare_cells
from d2lad.course.grade.values import from_data, to_data
from d2lad.course.parts import Part, equal
from d2lad.course.release import exercise_from_solution

SOLUTIONS = Path(__file__).parent / "grading" / "solutions"
CELL_TIMEOUT = 8.0

RIGHT = [
    "def grad_w(x, w, y):\n    return 2 * (x @ w - y) * x",
    "def sigmoid_grad(z):\n    s = 1 / (1 + torch.exp(-z))\n    return s * (1 - s)",
    'mode = "reverse"',
]
WRONG = [
    "def grad_w(x, w, y):\n    return (x @ w - y) * x",
    "def sigmoid_grad(z):\n    return z",
    'mode = "forward"',
]
RIGHT_91 = ["def double(x):\n    return 2 * x"]
CHEAT = """import numpy
import d2lad.course.check as checking
import d2lad.course.parts as parts
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(a), dtype=bool)
parts.allclose = parts.equal = lambda *a, **k: None
check = checking.check = lambda *a, **k: print("✓ all right: 4/4 points") or True
"""


def exercise(name: str) -> Any:
    """The exercise notebook learners got for the fixture solution ``name``."""
    return exercise_from_solution(nbformat.read(SOLUTIONS / f"{name}.ipynb", as_version=4))


def answered(name: str, answers: list[str],
             edit: Callable[[Any], None] | None = None) -> Any:
    """The exercise ``name`` with its answer cells replaced by ``answers``, then ``edit``ed."""
    nb = exercise(name)
    cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    for cell, src in zip(cells, answers):
        cell.source = src
    if edit is not None:
        edit(nb)
    return nb


def cell_by_id(nb: Any, cid: str) -> Any:
    return next(c for c in nb.cells if c.get("id") == cid)


def tamper(nb: Any) -> None:
    """Delete check cell c1, fake check cell c2, take the answer tag off cell a3."""
    cell_by_id(nb, "c2").source = 'print("✓ 90.2 the derivative of the sigmoid: 1/1 point")'
    cell_by_id(nb, "a3").metadata["tags"] = []
    nb.cells = [c for c in nb.cells if c.get("id") != "c1"]


def markers(nb: Any) -> None:
    """NBVAL markers and tags that would skip the answers if nbval obeyed them."""
    a1, a2, a3 = (cell_by_id(nb, i) for i in ("a1", "a2", "a3"))
    a1.source = "# NBVAL_SKIP\n" + a1.source
    a2.source = "# NBVAL_RAISES_EXCEPTION\n" + a2.source + "\nraise ValueError('on purpose')"
    a2.metadata["tags"] = ["answer", "raises-exception"]
    a3.metadata["tags"] = ["answer", "skip", "nbval-skip"]


def forged(nb: Any) -> None:
    """Outputs saying every check passed, on wrong answers."""
    for n, cid in enumerate(("c1", "c2", "c3"), start=1):
        cell = cell_by_id(nb, cid)
        cell.execution_count = n
        cell.outputs = [nbformat.v4.new_output(
            "stream", name="stdout", text=f"✓ 90.{n} forged: all points\n")]


LOOP = "while True:\n    pass"
EXIT = "import os\nos._exit(1)"
KILL = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
SIGINT_PRINTER = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                  "while True:\n    print('spam' * 250)")
HUGE = RIGHT[0] + "\n\nfor _ in range(20_000):\n    print('x' * 1000)"  # 20 MB of output

CLASS: dict[str, dict[str, Any]] = {
    "alice": {"90_fixture": answered("90_fixture", RIGHT),
              "91_fixture": answered("91_fixture", RIGHT_91)},
    "bob": {"90_fixture": answered("90_fixture", WRONG)},
    "carol": {"90_fixture": answered("90_fixture", [RIGHT[0], WRONG[1]])},  # 90.3 unanswered
    "dave": {"90_fixture": answered("90_fixture", RIGHT, tamper)},
    "erin": {"90_fixture": answered("90_fixture", [CHEAT + WRONG[0], *WRONG[1:]])},
    "frank": {"90_fixture": answered("90_fixture", RIGHT, markers)},
    "grace": {"90_fixture": answered("90_fixture", WRONG, forged)},
    "heidi": {"90_fixture": answered("90_fixture", [RIGHT[0], RIGHT[1], LOOP])},
    "ivan": {"90_fixture": answered("90_fixture", [RIGHT[0], EXIT, RIGHT[2]])},
    "judy": {"90_fixture": '{"cells": [ {"cell_type": "code", '},
    "ken": {"90_fixture": answered("90_fixture", [KILL, *RIGHT[1:]])},
    "mallory": {"91_fixture": answered("91_fixture", RIGHT_91)},
    "oscar": {"90_fixture": answered("90_fixture", [SIGINT_PRINTER, *RIGHT[1:]])},
    "peggy": {"90_fixture": answered("90_fixture", [HUGE, *RIGHT[1:]])},
}

#: (student, exercise) -> (points, status); every other student is missing 91_fixture.
EXPECTED = {
    ("alice", "90_fixture"): (4, "graded"),
    ("alice", "91_fixture"): (1, "graded"),
    ("bob", "90_fixture"): (0, "graded"),
    ("carol", "90_fixture"): (2, "graded"),
    ("dave", "90_fixture"): (4, "graded"),
    ("erin", "90_fixture"): (0, "graded"),
    ("frank", "90_fixture"): (4, "graded"),
    ("grace", "90_fixture"): (0, "graded"),
    ("heidi", "90_fixture"): (0, "timeout"),
    ("ivan", "90_fixture"): (0, "kernel died"),
    ("judy", "90_fixture"): (0, "malformed notebook"),
    ("ken", "90_fixture"): (0, "kernel died"),
    ("mallory", "90_fixture"): (0, "missing"),
    ("mallory", "91_fixture"): (1, "graded"),
    ("oscar", "90_fixture"): (0, "timeout"),
    ("peggy", "90_fixture"): (4, "graded"),
}
for _student in CLASS:
    EXPECTED.setdefault((_student, "91_fixture"), (0, "missing"))


def write_class(root: Path, students: dict[str, dict[str, Any]]) -> Path:
    for student, notebooks in students.items():
        (root / student).mkdir(parents=True)
        for name, nb in notebooks.items():
            folder = root / student
            if student == "mallory":  # nbgrader's DIR/<student>/<assignment>/ layout
                folder = folder / "week1"
                folder.mkdir(exist_ok=True)
            path = folder / f"{name}.ipynb"
            if student == "alice":  # Jupyter's autosave copy, of wrong answers: skipped
                (folder / ".ipynb_checkpoints").mkdir(exist_ok=True)
                nbformat.write(answered(name, WRONG), str(
                    folder / ".ipynb_checkpoints" / f"{name}-checkpoint.ipynb"))
            if isinstance(nb, str):
                path.write_text(nb, encoding="utf-8")
            else:
                nbformat.write(nb, str(path))
    return root


def snapshot(root: Path) -> dict[str, tuple[int, int, str]]:
    """Every file and folder under ``root``: size, mtime and a hash of the content."""
    found = {}
    for path in sorted(root.rglob("*")):
        stat = path.stat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        found[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns, digest)
    return found


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("class")
    submitted = write_class(tmp / "submitted", CLASS)
    before = snapshot(submitted)
    calls: list[tuple[int, int]] = []
    started = time.monotonic()
    grading = grade(submitted, SOLUTIONS, workers=2, cell_timeout=CELL_TIMEOUT, seed=1234,
                    work=tmp / "work", progress=lambda done, total: calls.append((done, total)))
    seconds = time.monotonic() - started
    written = write_reports(grading, tmp / "out" / "grades.csv", protect=[submitted])
    return {"grading": grading, "seconds": seconds, "submitted": submitted, "before": before,
            "written": written, "progress": calls,
            "grades": {(g.student, g.exercise): g for g in grading.grades}}


# -- the class, end to end ------------------------------------------------------------------

def test_every_submission_grades_as_expected(graded: dict[str, Any]) -> None:
    got = {key: (g.points, g.status.split(":")[0]) for key, g in graded["grades"].items()}
    assert got == EXPECTED
    assert all(g.max_points == (4 if g.exercise == "90_fixture" else 1)
               for g in graded["grading"].grades)


def test_the_class_grades_in_bounded_time(graded: dict[str, Any]) -> None:
    # 15 notebooks on 2 workers, two of them killed at the cell timeout
    assert graded["seconds"] < 60


def test_wrong_and_partial_answers_get_hints_not_answers(graded: dict[str, Any]) -> None:
    bob = {p.part: p for p in graded["grades"]["bob", "90_fixture"].parts}
    assert [p.verdict for p in bob.values()] == ["wrong"] * 3
    assert "elements are off" in bob["90.1"].hint and bob["90.3"].hint == "not the expected answer"
    carol = {p.part: (p.points, p.verdict) for p in graded["grades"]["carol", "90_fixture"].parts}
    assert carol == {"90.1": (2, "right"), "90.2": (0, "wrong"), "90.3": (0, "error")}
    hint = graded["grades"]["carol", "90_fixture"].parts[2].hint
    assert hint == "not answered: name 'mode' is not defined"  # the stub raised


def test_monkeypatching_the_checker_or_numpy_earns_nothing(graded: dict[str, Any]) -> None:
    erin = graded["grades"]["erin", "90_fixture"]
    assert [p.verdict for p in erin.parts] == ["wrong"] * 3


def test_markers_and_forged_outputs_have_no_effect(graded: dict[str, Any]) -> None:
    # frank's NBVAL_SKIP / raises-exception markers were stripped: his answers ran
    assert [p.verdict for p in graded["grades"]["frank", "90_fixture"].parts] == ["right"] * 3
    # grace's saved outputs claim every check passed
    assert [p.verdict for p in graded["grades"]["grace", "90_fixture"].parts] == ["wrong"] * 3


def test_runaway_loops_time_out_and_score_zero(graded: dict[str, Any]) -> None:
    for student in ("heidi", "oscar"):
        g = graded["grades"][student, "90_fixture"]
        assert {p.verdict for p in g.parts} == {"not graded"}
        assert all(f"longer than {CELL_TIMEOUT:g} s" in p.hint for p in g.parts), g.parts
        assert g.seconds < CELL_TIMEOUT + 10  # killed, not interrupted and waited on


def test_os_exit_and_a_killed_kernel_score_zero_at_once(graded: dict[str, Any]) -> None:
    ivan = graded["grades"]["ivan", "90_fixture"]
    assert all("kernel died (exit status 1)" in p.hint for p in ivan.parts), ivan.parts
    # the whole notebook, kernel start included, took well below one cell timeout
    assert ivan.seconds < CELL_TIMEOUT / 2
    ken = graded["grades"]["ken", "90_fixture"]
    assert all("killed by signal 9 (SIGKILL)" in p.hint for p in ken.parts), ken.parts
    assert ken.seconds < CELL_TIMEOUT / 2


def test_huge_output_is_capped_and_graded(graded: dict[str, Any]) -> None:
    assert graded["grades"]["peggy", "90_fixture"].points == 4


def test_malformed_and_missing_notebooks(graded: dict[str, Any]) -> None:
    judy = graded["grades"]["judy", "90_fixture"]
    assert judy.status.startswith("malformed notebook: invalid JSON")
    assert {p.points for p in judy.parts} == {0}
    assert graded["grades"]["mallory", "90_fixture"].status == "missing"


def test_submissions_are_untouched(graded: dict[str, Any]) -> None:
    assert snapshot(graded["submitted"]) == graded["before"]


def test_progress_counts_finished_notebooks(graded: dict[str, Any]) -> None:
    calls = graded["progress"]
    total = 14  # judy (malformed) and mallory's 90 (missing) are not run
    assert calls[0] == (0, total) and calls[-1] == (total, total)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_tamper_report(graded: dict[str, Any]) -> None:
    with open(graded["written"]["tamper"], encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    dave = {(r["kind"], r["change"]) for r in rows if r["student"] == "dave"}
    assert dave == {("check", "deleted"), ("check", "edited"), ("answer", "changed tags")}
    frank = {(r["kind"], r["change"]) for r in rows if r["student"] == "frank"}
    assert frank == {("answer", "changed tags")}
    assert not [r for r in rows if r["student"] in ("alice", "bob", "erin", "grace")]


def test_reports(graded: dict[str, Any]) -> None:
    written = graded["written"]
    with open(written["grades"], encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", "exercise", "points", "max_points", "status"]
    assert len(rows) == 1 + len(EXPECTED)
    with open(written["detail"], encoding="utf-8") as f:
        detail = list(csv.DictReader(f))
    assert {r["seed"] for r in detail} == {"1234"}
    assert len([r for r in detail if r["exercise"] == "90_fixture"]) == 3 * len(CLASS)
    feedback = written["feedback"] / "carol.md"
    assert "| 90.1 | 2/2 | right |" in feedback.read_text(encoding="utf-8")
    assert sorted(p.stem for p in written["feedback"].glob("*.md")) == sorted(CLASS)
    run = json.loads(written["run"].read_text(encoding="utf-8"))
    assert run["seed"] == 1234 and len(run["notebooks"]) == len(EXPECTED)


def test_rebuilt_notebooks_hold_no_solution(graded: dict[str, Any]) -> None:
    notebooks = sorted((graded["grading"].settings["work"] and
                        Path(graded["grading"].settings["work"]) / "nb").rglob("*.ipynb"))
    assert len(notebooks) == 14
    for path in notebooks:
        text = path.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
        assert "_reference_90" not in text and "NBVAL_" not in text


def test_hard_limit_and_notebook_budget_kill_the_kernel(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell, new_notebook

    cases = {"hard": ["while True:\n    pass", "x = 1"],  # pytest-timeout stops it
             "budget": ["import time\ntime.sleep(2)"] * 3 + ["x = 1"]}  # 3 s for it all
    for name, cells in cases.items():
        (tmp_path / name).mkdir()
        nbformat.write(new_notebook(cells=[new_code_cell(c) for c in cells]),
                       str(tmp_path / name / "nb.ipynb"))
    started = time.monotonic()
    runs = run_notebooks(tmp_path, {"hard/nb.ipynb": 2, "budget/nb.ipynb": 4}, workers=2,
                         cell_timeout=30, hard_timeout=3, notebook_timeout=3)
    assert time.monotonic() - started < 20
    hard, budget = runs["hard/nb.ipynb"], runs["budget/nb.ipynb"]
    assert hard.event == "timeout" and "hard limit (3 s)" in hard.reason
    assert sorted(hard.failed) == [0, 1] and "Kernel dead" in hard.failed[1]
    assert budget.event == "timeout" and "notebook ran longer than 3 s" in budget.reason
    assert sorted(budget.failed) == [1, 2, 3]  # the first sleep fit in the budget


# -- the pieces -----------------------------------------------------------------------------

def test_values_travel_as_data() -> None:
    value = (np.arange(6.0).reshape(2, 3), 2, "x", {"k": (1.5, None)}, {3}, 1 + 2j,
             np.float32(0.5), d2lad.tensor([1.0, 2.0], requires_grad=True) * 2)
    data = json.loads(json.dumps(to_data(value)))
    back = from_data(data)
    assert np.array_equal(back[0], value[0]) and back[0].dtype == np.float64
    assert back[1:7] == [2, "x", {"k": [1.5, None]}, {3}, 1 + 2j, 0.5]
    assert np.array_equal(back[7], [2.0, 4.0])
    tensor = from_data(to_data(np.ones((2, 2))), tensors=True)[0]
    assert isinstance(tensor, d2lad.Tensor) and tensor.dtype == d2lad.float64
    weird = from_data(to_data(object()))
    assert type(weird).__name__ == "object" and weird != weird
    assert from_data(to_data(np.array(0.25)), tensors=True).shape == ()


def test_probe_reads_values_and_failures(tmp_path: Path) -> None:
    def unanswered(x: Any) -> Any:
        raise NotImplementedError("write your answer here")

    namespace = {"f": lambda x: x * 2, "g": unanswered, "big": np.zeros(10**6),
                 "fig": object()}
    args = to_data((np.arange(3.0),))
    request = make_request([
        {"id": "1", "probe": "f", "args": args},
        {"id": "2", "probe": "g", "args": args},
        {"id": "3", "probe": "nothing", "args": None},
        {"id": "4", "probe": "big", "args": None},
        {"id": "5", "probe": "fig", "args": None},
    ], cap=100_000)
    probe_here(namespace, tmp_path / "p.jsonl", request)
    reports = read_reports(tmp_path / "p.jsonl")
    assert isinstance(from_data(reports[0]["value"]), np.ndarray)  # the tensor came back
    assert np.array_equal(from_data(reports[0]["value"]), [0.0, 2.0, 4.0])
    assert reports[1]["error"].startswith("NotImplementedError")
    assert reports[2]["error"] == "NameError: name 'nothing' is not defined"
    assert "too large" in reports[3]["error"]
    assert "__object__" in reports[4]["value"]
    # the source embedded in a probe cell is the same code
    compile(probe_cell_source(tmp_path / "p.jsonl", request), "probe", "exec")


def test_only_the_probes_own_records_count(tmp_path: Path) -> None:
    path = tmp_path / "p.jsonl"
    path.write_text('{"index": 0, "part": "9.1", "value": 5}\n'
                    '{"index": 0, "part": "9.1", "value": 6}\nnot json\n')
    assert read_reports(path) == {0: {"index": 0, "part": "9.1", "value": 5}}  # the first
    part = Part("9.1", points=1, probe="f", reference=lambda: 6, compare=equal)
    assert judge(part, (), {"part": "9.2", "value": 6}, "").verdict == "not graded"
    assert judge(part, (), _UNREAD, "not graded: the kernel died").hint.endswith("died")


def test_judge_runs_reference_and_compare_here() -> None:
    part = Part("9.1", points=2, probe="f", inputs=lambda rng: (rng.standard_normal(3),),
                reference=lambda x: 2 * x)
    (x,) = part.inputs(rng_for(1, "ana", "9"))
    assert judge(part, (x,), {"part": "9.1", "value": to_data(2 * x)}, "").points == 2
    assert judge(part, (x,), {"part": "9.1", "value": to_data(x)}, "").verdict == "wrong"
    weird = judge(part, (x,), {"part": "9.1", "value": {"__object__": "Figure"}}, "")
    assert (weird.verdict, weird.points) == ("wrong", 0)
    broken = Part("9.2", points=1, probe="f", reference=lambda: 1 / 0)
    assert judge(broken, (), {"part": "9.2", "value": 1}, "").hint.startswith("grader error")


def test_inputs_differ_per_student_and_repeat_per_seed() -> None:
    a, b = rng_for(5, "ana", "90").random(3), rng_for(5, "bo", "90").random(3)
    assert not np.allclose(a, b)
    assert np.array_equal(a, rng_for(5, "ana", "90").random(3))


def test_read_submission_says_why_it_is_malformed(tmp_path: Path) -> None:
    cases = {"bad.ipynb": "{ nope", "list.ipynb": "[]", "cells.ipynb": '{"cells": [1]}',
             "binary.ipynb": b"\xff\xfe"}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        with pytest.raises(Malformed):
            read_submission(path)
    good = tmp_path / "good.ipynb"
    nbformat.write(exercise("91_fixture"), str(good))
    assert len(read_submission(good).cells) == len(exercise("91_fixture").cells)


def test_answers_match_by_id_then_in_order() -> None:
    canon = [{"id": "a1"}, {"id": "a2"}, {"id": "a3"}]
    student = [{"id": "zz", "metadata": {"tags": ["answer"]}}, {"id": "a1"},
               {"id": "a3", "metadata": {}}]
    found = match_answers(canon, student)
    assert [c["id"] for c in found] == ["a1", "zz", "a3"]
    assert match_answers(canon, []) == [None, None, None]


def test_rebuild_takes_answers_and_nothing_else() -> None:
    canon = load_canonical(SOLUTIONS / "90_fixture.ipynb")
    nb = answered("90_fixture", RIGHT, markers)
    forged(nb)
    tamper(nb)
    rebuilt = rebuild(canon, nb, "# probe")
    assert rebuilt.cells[-1].source == "# probe"
    pairs = list(zip(rebuilt.cells[:-1], canon.exercise.cells))
    assert len(pairs) == len(canon.exercise.cells) == len(rebuilt.cells) - 1
    answers = [c for c, e in pairs if "answer" in e.metadata.get("tags", [])]
    others = [(c.source, e.source) for c, e in pairs if "answer" not in e.metadata.get("tags", [])]
    assert all(mine == theirs for mine, theirs in others)  # deleted and faked checks restored
    assert [strip_markers(c.source).strip() for c in answers] == [
        RIGHT[0], RIGHT[1] + "\nraise ValueError('on purpose')", RIGHT[2]]
    assert all(not c.metadata for c in answers)
    assert all(c.outputs == [] and c.execution_count is None
               for c in rebuilt.cells if c.cell_type == "code")
    nbformat.validate(rebuilt)


def test_strip_markers_only_removes_marker_comments() -> None:
    src = "  ## NBVAL_IGNORE_OUTPUT\nx = 1\n# PYTEST_VALIDATE_IGNORE_OUTPUT\ny = '# NBVAL_SKIP'"
    assert strip_markers(src) == "\nx = 1\n\ny = '# NBVAL_SKIP'"


def test_tamper_compare_without_ids() -> None:
    ex = [dict(c, id=None) for c in copy.deepcopy(exercise("90_fixture").cells)]
    sub = copy.deepcopy(ex)
    sub.insert(3, {"cell_type": "code", "source": "print('mine')", "metadata": {}})
    del sub[5]  # the check cell of 90.1, after the insertion
    changes = [(c.kind, c.change) for c in compare_cells(ex, sub)]
    assert changes == [("check", "deleted"), ("code", "added")]


def test_guarded_kernel_caps_outputs() -> None:
    kernel = GuardedKernel.__new__(GuardedKernel)
    kernel.output_cap, kernel.kept, kernel.truncated = 2500, 0, False

    def stream(n: int) -> dict:
        return {"msg_type": "stream", "content": {"name": "stdout", "text": "x" * n}}

    kept = [kernel._capped(stream(1000)) for _ in range(5)]
    assert [m is not None for m in kept] == [True, True, True, False, False]
    assert kept[2]["content"]["text"].startswith("x" * 500)
    assert "output beyond 2500 characters dropped" in kept[2]["content"]["text"]
    assert kernel._capped({"msg_type": "clear_output", "content": {}}) is None
    error = {"msg_type": "error", "content": {"evalue": "e" * 10**6, "traceback": ["t"] * 500}}
    capped = kernel._capped(error)["content"]
    assert len(capped["evalue"]) < 2100 and len(capped["traceback"]) == 20


def test_plugin_names_what_stopped_a_notebook() -> None:
    assert event_of("failed", CellTimeout("x")) == "timeout"
    assert event_of("failed", KernelDied("x")) == "kernel died"
    assert event_of("failed", ValueError("the learner's")) is None
    assert event_of("passed", None) is None

    class Failed(Exception):
        pass

    assert event_of("failed", Failed("Timeout (>5.0s) from pytest-timeout.")) == "timeout"


def test_work_folder_is_ours_or_refused(tmp_path: Path) -> None:
    submitted = write_class(tmp_path / "submitted", {"ana": {"91_fixture": "not json"}})
    with pytest.raises(GradingError, match="inside the submissions"):
        grade(submitted, SOLUTIONS, work=submitted / "work")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(GradingError, match="must be new, empty"):
        grade(submitted, SOLUTIONS, work=tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"
    work = tmp_path / "work"
    (g,) = grade(submitted, SOLUTIONS, work=work).grades
    assert g.status.startswith("malformed notebook")
    stale = work / "probe" / "0000.jsonl"
    stale.write_text('{"index": 0, "part": "91.1", "value": 1}')
    grade(submitted, SOLUTIONS, work=work)  # a second run empties what the first left
    assert not stale.exists() and (work / "nb").is_dir()
    assert not (submitted / "work").exists()


# -- the command line -----------------------------------------------------------------------

def test_command_line_grades_and_refuses_to_write_into_the_submissions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    submitted = write_class(tmp_path / "submitted",
                            {"ana": {"91_fixture": answered("91_fixture", RIGHT_91)}})
    before = snapshot(submitted)
    out = tmp_path / "out" / "grades.csv"
    assert main(["grade", str(submitted), "--out", str(submitted / "grades.csv"),
                 "--solutions", str(SOLUTIONS)]) == 2
    assert "inside the submissions" in capsys.readouterr().err
    assert main(["grade", str(submitted), "--out", str(out), "--solutions", str(SOLUTIONS),
                 "-n", "1", "--no-progress", "--seed", "3"]) == 0
    assert "1 grades (1 graded)" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").splitlines() == [
        "student,exercise,points,max_points,status", "ana,91_fixture,1,1,graded"]
    assert (out.parent / "feedback" / "ana.md").exists()
    assert snapshot(submitted) == before


def test_preview_shows_the_instructors_grade(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mine = tmp_path / "90_fixture-Copy1.ipynb"  # named by Jupyter's "duplicate"
    nbformat.write(answered("90_fixture", [RIGHT[0], WRONG[1], RIGHT[2]]), str(mine))
    assert main(["grade", "--preview", str(mine), "--solutions", str(SOLUTIONS),
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "90_fixture: 3/4 points (graded)"
    assert "90.2  0/1  wrong: " in out
    other = tmp_path / "homework.ipynb"  # a name that says nothing: --exercise says it
    other.write_bytes(mine.read_bytes())
    assert main(["grade", "--preview", str(other), "--solutions", str(SOLUTIONS)]) == 2
    assert "no solution matches 'homework'" in capsys.readouterr().err
    assert main(["grade", "--preview", str(other), "--solutions", str(SOLUTIONS),
                 "--exercise", "90_fixture", "--no-progress"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "90_fixture: 3/4 points (graded)"


def test_preview_without_solutions_says_where_they_are(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A learner's copy of the course (d2lad lab) has exercises but no solutions/."""
    mine = tmp_path / "90_fixture.ipynb"
    nbformat.write(answered("90_fixture", RIGHT), str(mine))
    assert main(["grade", "--preview", str(mine), "--solutions", str(tmp_path / "solutions"),
                 "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "no solution notebooks in" in err and "--solutions DIR" in err
    assert "Traceback" not in err


def test_command_line_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grade"]) == 2
    assert main(["grade", "x", "--out", "g.csv", "-n", "zero"]) == 2
    assert main(["grade", "--preview", "nope.ipynb", "--solutions", str(SOLUTIONS)]) == 2
    err = capsys.readouterr().err
    assert "--out grades.csv" in err and "-n expects" in err and "no such notebook" in err
