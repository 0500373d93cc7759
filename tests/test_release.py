"""Tests for the exercise format and ``d2lad release`` (d2lad/course/release.py).

- the committed ``exercises/`` are exactly what ``release`` makes of ``solutions/``;
- the transformations and the error messages, on small synthetic notebooks;
- the command line;
- every part of every solution: one checker and one ``Part``, with equal points, and a check
  cell; the solutions' saved check lines all show ✓ (nbval re-runs the solutions and compares
  them, since ``solutions`` is in pytest's testpaths); the solutions pass their Parts;
- the generated exercises, run in a kernel, fail every part.
"""

from __future__ import annotations

import ast
import contextlib
import io
import linecache
import os
import re
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from d2lad.cli import main
from d2lad.course import release as rel
from d2lad.course.check import REGISTRY, _load_all
from d2lad.course.notebooks import KERNELSPEC, LANGUAGE

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
CHECKS = ROOT / "d2lad" / "course" / "checks"
SOLUTION_PATHS = sorted(SOLUTIONS.glob("*.ipynb"))
CHECK_LINE = re.compile(r"^([✓✗?]) (\d\d\.\d+)\b", re.MULTILINE)
PART_ID = re.compile(r"^\d\d\.\d+$")


def ids(paths: list[Path]) -> list[str]:
    return [p.stem for p in paths]


# --------------------------------------------------------------------------- the committed files


def test_committed_exercises_are_what_release_makes(tmp_path: Path) -> None:
    written = rel.release(SOLUTIONS, tmp_path)
    assert [p.name for p in written] == [p.name for p in SOLUTION_PATHS]
    made = {p.name: p.read_bytes() for p in tmp_path.glob("*.ipynb")}
    committed = {p.name: p.read_bytes() for p in EXERCISES.glob("*.ipynb")}
    assert sorted(committed) == sorted(made), "run d2lad release (or remove stale exercises)"
    differing = [name for name in made if made[name] != committed[name]]
    assert not differing, f"exercises out of date, run d2lad release: {differing}"
    assert rel.outdated(SOLUTIONS, EXERCISES) == []


def test_release_is_deterministic_and_leaves_the_solution_alone() -> None:
    for path in SOLUTION_PATHS:
        nb = nbformat.read(path, as_version=4)
        before = nbformat.writes(nb)
        first = rel.render(rel.exercise_from_solution(nb, path.name))
        assert nbformat.writes(nb) == before
        assert rel.render(rel.exercise_from_solution(nb, path.name)) == first
        assert rel.exercise_text(path) == first


# ------------------------------------------------------------------- synthetic notebooks


def notebook(*cells: Any) -> Any:
    nb = new_notebook(cells=list(cells))
    nb.metadata = {"kernelspec": {"name": "other", "display_name": "x", "language": "python"},
                   "widgets": {"state": {}}, "toc": {"x": 1}}
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
    return nb


def code(source: str, *tags: str, **metadata: Any) -> Any:
    if tags:
        metadata["tags"] = list(tags)
    return new_code_cell(source, metadata=metadata)


HIDDEN = "### BEGIN HIDDEN TESTS\nPARTS += []\n### END HIDDEN TESTS"


def test_the_transformations() -> None:
    answer = code(
        "def f(x):\n"
        '    """Twice x."""\n'
        "    ### BEGIN SOLUTION\n"
        "    y = 2 * x\n"
        "    return y\n"
        "    ### END SOLUTION\n"
        "\n"
        "print(f(1))",
        "answer", collapsed=True, execution={"iopub.status.busy": "2026-01-01"})
    answer.outputs = [new_output("stream", name="stdout", text="2\n")]
    answer.execution_count = 7
    two_blocks = code("### BEGIN SOLUTION\na = 1\n### END SOLUTION\nb = 2\n"
                      "\t### BEGIN SOLUTION  \nc = 3\n\t### END SOLUTION", "answer", "other")
    setup = code("from d2lad.course.parts import Part, allclose, equal\nPARTS = []")
    setup.outputs = [new_output("execute_result", data={"text/plain": "1"}, execution_count=1)]
    setup.execution_count = 1
    nb = notebook(new_markdown_cell("# Task\n### BEGIN not a marker", metadata={"tags": ["x"]}),
                  setup, answer, code(HIDDEN, "hidden-tests"), two_blocks,
                  code('check("01.1", "f")'), code("  \n" + HIDDEN + "\n\n", "hidden-tests"))
    ex = rel.exercise_from_solution(nb, "demo.ipynb")

    assert [c.id for c in ex.cells] == ["cell-0", "cell-1", "cell-2", "cell-4", "cell-5"]
    assert ex.cells[0].source == "# Task\n### BEGIN not a marker"
    assert ex.cells[0].metadata == {"tags": ["x"]}
    assert ex.cells[2].source == ('def f(x):\n    """Twice x."""\n'
                                  '    raise NotImplementedError("write your answer here")\n'
                                  "\nprint(f(1))")
    assert ex.cells[3].source == (f"{rel.STUB}\nb = 2\n\t{rel.STUB}")
    assert ex.cells[2].metadata == {"tags": ["answer"]}
    assert ex.cells[3].metadata == {"tags": ["answer", "other"]}
    for cell in ex.cells[1:]:
        assert cell.outputs == [] and cell.execution_count is None
    assert ex.metadata == {"kernelspec": KERNELSPEC, "language_info": LANGUAGE}
    assert nb.cells[2].outputs and "BEGIN SOLUTION" in nb.cells[2].source  # input unchanged
    text = rel.render(ex)
    assert text.endswith("}\n") and nbformat.reads(text, as_version=4) == ex


def test_cells_without_ids_get_stable_ids() -> None:
    nb = notebook(code("x = 1"), code("y = 2"))
    for cell in nb.cells:
        del cell["id"]
    first = rel.exercise_from_solution(nb)
    assert [c.id for c in first.cells] == [c.id for c in rel.exercise_from_solution(nb).cells]
    assert len({c.id for c in first.cells}) == 2
    nbformat.validate(first)


def test_an_exercise_is_its_own_exercise() -> None:
    for path in SOLUTION_PATHS:
        ex = rel.exercise_from_solution(nbformat.read(path, as_version=4))
        assert rel.render(rel.exercise_from_solution(ex)) == rel.render(ex)


ERRORS = {
    "unclosed": (code("x = 1\n### BEGIN SOLUTION\ny = 2", "answer"), "cell 2",
                 "line 2: ### BEGIN SOLUTION is never closed"),
    "end without begin": (code("y = 2\n  ### END SOLUTION", "answer"), "cell 2",
                          "line 2: ### END SOLUTION without"),
    "nested": (code("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION", "answer"),
               "cell 2", "line 2: ### BEGIN SOLUTION inside the solution block opened on line 1"),
    "not tagged answer": (code("### BEGIN SOLUTION\ny = 2\n### END SOLUTION", "answers"),
                          "cell 2", "not tagged 'answer'"),
    "in markdown": (new_markdown_cell("### END SOLUTION", metadata={"tags": ["answer"]}),
                    "cell 2", "in a markdown cell"),
    "code before hidden tests": (code("x = 1\n" + HIDDEN, "hidden-tests"), "cell 2",
                                 "nothing outside them"),
    "code after hidden tests": (code(HIDDEN + "\nx = 1", "hidden-tests"), "cell 2",
                                "nothing outside them"),
    "hidden tests nested": (code(HIDDEN.replace("PARTS", "### END HIDDEN TESTS\nPARTS"),
                                 "hidden-tests"), "cell 2", "inside the hidden tests"),
    "hidden markers untagged": (code(HIDDEN), "cell 2", "not tagged 'hidden-tests'"),
    "hidden tests in markdown": (new_markdown_cell(HIDDEN, metadata={"tags": ["hidden-tests"]}),
                                 "cell 2", "must be a code cell"),
    "text after a marker": (code("x = 1\n    ### BEGIN SOLUTION (a loop)\n### END SOLUTION",
                                 "answer"), "cell 2",
                            "line 2: ### BEGIN SOLUTION followed by '(a loop)'"),
    "hidden and answer": (code(HIDDEN, "hidden-tests", "answer"), "cell 2",
                          "must be a code cell without the tag 'answer'"),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_format_errors_name_the_notebook_and_cell(case: str) -> None:
    cell, where, what = ERRORS[case]
    nb = notebook(new_markdown_cell("intro"), cell)
    with pytest.raises(rel.ReleaseError) as err:
        rel.exercise_from_solution(nb, "solutions/99_bad.ipynb")
    message = str(err.value)
    assert message.startswith(f"solutions/99_bad.ipynb, {where} (")
    assert what in message


def write(nb: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def good() -> Any:
    return notebook(code("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
                         "answer"), code(HIDDEN, "hidden-tests"))


def test_an_error_writes_nothing(tmp_path: Path) -> None:
    write(good(), tmp_path / "s" / "01_good.ipynb")
    write(notebook(code("### BEGIN SOLUTION", "answer")), tmp_path / "s" / "02_bad.ipynb")
    with pytest.raises(rel.ReleaseError, match="02_bad.ipynb, cell 1"):
        rel.release(tmp_path / "s", tmp_path / "e")
    assert not (tmp_path / "e").exists()


# ------------------------------------------------------------------------- the command line


def test_cli_release_and_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    s, e = tmp_path / "s", tmp_path / "e"
    write(good(), s / "01_a.ipynb")
    args = ["release", "--solutions", str(s), "--exercises", str(e)]

    assert main([*args, "--check"]) == 1
    assert f"{e / '01_a.ipynb'}: missing" in capsys.readouterr().out
    assert not e.exists()

    assert main(args) == 0
    assert f"{e / '01_a.ipynb'}: written" in capsys.readouterr().out
    made = (e / "01_a.ipynb").read_bytes()
    assert rel.STUB in nbformat.reads(made.decode(), as_version=4).cells[0].source
    assert b"BEGIN" not in made
    assert main(args) == 0
    assert "unchanged" in capsys.readouterr().out
    assert main([*args, "--check"]) == 0
    assert "up to date" in capsys.readouterr().out

    (e / "01_a.ipynb").write_bytes(made.replace(b"write your", b"type your"))
    (e / "07_orphan.ipynb").write_bytes(made)
    assert main([*args, "--check"]) == 1
    out = capsys.readouterr()
    assert f"{e / '01_a.ipynb'}: differs from what {s / '01_a.ipynb'} gives" in out.out
    assert f"{e / '07_orphan.ipynb'}: has no solution" in out.out
    assert "2 exercise notebooks out of date" in out.err
    assert b"type your" in (e / "01_a.ipynb").read_bytes()  # --check writes nothing

    assert main(args) == 0
    out = capsys.readouterr()
    assert (e / "01_a.ipynb").read_bytes() == made
    assert "07_orphan.ipynb has no solution" in out.err and (e / "07_orphan.ipynb").exists()


def test_cli_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(notebook(code("### END SOLUTION", "answer")), tmp_path / "s" / "01_bad.ipynb")
    assert main(["release", "--solutions", str(tmp_path / "s"),
                 "--exercises", str(tmp_path / "e")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("d2lad release: ") and "01_bad.ipynb, cell 1" in err
    assert main(["release", "--solutions", str(tmp_path / "none")]) == 2
    assert "no solutions folder" in capsys.readouterr().err
    (tmp_path / "s" / "01_bad.ipynb").write_text("{not json", encoding="utf-8")
    assert main(["release", "--solutions", str(tmp_path / "s"), "--exercises",
                 str(tmp_path / "e"), "--check"]) == 2
    assert "01_bad.ipynb: not a readable notebook" in capsys.readouterr().err


# --------------------------------------------------------------- parts, checkers and checks


def checker_declarations() -> list[tuple[str, str, int]]:
    """(module, part, points) of every ``@checker(...)`` in d2lad/course/checks, read from the
    source so that a part registered twice is seen twice."""
    found = []
    for path in sorted(CHECKS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "checker"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                kw = {k.arg: k.value for k in node.keywords}
                points = node.args[1] if len(node.args) > 1 else kw["points"]
                found.append((path.stem, node.args[0].value, ast.literal_eval(points)))
    return found


def code_cells(nb: Any) -> list[Any]:
    return [c for c in nb.cells if c.cell_type == "code"]


def is_check_cell(cell: Any) -> bool:
    tags = cell.get("metadata", {}).get("tags", [])
    return cell.cell_type == "code" and not {"answer", "hidden-tests"} & set(tags) and bool(
        re.search(r"^\s*check\(", cell.source, re.MULTILINE))


def run_in_process(nb: Any, folder: Path, skip_errors: bool = False) -> dict[str, Any]:
    """Run a notebook's code cells here (not the check cells), the way the grader runs a
    solution to collect its PARTS; return the namespace."""
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict[str, Any] = {"__name__": "notebook"}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        for number, cell in enumerate(code_cells(nb)):
            if is_check_cell(cell):
                continue
            source = "\n".join("" if ln.lstrip().startswith(("%", "!")) else ln
                               for ln in cell.source.splitlines())
            filename = f"<notebook {id(nb)} cell {number}>"
            # as IPython does, so that inspect.getsource finds the code of the cell
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(source, filename, "exec"), namespace)
            except Exception:
                if not skip_errors:
                    raise
    finally:
        os.chdir(cwd)
        import matplotlib.pyplot as plt

        plt.close("all")
    return namespace


@pytest.fixture(scope="module")
def solution_parts() -> dict[str, tuple[list[Any], dict[str, Any]]]:
    """Solution stem -> (its PARTS, the namespace its code ran in)."""
    found = {}
    for path in SOLUTION_PATHS:
        namespace = run_in_process(nbformat.read(path, as_version=4), SOLUTIONS)
        found[path.stem] = (namespace["PARTS"], namespace)
    return found


def test_every_part_has_one_checker_and_one_part_with_equal_points(
        solution_parts: dict[str, tuple[list[Any], dict[str, Any]]]) -> None:
    declared = checker_declarations()
    modules = {f"ex{stem}" for stem in ids(SOLUTION_PATHS)}
    _load_all()
    all_parts = []
    for stem, (parts, _) in solution_parts.items():
        number = stem[:2]
        assert parts, f"{stem}: no Part in its hidden-tests cells"
        for part in parts:
            assert PART_ID.match(part.id) and part.id.startswith(number + "."), part.id
            mine = [d for d in declared if d[1] == part.id]
            assert len(mine) == 1, f"{part.id}: {len(mine)} checkers: {mine}"
            assert mine[0][0] == f"ex{stem}", f"{part.id}: its checker is in {mine[0][0]}"
            assert mine[0][2] == part.points == REGISTRY[part.id].points, part.id
        all_parts += [p.id for p in parts]
        checked = {d[1] for d in declared if d[0] == f"ex{stem}"}
        assert checked == {p.id for p in parts}, f"{stem}: checkers without a Part or back"
    assert len(all_parts) == len(set(all_parts)), "a part id appears in two Parts"
    assert {d[0] for d in declared} <= modules, "a checker module without a solution"


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=ids(SOLUTION_PATHS))
def test_each_part_has_a_check_cell_and_an_answer_cell(
        path: Path, solution_parts: dict[str, tuple[list[Any], dict[str, Any]]]) -> None:
    nb = nbformat.read(path, as_version=4)
    checks = [m.group(1) for c in nb.cells if is_check_cell(c)
              for m in re.finditer(r"check\(\s*[\"'](\d\d\.\d+)[\"']", c.source)]
    parts = [p.id for p in solution_parts[path.stem][0]]
    assert sorted(checks) == sorted(parts)
    answers = [c for c in nb.cells if "answer" in c.get("metadata", {}).get("tags", [])]
    assert len(answers) >= len(parts)
    assert any("from d2lad.course.check import check" in c.source for c in code_cells(nb))


def test_checkers_do_not_import_solutions() -> None:
    for path in CHECKS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any("solution" in n for n in names), f"{path.name} imports {names}"


def saved_check_lines(nb: Any) -> list[tuple[str, str]]:
    found = []
    for cell in code_cells(nb):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                found += CHECK_LINE.findall(out.get("text", ""))
    return found


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=ids(SOLUTION_PATHS))
def test_solutions_are_saved_with_every_check_passing(
        path: Path, solution_parts: dict[str, tuple[list[Any], dict[str, Any]]]) -> None:
    """nbval re-runs the solutions and compares these saved lines (solutions in testpaths)."""
    lines = saved_check_lines(nbformat.read(path, as_version=4))
    assert lines, f"{path.name} is saved without outputs: run python -m d2lad.course.notebooks"
    assert [mark for mark, _ in lines] == ["✓"] * len(lines), lines
    assert sorted(p for _, p in lines) == sorted(p.id for p in solution_parts[path.stem][0])


@pytest.mark.parametrize("path", SOLUTION_PATHS, ids=ids(SOLUTION_PATHS))
def test_solutions_pass_their_parts(
        path: Path, solution_parts: dict[str, tuple[list[Any], dict[str, Any]]]) -> None:
    """Each Part probed in the solution's namespace, as the grader does: the solution's answers
    must get every point (values carried as the grader carries them, as data)."""
    values = pytest.importorskip("d2lad.course.grade.values")
    parts, namespace = solution_parts[path.stem]
    for seed in range(3):
        for part in parts:
            args = None
            if part.inputs is not None:
                args = values.to_data(part.inputs(np.random.default_rng(seed)))
            value = eval(part.probe, namespace)
            if args is not None:
                value = value(*values.from_data(args, tensors=True))
            got = values.from_data(values.to_data(value))
            verdict = part.verdict(got, tuple(values.from_data(args or [], tensors=True)))
            assert verdict is None, f"{part.id} (seed {seed}): {verdict}"


# ------------------------------------------------------------------------- the exercises


EXERCISE_PATHS = [EXERCISES / p.name for p in SOLUTION_PATHS]


@pytest.mark.parametrize("path", EXERCISE_PATHS, ids=ids(EXERCISE_PATHS))
def test_exercises_fail_every_part(
        path: Path, solution_parts: dict[str, tuple[list[Any], dict[str, Any]]]) -> None:
    """The exercise, run in a kernel as a learner would run it first: every check says ✗."""
    from nbclient import NotebookClient

    if not path.exists():
        pytest.fail(f"{path} is missing: run d2lad release")
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(EXERCISES)}}).execute()
    lines = saved_check_lines(nb)
    assert not [p for mark, p in lines if mark == "✓"], f"parts passing unanswered: {lines}"
    failed = sorted(p for mark, p in lines if mark == "✗")
    assert failed == sorted(p.id for p in solution_parts[path.stem][0])


# ------------------------------------------- exercises 01 and 02: checkers and Parts agree

ALTERNATIVES = [
    ("01.1", "grad_w", True, "def grad_w(x, w, y):\n    return 2 * (d2lad.dot(x, w) - y) * x"),
    ("01.1", "grad_w", False, "def grad_w(x, w, y):\n    return 2 * (x @ w - y) * w"),
    ("01.1", "grad_w", False,
     "def grad_w(x, w, y):\n    return (2 * (x @ w - y) * x).to(d2lad.float32)"),
    ("01.2", "grad_w_batch", True,
     "def grad_w_batch(X, w, y):\n    return 2 * (X @ w - y) @ X"),
    ("01.2", "grad_w_batch", False,
     "def grad_w_batch(X, w, y):\n    return 2 * X @ X.T @ (X @ w - y)"),
    ("01.3", "grad_X", True,
     "def grad_X(X, w, y):\n    return 2 * np.outer(np.asarray(X @ w - y), np.asarray(w))"),
    ("01.3", "grad_X", False,
     "def grad_X(X, w, y):\n    return 2 * d2lad.outer(w, X @ w - y)"),
    ("01.4", "derivative_shapes", False,
     "def derivative_shapes(m, n):\n"
     "    return {'dz/da': (m,), 'da/dw': (m, n), 'da/dX': (m, n), 'dz/dX': (m, n)}"),
    ("02.1", "sin_and_derivative", True,
     "def sin_and_derivative(x):\n"
     "    return d2lad.sin(x), grad(lambda t: d2lad.sin(t).sum())(x)"),
    ("02.1", "sin_and_derivative", False,
     "def sin_and_derivative(x):\n    return np.sin(x), np.cos(x)"),
    ("02.1", "sin_and_derivative", False,
     "def sin_and_derivative(x):\n"
     "    return d2lad.sin(x), d2lad.numerical_grad(lambda t: d2lad.sin(t).sum(), x)"),
    ("02.2", "fig", True,
     "x = np.linspace(-6, 6, 50)\nfig, ax = plt.subplots()\n"
     "ax.plot(x, np.sin(x), label='sin')\nax.plot(x, np.cos(x), label='derivative')\n"
     "ax.legend()"),
    ("02.2", "fig", False,
     "x = np.linspace(-6, 6, 50)\nfig, ax = plt.subplots()\n"
     "ax.plot(x, np.sin(x), label='sin')\nax.plot(x, np.cos(x), label='derivative')"),
    ("02.2", "fig", False,
     "x = np.linspace(-6, 6, 50)\nfig, ax = plt.subplots()\n"
     "ax.plot(x, np.sin(x), label='sin')\nax.plot(x, -np.cos(x), label='derivative')\n"
     "ax.legend()"),
    ("02.3", "central_difference_errors", True,
     "def central_difference_errors(x0, hs):\n    hs = np.asarray(hs)\n"
     "    d = sin_and_derivative(d2lad.tensor([x0], dtype=d2lad.float64))[1].item()\n"
     "    return np.abs((np.sin(x0 + hs) - np.sin(x0 - hs)) / 2 / hs - d)"),
    ("02.3", "central_difference_errors", False,
     "def central_difference_errors(x0, hs):\n    hs = np.asarray(hs)\n"
     "    return np.abs((np.sin(x0 + hs) - np.sin(x0)) / hs - np.cos(x0))"),
    ("02.4", "best_step", False, "def best_step(x0, hs):\n    return hs[0]"),
]


@pytest.mark.parametrize(("part_id", "name", "right", "source"), ALTERNATIVES,
                         ids=[f"{a[0]}-{'right' if a[2] else 'wrong'}-{i}"
                              for i, a in enumerate(ALTERNATIVES)])
def test_checker_and_part_agree(part_id: str, name: str, right: bool, source: str,
                                solution_parts: dict[str, tuple[list[Any], dict[str, Any]]],
                                capsys: pytest.CaptureFixture[str]) -> None:
    """Other right answers get the points from both; typical wrong ones from neither."""
    from d2lad.course.check import check

    values = pytest.importorskip("d2lad.course.grade.values")
    stem = next(s for s in solution_parts if s.startswith(part_id[:2]))
    parts, solved = solution_parts[stem]
    part = next(p for p in parts if p.id == part_id)
    namespace = dict(solved)
    exec(source, namespace)
    check(part_id, name, namespace=namespace)
    printed = capsys.readouterr().out
    assert printed.startswith("✓" if right else "✗"), printed
    args = part.inputs(np.random.default_rng(7)) if part.inputs else None
    try:
        value = eval(part.probe, namespace)
        if args is not None:
            value = value(*values.from_data(values.to_data(args), tensors=True))
        got = values.from_data(values.to_data(value))
        sent = tuple(values.from_data(values.to_data(args), tensors=True)) if args else ()
        verdict = part.verdict(got, sent)
    except Exception as err:
        verdict = f"raised {err!r}"
    assert (verdict is None) is right, verdict
