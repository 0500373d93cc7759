"""Instant feedback in exercise notebooks: ``check(part, "name", ...)`` says at once what is
right.

Each exercise part has one checker, registered with ``@checker`` in ``d2lad/course/checks/``.
A check cell names the learner's answers (``check("01.1", "grad_w")``); ``check`` looks them
up in the notebook, so an answer not written yet gets a hint, not a NameError. The checker
receives the values and returns the problems it found, each a specific hint (which element
is off, which shape was expected), never the answer itself; no problems means the part is
right. ``check`` prints one line per part and never raises.

>>> @checker("00.1", points=1, title="a number close to pi")
... def _pi(value):
...     return [] if abs(float(value) - 3.14159) < 1e-3 else ["not within 0.001 of pi"]
>>> my_pi = 3.1416
>>> check("00.1", "my_pi")
✓ 00.1 a number close to pi: 1/1 point
>>> my_pi = 3
>>> check("00.1", "my_pi")
✗ 00.1 a number close to pi: 0/1 point. not within 0.001 of pi
>>> check("00.1", "your_pi")
✗ 00.1 a number close to pi: 0/1 point. not answered yet: run the cell that defines your_pi
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Problems = list[str]


@dataclass(frozen=True)
class Checker:
    """One exercise part: its id (``"01.2"``), points, title and checking function."""

    part: str
    points: int
    title: str
    fn: Callable[..., Problems]


REGISTRY: dict[str, Checker] = {}


def checker(part: str, points: int, title: str) -> Callable[[Callable[..., Problems]],
                                                           Callable[..., Problems]]:
    """Register ``fn(*answers) -> list of problems`` as the checker of ``part``."""

    def register(fn: Callable[..., Problems]) -> Callable[..., Problems]:
        REGISTRY[part] = Checker(part, points, title, fn)
        return fn

    return register


def _load_all() -> None:
    """Import every module of ``d2lad.course.checks`` so their checkers register."""
    from d2lad.course import checks

    for info in pkgutil.iter_modules(checks.__path__):
        importlib.import_module(f"{checks.__name__}.{info.name}")


def _plural(n: int) -> str:
    return "point" if n == 1 else "points"


def check(part: str, *names: str, namespace: dict | None = None) -> None:
    """Check one exercise part, given the names of the learner's answers in the notebook, and
    print a one-line verdict (nothing is returned, so a check cell shows only that line)."""
    if part not in REGISTRY:
        _load_all()
    found = REGISTRY.get(part)
    if found is None:
        print(f"? {part}: no such exercise part (known: {', '.join(sorted(REGISTRY))})")
        return
    scope = namespace if namespace is not None else sys._getframe(1).f_globals
    missing = [n for n in names if n not in scope]
    if missing:
        problems = [f"not answered yet: run the cell that defines {', '.join(missing)}"]
    else:
        problems = _run(found, [scope[n] for n in names])
    score = 0 if problems else found.points
    mark = "✓" if not problems else "✗"
    line = f"{mark} {part} {found.title}: {score}/{found.points} {_plural(found.points)}"
    print(line + (". " + " ".join(problems) if problems else ""))


def _run(found: Checker, answers: list[Any]) -> Problems:
    """The checker's problems; a learner's function that fails becomes a hint, not a traceback."""
    try:
        return list(found.fn(*answers))
    except NotImplementedError:
        return ["not answered yet: replace `raise NotImplementedError` with your answer"]
    except Exception as err:
        return [f"your answer raised {type(err).__name__}: {err}"]
