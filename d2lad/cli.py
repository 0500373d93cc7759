"""The ``d2lad`` command line: ``--version`` and the ``lab``, ``release``, ``grade`` commands.

Only the standard library is imported here, so ``d2lad --help`` answers at once.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

#: Subcommand name -> (help text, the feature it arrives with).
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "lab": (
        "open the course notebooks in JupyterLab",
        "the course notebooks",
    ),
    "release": (
        "make student copies of the exercise notebooks, with the solutions removed",
        "exercise release",
    ),
    "grade": (
        "grade submitted exercise notebooks against the instructor's checks",
        "instructor grading",
    ),
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
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for name, (help_text, _feature) in SUBCOMMANDS.items():
        subparsers.add_parser(name, help=help_text, description=help_text)
    return parser


def not_available(command: str) -> int:
    """Tell on stderr that ``command`` is not in this version yet; return exit status 2."""
    feature = SUBCOMMANDS[command][1]
    print(
        f"d2lad {command}: not available yet in this version: arrives with {feature}",
        file=sys.stderr,
    )
    return 2


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
    return not_available(args.command)
