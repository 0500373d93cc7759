"""How an exercise part is graded: a ``Part``, written in a solution's hidden-tests cell.

The grader runs a submission in a fresh kernel, where it only *probes*: it evaluates
``probe`` (a name or a short expression) in the notebook and, when ``inputs`` is given, calls
the result on arguments it chose at grading time; the value found travels back as data. The
verdict is computed in the grading process: ``reference`` on the same inputs (from the
solution, never importable in the learner's kernel), then ``compare``. So nothing a learner
changes in the kernel can raise a grade, and no value can be precomputed.

>>> import numpy as np
>>> part = Part("01.1", points=2, probe="grad_w",
...             inputs=lambda rng: (rng.standard_normal(3), rng.standard_normal(3), 0.5),
...             reference=lambda x, w, y: 2 * (x @ w - y) * x)
>>> args = part.inputs(np.random.default_rng(0))
>>> part.verdict(part.reference(*args), args) is None
True
>>> part.verdict([0.0, 0.0], args)
'expected shape (3,), got (2,)'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Compare = Callable[[Any, Any], "str | None"]


def allclose(got: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> str | None:
    """None when ``got`` matches ``expected`` in shape and value; else a hint without values."""
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return f"expected numbers, got {type(got).__name__}"
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return f"expected shape {e.shape}, got {g.shape}"
    bad = ~np.isclose(g, e, rtol=rtol, atol=atol)
    if bad.any():
        where = np.argwhere(bad)
        first = tuple(int(i) for i in where[0]) if where.size else ()
        return f"{int(bad.sum())} of {e.size} elements are off (the first at index {first})"
    return None


def equal(got: Any, expected: Any) -> str | None:
    """None when ``got == expected`` (strings compared without case and outer spaces)."""
    if isinstance(expected, str) and isinstance(got, str):
        got, expected = got.strip().lower(), expected.strip().lower()
    return None if got == expected else "not the expected answer"


@dataclass(frozen=True)
class Part:
    """One graded part of an exercise notebook.

    - ``probe``: what to read in the learner's notebook: a name, or a short expression;
    - ``inputs(rng)``: arguments to call the probed function with (None: take the value);
    - ``reference(*inputs)``: the right result, computed by the grader (None: no reference,
      ``compare`` judges the value alone, e.g. properties of a figure);
    - ``compare(got, expected)``: None when right, else a hint that does not give the answer.
    """

    id: str
    points: int
    probe: str
    inputs: Callable[[np.random.Generator], tuple] | None = None
    reference: Callable[..., Any] | None = None
    compare: Compare = allclose

    def verdict(self, got: Any, args: tuple = ()) -> str | None:
        """None when ``got`` (what the probe found for ``args``) is right, else the hint."""
        expected = self.reference(*args) if self.reference is not None else None
        return self.compare(got, expected)
