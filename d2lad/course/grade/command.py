"""``d2lad grade``: the command line of the grader (its options are in ``d2lad/cli.py``).

    d2lad grade submitted/ --out grades.csv [--solutions solutions/] [-n 4]
                [--cell-timeout 60] [--timeout 90] [--notebook-timeout 600]
    d2lad grade --preview my_notebook.ipynb [--solutions solutions/]

Exit status 0 when the grades are written (whatever they are), 2 on a usage error or a
problem on the instructor's side (a solution that does not run, reports inside the
submissions).

>>> from d2lad.cli import main
>>> main(["grade", "--preview", "a.ipynb", "--out", "g.csv"])
2
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from d2lad.course.grade.canonical import GradingError
from d2lad.course.grade.grader import grade, preview
from d2lad.course.grade.report import check_destination, summary, write_reports
from d2lad.course.grade.runner import text_progress


def _fail(message: str) -> int:
    print(f"d2lad grade: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    """Run ``d2lad grade`` with parsed ``args``; return the exit status."""
    if args.workers == "auto":
        workers = os.cpu_count() or 1
    elif str(args.workers).isdigit() and int(args.workers) > 0:
        workers = int(args.workers)
    else:
        return _fail(f"-n expects a positive number or auto, not {args.workers!r}")
    if args.preview and (args.dirs or args.out or len(args.exercises or ()) > 1):
        return _fail("--preview grades one notebook: give no DIR or --out, and at most one "
                     "--exercise (when the file name does not say which)")
    if not args.preview and (not args.dirs or not args.out):
        return _fail("give the submissions folder and --out grades.csv (or --preview NOTEBOOK)")
    options = {"workers": workers, "cell_timeout": args.cell_timeout, "timeout": args.timeout,
               "notebook_timeout": args.notebook_timeout, "seed": args.seed,
               "work": Path(args.work) if args.work else None,
               "progress": None if args.no_progress else text_progress(sys.stderr)}
    try:
        if args.preview:
            name = args.exercises[0] if args.exercises else None
            print(summary(preview(Path(args.preview), Path(args.solutions), name, **options)))
            return 0
        roots = [Path(d) for d in args.dirs]
        check_destination(Path(args.out), roots)
        grading = grade(roots, Path(args.solutions), exercises=args.exercises, **options)
        written = write_reports(grading, Path(args.out), protect=roots)
    except GradingError as err:
        return _fail(str(err))
    for note in grading.notes:
        print(f"d2lad grade: warning: {note}", file=sys.stderr)
    counts: dict[str, int] = {}
    for g in grading.grades:
        status = g.status.split(":", 1)[0]
        counts[status] = counts.get(status, 0) + 1
    tally = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    print(f"{len(grading.grades)} grades ({tally}) in {grading.seconds:.1f} s, seed "
          f"{grading.seed}")
    for what, path in written.items():
        print(f"  {what}: {path}")
    return 0
