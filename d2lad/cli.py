"""The ``d2lad`` command line: ``--version`` and the ``lab``, ``release``, ``grade`` commands.

Only the standard library is imported here, so ``d2lad --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence


def add_lab_arguments(parser: argparse.ArgumentParser) -> None:
    """``d2lad lab [DIR] [--port N] [--no-browser] [--copy-only]``."""
    parser.add_argument("folder", nargs="?", default="d2lad-course", metavar="DIR",
                        help="working folder for your copy of the course (default: "
                             "d2lad-course); files you edited there are never overwritten")
    parser.add_argument("--port", type=int, default=None,
                        help="port for JupyterLab (default: JupyterLab's, 8888 or the next free)")
    parser.add_argument("--no-browser", action="store_true",
                        help="start JupyterLab without opening a browser; it prints the address")
    parser.add_argument("--copy-only", action="store_true",
                        help="copy or update the course files, then stop without starting "
                             "JupyterLab")


def run_lab(args: argparse.Namespace) -> int:
    """Run ``d2lad lab`` (d2lad.course.lab is imported only now)."""
    from d2lad.course.lab import main as lab_main

    return lab_main(args.folder, port=args.port, open_browser=not args.no_browser,
                    copy_only=args.copy_only)


def add_release_arguments(parser: argparse.ArgumentParser) -> None:
    """``d2lad release [--solutions DIR] [--exercises DIR] [--check]``."""
    parser.add_argument("--solutions", default="solutions", metavar="DIR",
                        help="folder of the solution notebooks (default: solutions)")
    parser.add_argument("--exercises", default="exercises", metavar="DIR",
                        help="folder to write the exercise notebooks to (default: exercises)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list the exercises that differ and exit 1 if any")


def run_release(args: argparse.Namespace) -> int:
    """Run ``d2lad release`` (d2lad.course.release is imported only now)."""
    from d2lad.course.release import main as release_main

    return release_main(args.solutions, args.exercises, check=args.check)


def add_grade_arguments(parser: argparse.ArgumentParser) -> None:
    """``d2lad grade DIR --out grades.csv [options]`` or ``d2lad grade --preview NOTEBOOK``."""
    parser.add_argument("dirs", nargs="*", metavar="DIR",
                        help="submissions laid out DIR/<student>/<exercise>.ipynb")
    parser.add_argument("--out", metavar="CSV",
                        help="the grades file to write; the other reports go beside it")
    parser.add_argument("--solutions", default="solutions", metavar="DIR",
                        help="folder of the solution notebooks (default: solutions)")
    parser.add_argument("-n", "--workers", default="auto", metavar="WORKERS",
                        help="notebooks run at once (default: auto, one per CPU)")
    parser.add_argument("--cell-timeout", type=float, default=60.0, metavar="S",
                        help="seconds a cell may run before its kernel is killed (default 60)")
    parser.add_argument("--timeout", type=float, default=None, metavar="S",
                        help="hard limit per cell, for pytest-timeout (default: cell timeout "
                             "+ 30)")
    parser.add_argument("--notebook-timeout", type=float, default=600.0, metavar="S",
                        help="seconds a notebook may run in all (default 600; 0: no limit)")
    parser.add_argument("--exercise", action="append", dest="exercises", metavar="NAME",
                        help="grade only this exercise (repeatable); a student without it "
                             "is missing it")
    parser.add_argument("--seed", type=int, default=None,
                        help="seed of the inputs the grader chooses (default: random; "
                             "recorded in the reports)")
    parser.add_argument("--work", default=None, metavar="DIR",
                        help="keep the rebuilt notebooks, probe files and pytest log here")
    parser.add_argument("--preview", default=None, metavar="NOTEBOOK",
                        help="grade one notebook of yours as the instructor would and print "
                             "the grade")
    parser.add_argument("--no-progress", action="store_true", help="draw no progress bar")


def run_grade(args: argparse.Namespace) -> int:
    """Run ``d2lad grade`` (d2lad.course.grade is imported only now)."""
    from d2lad.course.grade.command import run

    return run(args)


#: The subcommands: name -> (help text, add its arguments, run it and return the exit status).
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None],
                          Callable[[argparse.Namespace], int]]] = {
    "lab": ("copy the lessons and exercises into a working folder and open them in JupyterLab",
            add_lab_arguments, run_lab),
    "release": ("make the exercise notebooks from the solutions (solutions removed)",
                add_release_arguments, run_release),
    "grade": ("grade submitted exercise notebooks: gradebook, feedback, tamper report",
              add_grade_arguments, run_grade),
}


def package_version() -> str:
    """Return the installed version of d2lad, or ``"0+unknown"`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("d2lad")
    except PackageNotFoundError:
        return "0+unknown"


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one subparser per subcommand."""
    parser = argparse.ArgumentParser(
        prog="d2lad",
        description="d2lad: a course in automatic differentiation.",
        epilog="learners:     d2lad lab              (your copy of the course, in JupyterLab)\n"
               "instructors:  d2lad release          (exercises/ from solutions/)\n"
               "              d2lad grade submitted --out grades.csv\n"
               "each command: d2lad COMMAND --help",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for name, (help_text, add_arguments, _run) in COMMANDS.items():
        add_arguments(subparsers.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 2
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    return COMMANDS[args.command][2](args)
