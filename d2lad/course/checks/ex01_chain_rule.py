"""Checkers of exercise 01, the chain rule: gradients of squared losses derived by hand.

Each checker calls the learner's function on inputs chosen here, as the grader does (arrays
as float64 d2lad tensors, numbers as Python numbers), and compares the result with d2lad's
reverse mode, computed fresh; special points test properties (at a minimum of the loss the
gradient is zero).

>>> import numpy as np
>>> from d2lad.course.check import check
>>> def grad_w(x, w, y):
...     return 2 * (x @ w - y) * w          # the slip: the gradient with respect to x
>>> check("01.1", "grad_w")  # doctest: +ELLIPSIS
✗ 01.1 ...: 0/2 points. grad_w(x, w, y) is the gradient with respect to x, not w: ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import array_hints, as_float_array, fresh_tensor
from d2lad.func import grad, jacrev

#: Hand formulas and reverse mode agree to float64 rounding; float32 does not get this close.
RTOL, ATOL = 1e-9, 1e-12


def _reverse_mode(loss: Callable[[d2lad.Tensor], d2lad.Tensor], at: np.ndarray) -> np.ndarray:
    """The gradient of ``loss`` at ``at`` by d2lad's reverse mode, in float64."""
    return grad(loss)(d2lad.tensor(np.array(at, dtype=np.float64))).numpy()


def _not_a_function(value: Any, signature: str) -> Problems:
    return [] if callable(value) else [f"define a function {signature}, not a "
                                       f"{type(value).__name__}"]


def _single_cases() -> list[tuple[np.ndarray, np.ndarray, float]]:
    rng = np.random.default_rng(101)
    cases = [(rng.standard_normal(n), rng.standard_normal(n), float(rng.standard_normal()))
             for n in (3, 5)]
    x, w = rng.standard_normal(4), rng.standard_normal(4)
    cases.append((x, w, float(x @ w)))  # a minimum of the loss: the gradient is zero
    return cases


@checker("01.1", points=2, title="gradient of (<x, w> - y)^2 with respect to w")
def check_grad_w(grad_w: Any) -> Problems:
    """``grad_w(x, w, y)`` against reverse mode, and zero where ``<x, w> = y``."""
    problems = _not_a_function(grad_w, "grad_w(x, w, y)")
    for x, w, y in [] if problems else _single_cases():
        truth = _reverse_mode(lambda v, x=x, y=y: (d2lad.dot(d2lad.tensor(x), v) - y) ** 2, w)
        got = grad_w(fresh_tensor(x), fresh_tensor(w), y)
        what = "grad_w(x, w, y)"
        problems = array_hints(got, truth, what, RTOL, ATOL)
        if not problems:
            continue
        g, _ = as_float_array(got)
        if g is not None and g.shape == truth.shape and "float32" not in problems[0]:
            if np.allclose(g, 2 * (x @ w - y) * w):
                return [f"{what} is the gradient with respect to x, not w: the last factor of "
                        "the chain must be the derivative with respect to w"]
            if np.allclose(truth, 0):
                return [f"where <x, w> = y the loss is at its minimum and the gradient must be "
                        f"zero, but {what} is not"]
            if "constant multiple" in problems[0]:
                return [f"{what} points along x, as it should, but its length is off: check "
                        "the factor dz/da"]
        if g is not None and g.shape == (1,) + truth.shape:
            problems = [f"{what} has shape {g.shape}, a row: that is the derivative; the "
                        "gradient is its transpose, shaped like w"]
        return [f"for x and w of shape {x.shape}: " + problems[0]]
    return problems


def _batch_cases() -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(102)
    cases = [(rng.standard_normal((m, n)), rng.standard_normal(n), rng.standard_normal(m))
             for m, n in ((5, 3), (4, 6), (1, 2))]
    X, w = rng.standard_normal((6, 2)), rng.standard_normal(2)
    cases.append((X, w, X @ w))  # an exact fit: the gradient is zero
    return cases


def _batch_truth(X: np.ndarray, w: np.ndarray, y: np.ndarray, wrt: str) -> np.ndarray:
    """Reverse mode's gradient of ||Xw - y||^2 with respect to ``wrt``, "w" or "X"."""
    Xt, wt, yt = (d2lad.tensor(v) for v in (X, w, y))
    if wrt == "w":
        return _reverse_mode(lambda v: ((Xt @ v - yt) ** 2).sum(), w)
    return _reverse_mode(lambda v: ((v @ wt - yt) ** 2).sum(), X)


def _batch_problems(fn: Any, name: str, wrt: str) -> Problems:
    """Compare ``fn(X, w, y)`` with reverse mode's gradient of ||Xw - y||^2 w.r.t. ``wrt``."""
    problems = _not_a_function(fn, f"{name}(X, w, y)")
    for X, w, y in [] if problems else _batch_cases():
        truth = _batch_truth(X, w, y, wrt)
        what = f"{name}(X, w, y)"
        got = fn(fresh_tensor(X), fresh_tensor(w), fresh_tensor(y))
        problems = array_hints(got, truth, what, RTOL, ATOL)
        if not problems:
            continue
        if np.allclose(truth, 0):
            return [f"where Xw = y exactly the loss is at its minimum and the gradient must "
                    f"be zero, but {what} is not"]
        return [f"for X of shape {X.shape}: " + problems[0]]
    return problems


@checker("01.2", points=2, title="gradient of ||Xw - y||^2 with respect to w")
def check_grad_w_batch(grad_w_batch: Any) -> Problems:
    """``grad_w_batch(X, w, y)`` against reverse mode, including a non-square X."""
    return _batch_problems(grad_w_batch, "grad_w_batch", "w")


@checker("01.3", points=2, title="gradient of ||Xw - y||^2 with respect to X")
def check_grad_X(grad_X: Any) -> Problems:
    """``grad_X(X, w, y)`` against reverse mode: a matrix shaped like X."""
    return _batch_problems(grad_X, "grad_X", "X")


SHAPE_KEYS = ("dz/da", "da/dw", "da/dX", "dz/dX")


def true_shapes(m: int, n: int) -> dict[str, tuple[int, ...]]:
    """The shapes ``jacrev`` gives for the derivatives in ``z = ||a||^2, a = Xw - y``.

    >>> true_shapes(5, 3)["da/dw"]
    (5, 3)
    """
    rng = np.random.default_rng(m * 100 + n)
    X, w, y = (d2lad.tensor(rng.standard_normal(s)) for s in ((m, n), (n,), (m,)))
    a = X @ w - y
    jacobians = {
        "dz/da": jacrev(lambda a: (a ** 2).sum())(a),
        "da/dw": jacrev(lambda w: X @ w - y)(w),
        "da/dX": jacrev(lambda X: X @ w - y)(X),
        "dz/dX": jacrev(lambda X: ((X @ w - y) ** 2).sum())(X),
    }
    return {key: tuple(j.shape) for key, j in jacobians.items()}


def _as_shape(value: Any) -> tuple[int, ...] | None:
    try:
        shape = tuple(value)
        return shape if all(isinstance(s, (int, np.integer)) for s in shape) else None
    except TypeError:
        return None


@checker("01.4", points=1, title="shapes of the derivatives in ||Xw - y||^2")
def check_derivative_shapes(derivative_shapes: Any) -> Problems:
    """``derivative_shapes(m, n)``: a dict of four shapes, as ``jacrev`` returns them."""
    problems = _not_a_function(derivative_shapes, "derivative_shapes(m, n)")
    for m, n in [] if problems else [(5, 3), (2, 4), (1, 1)]:
        got = derivative_shapes(m, n)
        if not isinstance(got, dict):
            return [f"derivative_shapes(m, n) should return a dict with the keys "
                    f"{', '.join(SHAPE_KEYS)}, not a {type(got).__name__}"]
        missing = [k for k in SHAPE_KEYS if k not in got]
        if missing:
            return [f"the dict has no key {missing[0]!r}"]
        for key, truth in true_shapes(m, n).items():
            shape = _as_shape(got[key])
            if shape is None:
                return [f"{key!r} should be a shape, a tuple of ints like (2, 3); got "
                        f"{got[key]!r}"]
            if tuple(int(s) for s in shape) != truth:
                return [f"for m = {m}, n = {n} the shape of {key} is off: jacrev's result has "
                        "the output's axes first, then the input's"]
    return problems
