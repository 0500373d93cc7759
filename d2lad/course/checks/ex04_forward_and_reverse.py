"""Checks of exercise 04, forward and reverse accumulation: Jacobians by jvp (one pass per
input direction) and by vjp (one pass per output), their measured cost, and which mode wins.

The test functions end in an identity operation that counts the passes going through it: its
forward rule runs once per ``jvp`` pass, its reverse rule once per reverse pass (``vjp_fn``
call or ``backward``), and a pass that carries a batch of directions at once (``jacfwd``,
``jacrev``) is seen as batched. The true Jacobian comes from ``d2lad.func.jacfwd``.

>>> from d2lad.course.check import check
>>> from d2lad.func import jacfwd
>>> def jacobian_by_jvp(f, x):
...     return jacfwd(f)(x)                  # right values, but one batched pass
>>> check("04.1", "jacobian_by_jvp")  # doctest: +ELLIPSIS
✗ 04.1 ...: 0/3 points. ... carried 4 directions in one jvp pass: ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import array_hints
from d2lad.engine.primitive import Primitive, apply
from d2lad.func import jacfwd
from d2lad.modes.forward import Dual

#: The n of the timing part, as given in the exercise.
SIZES = (4, 16, 64, 256)
RTOL, ATOL = 1e-6, 1e-8  # as the grader's allclose


@dataclass
class Passes:
    """What went through a counted function: calls of f, forward and reverse passes."""

    calls: int = 0
    forward: list[int] = field(default_factory=list)  # directions carried by each jvp pass
    reverse: list[bool] = field(default_factory=list)  # per reverse pass: batched?


def counted(f: Callable[[Any], Any]) -> tuple[Callable[[Any], Any], Passes]:
    """``f`` followed by an identity that records every pass through it, and the record.

    >>> import d2lad
    >>> g, passes = counted(lambda x: x * 2)
    >>> _ = d2lad.func.jvp(g, (d2lad.ones(3),), (d2lad.ones(3),))
    >>> passes.calls, passes.forward, passes.reverse
    (1, [1], [])
    """
    passes = Passes()

    def forward_rule(t: Any, ans: Any, a: Any) -> Any:
        extra = len(t.shape) - len(a.shape)
        passes.forward.append(int(np.prod(t.shape[:extra])) if extra > 0 else 1)
        return t

    def reverse_rule(g: Any, ans: Any, a: Any) -> Any:
        passes.reverse.append(isinstance(g, Dual))
        return g

    tap = Primitive("count_passes", lambda a: a, vjp=(reverse_rule,), jvp=(forward_rule,),
                    grad_fn="CountPassesBackward0")

    def wrapped(x: Any) -> Any:
        passes.calls += 1
        return apply(tap, f(x))

    return wrapped, passes


def _test_functions() -> list[tuple[Callable[[Any], Any], np.ndarray]]:
    """Functions R^n -> R^m with dense Jacobians, and a point: (n, m) = (4, 3), (2, 5), (3, 1)."""
    rng = np.random.default_rng(401)
    cases = []
    for n, m in ((4, 3), (2, 5), (3, 1)):
        A = d2lad.tensor(rng.standard_normal((m, n)))

        def f(x: Any, A: Any = A) -> Any:
            return d2lad.sin(A @ x) * x.sum() + A @ (x * x)

        cases.append((f, rng.standard_normal(n)))
    return cases


def _jacobian_problems(fn: Any, name: str) -> tuple[Problems, list[tuple[int, int, Passes]]]:
    """Values of ``fn(f, x)`` against jacfwd; also returns (n, m, passes) per test function."""
    if not callable(fn):
        return [f"define a function {name}(f, x), not a {type(fn).__name__}"], []
    seen = []
    for f, x0 in _test_functions():
        truth = jacfwd(f)(d2lad.tensor(x0)).numpy()
        g, passes = counted(f)
        got = fn(g, d2lad.tensor(x0))
        m, n = truth.shape
        problems = array_hints(got, truth, f"{name}(f, x)", RTOL, ATOL)
        if problems:
            return [f"for f from R^{n} to R^{m}: {problems[0]}"], seen
        seen.append((n, m, passes))
    return [], seen


def _count(k: int, what: str) -> str:
    return f"{k} {what}" + ("" if k == 1 else "es" if what.endswith("s") else "s")


@checker("04.1", points=3, title="the Jacobian by jvp, one pass per input direction")
def check_jacobian_by_jvp(jacobian_by_jvp: Any) -> Problems:
    """``jacobian_by_jvp(f, x)`` has jacfwd's values and makes exactly n jvp passes, each with
    one direction, and no reverse pass."""
    problems, seen = _jacobian_problems(jacobian_by_jvp, "jacobian_by_jvp")
    if problems:
        return problems
    for n, _m, passes in seen:
        if passes.reverse:
            return ["reverse passes ran (vjp or backward): this function should use forward "
                    "mode only, d2lad.func.jvp"]
        batched = [k for k in passes.forward if k > 1]
        if batched:
            return [f"for n = {n} inputs it carried {batched[0]} directions in one jvp pass: "
                    "make one pass per input direction, a loop of jvp calls"]
        if len(passes.forward) != n:
            return [f"for n = {n} inputs it made {_count(len(passes.forward), 'jvp pass')}: "
                    "one pass per input direction is what the Jacobian needs"]
        if passes.calls > n + 1:
            return [f"for n = {n} inputs it evaluated f {passes.calls} times: each jvp pass "
                    "computes f's value too, so no other call of f is needed"]
    return []


@checker("04.2", points=3, title="the Jacobian by vjp, one pass per output")
def check_jacobian_by_vjp(jacobian_by_vjp: Any) -> Problems:
    """``jacobian_by_vjp(f, x)`` has jacfwd's values, evaluates f once (one recorded sweep) and
    makes exactly m reverse passes, each for one output."""
    problems, seen = _jacobian_problems(jacobian_by_vjp, "jacobian_by_vjp")
    if problems:
        return problems
    for _n, m, passes in seen:
        if passes.forward:
            return ["jvp passes ran: this function should use reverse mode only, "
                    "d2lad.func.vjp"]
        if passes.calls != 1:
            return [f"it evaluated f {passes.calls} times: one forward sweep is enough, "
                    "one call of vjp, whose vjp_fn you then call once per output"]
        if any(passes.reverse):
            return [f"for m = {m} outputs it carried all of them in one batched reverse pass "
                    "(as jacrev does): make one vjp_fn call per output"]
        if len(passes.reverse) != m:
            return [f"for m = {m} outputs it made {_count(len(passes.reverse), 'reverse pass')}: "
                    "one pass per output is what the Jacobian needs"]
    return []


def timing_problems(times_fwd: Any, times_rev: Any, sizes: Sequence[int] = SIZES) -> Problems:
    """What is wrong with the measured times of the two Jacobian loops for f: R^n -> R.

    Only what survives the noise of timing is asked: one positive time per n, forward time
    growing with n, and the two lists not swapped.

    >>> timing_problems([1e-4, 4e-4, 1.6e-3, 6.4e-3], [2e-4, 2e-4, 2.1e-4, 2.3e-4])
    []
    >>> timing_problems([1e-4, 1e-4, 1e-4, 1e-4], [1e-4, 1e-4, 1e-4, 1e-4])[0][:34]
    'times_fwd hardly grows with n: at '
    """
    problems: Problems = []
    arrays = {}
    for name, value in (("times_fwd", times_fwd), ("times_rev", times_rev)):
        try:
            a = np.asarray([float(t) for t in value], dtype=np.float64)
        except (TypeError, ValueError):
            return [f"{name} should be a list of numbers, seconds, one per n in sizes"]
        if a.shape != (len(sizes),):
            return [f"{name} should hold {len(sizes)} times, one per n in sizes "
                    f"{list(sizes)}; it holds {a.size}"]
        if not (np.isfinite(a).all() and (a > 0).all()):
            return [f"{name} should hold positive times in seconds"]
        if a.max() > 60:
            return [f"{name} holds times over a minute: measure seconds with "
                    "time.perf_counter, one Jacobian per measurement"]
        arrays[name] = a
    fwd, rev = arrays["times_fwd"], arrays["times_rev"]
    growth_fwd, growth_rev = fwd[-1] / fwd[0], rev[-1] / rev[0]
    if growth_fwd < 4:
        if growth_rev >= 4:
            problems.append("the times look swapped: times_fwd is for jacobian_by_jvp, "
                            "times_rev for jacobian_by_vjp")
        else:
            problems.append(f"times_fwd hardly grows with n: at n = {sizes[-1]} it is "
                            f"{growth_fwd:.1f} times the time at n = {sizes[0]}; time "
                            "jacobian_by_jvp on make_f(n), a function of n inputs")
    return problems


@checker("04.3", points=2, title="measure both Jacobian loops as n grows")
def check_timing(times_fwd: Any, times_rev: Any) -> Problems:
    """One positive time per n for each mode; forward time grows with n (not exact times)."""
    return timing_problems(times_fwd, times_rev)


def _mode_problems(value: Any, name: str, truth: str, hint: str) -> Problems:
    choices = ("forward", "reverse", "either")
    if not isinstance(value, str) or value.strip().lower() not in choices:
        return [f"{name} should be one word, as a string: 'forward', 'reverse' or 'either'"]
    if value.strip().lower() != truth:
        return [f"{name} is not the expected answer: {hint}"]
    return []


@checker("04.4", points=1, title="which mode wins for f: R^n -> R, and why")
def check_winner(winner: Any, why: Any) -> Problems:
    """``winner`` names the mode that wins for many inputs and one output; ``why`` is a
    non-empty sentence."""
    problems = _mode_problems(winner, "winner", "reverse",
                              "count the passes each mode needs for n inputs and one output, "
                              "and look at your times at the largest n")
    if not problems and (not isinstance(why, str) or not why.strip()):
        problems.append("write the reason in why, a short sentence (a string)")
    return problems


@checker("04.5", points=1, title="which mode wins for f: R -> R^m")
def check_winner_curve(winner_curve: Any) -> Problems:
    """``winner_curve`` names the mode that wins for one input and many outputs."""
    return _mode_problems(winner_curve, "winner_curve", "forward",
                          "count the passes each mode needs for one input and m outputs")
