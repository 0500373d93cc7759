"""Time grading against plainly executing the same notebooks with nbclient.

    .venv/bin/python tests/grading/bench_grade.py [--students 16] [--workers 1] [--course]

A class of synthetic submissions (right, wrong and half-right answers) is graded with
``d2lad grade`` (pytest + nbval + xdist, verdicts and reports included), keeping the rebuilt
notebooks; then the same rebuilt notebooks are executed with nbclient, each in a fresh
kernel, by as many processes as grading had workers. Both timings include starting Python
and importing what runs the notebooks; the two alternate, and the medians are compared.
``--course`` grades the course's own solutions and exercises (solutions/, exercises/)
instead of the fixture exercise.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def make_class(root: Path, students: int, course: bool) -> Path:
    """``students`` submissions per exercise under ``root``."""
    import nbformat

    from d2lad.course.release import exercise_from_solution

    solutions = ROOT / "solutions" if course else HERE / "solutions"
    names = sorted(p.stem for p in solutions.glob("*.ipynb"))
    if not course:
        names = ["90_fixture"]
    answers = {
        0: None,  # the solution's own answers
        1: ["def grad_w(x, w, y):\n    return (x @ w - y) * x", "def sigmoid_grad(z):\n"
            "    return z", 'mode = "forward"'],
        2: ["def grad_w(x, w, y):\n    return 2 * (x @ w - y) * x", "def sigmoid_grad(z):\n"
            "    return z"],
    }
    for k in range(students):
        folder = root / f"student{k:03d}"
        folder.mkdir(parents=True)
        for name in names:
            solution = nbformat.read(solutions / f"{name}.ipynb", as_version=4)
            if course:  # alternate the solution and the untouched exercise
                nb = solution if k % 2 == 0 else exercise_from_solution(solution)
            else:
                nb = solution if answers[k % 3] is None else exercise_from_solution(solution)
                cells = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
                for cell, src in zip(cells, answers[k % 3] or []):
                    cell.source = src
            nbformat.write(nb, str(folder / f"{name}.ipynb"))
    return solutions


RUNNER = """
import sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient
for path in map(Path, sys.argv[1:]):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
"""


def nbclient_seconds(notebooks: list[Path], workers: int) -> float:
    """Wall time for ``workers`` processes to execute ``notebooks`` (split evenly)."""
    started = time.perf_counter()
    shares = [notebooks[i::workers] for i in range(workers)]
    procs = [subprocess.Popen([sys.executable, "-c", RUNNER, *map(str, share)])
             for share in shares if share]
    for proc in procs:
        proc.wait()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate grading and nbclient this many times; medians")
    parser.add_argument("--course", action="store_true")
    args = parser.parse_args()
    graded, plain = [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        solutions = make_class(root / "submitted", args.students, args.course)
        for k in range(args.rounds):
            work = root / f"work{k}"
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "d2lad", "grade", str(root / "submitted"),
                            "--out", str(root / f"out{k}" / "grades.csv"), "--solutions",
                            str(solutions), "-n", str(args.workers), "--seed", "0", "--work",
                            str(work), "--no-progress"], check=True, stdout=subprocess.DEVNULL)
            graded.append(time.perf_counter() - started)
            notebooks = sorted((work / "nb").rglob("*.ipynb"))
            plain.append(nbclient_seconds(notebooks, args.workers))
        with open(root / "out0" / "grades.csv", encoding="utf-8") as f:
            statuses = sorted({row["status"] for row in csv.DictReader(f)})
    n = len(notebooks)
    g, p = statistics.median(graded), statistics.median(plain)
    print(f"{n} notebooks, {args.workers} worker(s), {args.rounds} rounds, statuses {statuses}")
    print(f"grading  {g:6.2f} s  {g / n:.3f} s per submission  (runs: "
          f"{', '.join(f'{t:.2f}' for t in graded)})")
    print(f"nbclient {p:6.2f} s  {p / n:.3f} s per submission  (runs: "
          f"{', '.join(f'{t:.2f}' for t in plain)})")
    print(f"ratio    {g / p:.2f} (medians); per round: "
          f"{', '.join(f'{a / b:.2f}' for a, b in zip(graded, plain))}")


if __name__ == "__main__":
    main()
