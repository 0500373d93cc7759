"""Checkers of exercise 02, three ways to compute a derivative: sin and its derivative by
autodiff (the values and where they came from), their figure, and the error of central
differences against autodiff.

The learner's functions are called as the grader calls them (arrays as float64 d2lad
tensors, numbers as Python numbers). The truth is computed fresh here: the derivative of sin
by d2lad's reverse mode, difference quotients in float64 with numpy.

>>> from d2lad.course.check import check
>>> import numpy as np
>>> def sin_and_derivative(x):
...     return np.sin(x), np.cos(x)
>>> check("02.1", "sin_and_derivative")  # doctest: +ELLIPSIS
✗ 02.1 ...: 0/3 points. the values are right, but ... uses cos: ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import array_hints, as_float_array, fresh_tensor
from d2lad.course.probes import code_names, figure_curves

#: Names through which d2lad computes derivatives: one of them must appear in the learner's code.
AUTODIFF_NAMES = frozenset({"backward", "grad", "value_and_grad", "vjp", "jvp", "jacrev",
                            "jacfwd", "gradient"})
RTOL, ATOL = 1e-9, 1e-12
#: The fewest points a plotted curve needs to show the shape of sin.
MIN_POINTS = 20


def autodiff_sin(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``sin(x)`` and its derivative by d2lad's reverse mode, elementwise, in float64.

    >>> f, df = autodiff_sin(np.array([0.0]))
    >>> float(f[0]), float(df[0])
    (0.0, 1.0)
    """
    t = d2lad.tensor(np.array(x, dtype=np.float64), requires_grad=True)
    y = d2lad.sin(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


def _not_a_function(value: Any, signature: str) -> Problems:
    return [] if callable(value) else [f"define a function {signature}, not a "
                                       f"{type(value).__name__}"]


def _provenance(fn: Any) -> Problems:
    """No ``cos`` in the code of ``fn`` and of the notebook's functions it calls; autodiff."""
    names = set(code_names(fn))
    if "cos" in names:
        return ["the values are right, but sin_and_derivative, or a function it calls, uses "
                "cos: here the derivative must come from automatic differentiation, without "
                "the formula"]
    if not names & AUTODIFF_NAMES:
        return ["the values are right, but sin_and_derivative calls no automatic "
                "differentiation (backward(), d2lad.func.grad, ...): where does its derivative "
                "come from?"]
    return []


@checker("02.1", points=3, title="sin(x) and its derivative by autodiff, without cos")
def check_sin_and_derivative(sin_and_derivative: Any) -> Problems:
    """Both arrays against reverse mode, the same again on a second call; then the names in
    the function's code: no ``cos``, some autodiff."""
    problems = _not_a_function(sin_and_derivative, "sin_and_derivative(x)")
    if problems:
        return problems
    rng = np.random.default_rng(201)
    cases = [np.linspace(-2 * np.pi, 2 * np.pi, 41), rng.uniform(-10, 10, 7)]
    for repeat, x in enumerate(cases + cases[:1]):
        result = sin_and_derivative(fresh_tensor(x))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            return ["sin_and_derivative(x) should return two arrays, (f(x), df/dx); got "
                    f"{type(result).__name__}" + (f" of length {len(result)}"
                                                  if isinstance(result, (tuple, list)) else "")]
        f, df = result
        truth_f, truth_df = autodiff_sin(x)
        problems = (array_hints(f, truth_f, "f(x), the first array returned,", RTOL, ATOL)
                    or array_hints(df, truth_df, "df/dx, the second array returned,", RTOL,
                                   ATOL))
        if problems and repeat == len(cases):
            return ["a second call with the same x gave another result: gradients accumulate "
                    "in .grad, so differentiate a fresh tensor on every call"]
        if problems:
            return [f"for x of shape {x.shape}: " + problems[0]]
    return _provenance(sin_and_derivative)


def _matches(line: dict[str, Any], truth: Any) -> bool:
    x, y = np.asarray(line["x"]), np.asarray(line["y"])
    return x.size > 1 and x.shape == y.shape and np.allclose(y, truth(x), rtol=1e-6, atol=1e-9)


@checker("02.2", points=2, title="the figure of sin(x) and its derivative")
def check_figure(fig: Any) -> Problems:
    """Two labelled lines showing sin and its derivative (reverse mode at their x), a legend."""
    from matplotlib.axes import Axes
    from matplotlib.figure import FigureBase

    if not isinstance(fig, (FigureBase, Axes)):
        return ["fig should be your plot's matplotlib figure (fig, ax = plt.subplots()), not a "
                f"{type(fig).__name__}"]
    axes = figure_curves(fig)["axes"]
    lines = [(ax, line) for ax in axes for line in ax["lines"]]
    if len(lines) < 2:
        return [f"the figure has {len(lines)} line{'' if len(lines) == 1 else 's'}: plot f(x) "
                "and df/dx as two lines"]
    wanted = {"sin(x)": lambda x: autodiff_sin(x)[0],
              "df/dx": lambda x: autodiff_sin(x)[1]}
    for name, truth in wanted.items():
        found = [(ax, line) for ax, line in lines if _matches(line, truth)]
        if not found:
            return [f"no line of the figure shows {name} at its x values (compared with "
                    "d2lad's reverse mode)"]
        ax, line = found[0]
        if len(line["x"]) < MIN_POINTS:
            return [f"the line of {name} has {len(line['x'])} points: use at least "
                    f"{MIN_POINTS} (np.linspace) so that the curve is smooth"]
        if line["label"].startswith("_"):
            return [f"the line of {name} has no label: pass label=... to plot"]
        if ax["legend"] is None:
            return [f"the axes with the line of {name} have no legend: call ax.legend()"]
    return []


def central_errors(x0: float, hs: np.ndarray, dtype: type = np.float64,
                   central: bool = True) -> np.ndarray:
    """|difference quotient of sin at x0 - reverse mode's derivative| for each step in hs.

    >>> bool(central_errors(1.0, np.array([1e-3]))[0] < 1e-6)
    True
    """
    x, h = dtype(x0), np.asarray(hs, dtype=dtype)
    if central:
        estimate = (np.sin(x + h) - np.sin(x - h)) / (2 * h)
    else:
        estimate = (np.sin(x + h) - np.sin(x)) / h
    exact = autodiff_sin(np.array([x0]))[1][0]
    return np.abs(estimate.astype(np.float64) - exact)


def _difference_cases() -> list[tuple[float, np.ndarray]]:
    return [(1.0, 10.0 ** -np.arange(1, 14)), (-2.3, np.logspace(-12, -1, 7))]


@checker("02.3", points=2, title="errors of central differences against autodiff")
def check_central_difference_errors(central_difference_errors: Any) -> Problems:
    """One absolute error per step, as float64 central differences of sin give them."""
    problems = _not_a_function(central_difference_errors, "central_difference_errors(x0, hs)")
    for x0, hs in [] if problems else _difference_cases():
        got = central_difference_errors(x0, fresh_tensor(hs))
        truth = central_errors(x0, hs)
        problems = array_hints(got, truth, "central_difference_errors(x0, hs)", 1e-2, 1e-15)
        if not problems:
            continue
        g, _ = as_float_array(got)
        if g is not None and g.shape == truth.shape:
            if (g < 0).any():
                return ["some errors are negative: an error here is the absolute value "
                        "|estimate - derivative|"]
            if np.allclose(g, central_errors(x0, hs, central=False), rtol=1e-2, atol=1e-15):
                return ["these are the errors of the forward difference (f(x+h) - f(x)) / h; "
                        "the central difference uses f(x+h) and f(x-h)"]
            if np.allclose(g, central_errors(x0, hs, np.float32), rtol=0.1, atol=1e-7):
                return ["these errors come from float32 arithmetic: compute in float64 "
                        "(d2lad.tensor makes float32 from Python numbers)"]
        return [f"for x0 = {x0}: " + problems[0]]
    return problems


@checker("02.4", points=1, title="the best step of a central difference")
def check_best_step(best_step: Any) -> Problems:
    """One of the given steps, with an error within twice the smallest."""
    problems = _not_a_function(best_step, "best_step(x0, hs)")
    for x0, hs in [] if problems else _difference_cases():
        got = best_step(x0, fresh_tensor(hs))
        h_array, _ = as_float_array(got)
        try:
            h = float(h_array)
        except (TypeError, ValueError):
            return [f"best_step(x0, hs) should return one step, a number; got {got!r}"]
        at = np.flatnonzero(np.isclose(hs, h, rtol=1e-9, atol=0))
        if at.size == 0:
            return [f"for x0 = {x0}: best_step(x0, hs) should return one of the steps in hs"]
        errors = central_errors(x0, hs)
        ratio = errors[at[0]] / errors.min()
        if ratio > 2:
            return [f"for x0 = {x0}: the error at your step is {ratio:.0e} times the smallest "
                    "error among the steps in hs"]
    return problems
