"""Checks of exercise 05, autograd in practice: backward twice through one graph, the gradient
that two backward calls leave in ``.grad``, and ``y.backward(v)`` as a vector-Jacobian product.

The truth is computed here, fresh, with ``d2lad.func.grad`` and ``d2lad.func.vjp``.

>>> import d2lad
>>> from d2lad.course.check import check
>>> def vjp_by_backward(f, x, v):
...     x.requires_grad_(True)                # no fresh leaf, no clearing
...     f(x).backward(v)
...     return x.grad.clone()
>>> check("05.4", "vjp_by_backward")  # doctest: +ELLIPSIS
✗ 05.4 ...: 0/3 points. a second call with the same x returned twice the vector-Jacobian ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import array_hints, as_float_array
from d2lad.func import grad, vjp

RTOL, ATOL = 1e-6, 1e-8  # as the grader's allclose


def _not_a_function(value: Any, signature: str) -> Problems:
    return [] if callable(value) else [f"define a function {signature}, not a "
                                       f"{type(value).__name__}"]


def _f(x: d2lad.Tensor) -> d2lad.Tensor:
    """The exercise's function: sum(sin(x) * x²)."""
    return (d2lad.sin(x) * x ** 2).sum()


def _points() -> list[np.ndarray]:
    rng = np.random.default_rng(501)
    return [rng.standard_normal(3), rng.standard_normal(5)]


@checker("05.1", points=1, title="the error of a second backward through a freed graph")
def check_error_message(error_message: Any) -> Problems:
    """``error_message`` is the text of the error raised by a second ``backward``, which tells
    how to keep the graph."""
    if not isinstance(error_message, str):
        return [f"error_message should be the error's text, a string (str(err)); got a "
                f"value of type {type(error_message).__name__}"]
    if "retain_graph" not in error_message:
        return ["that is not the message of a second backward through the same graph: call "
                "y.backward() twice on the same y, and catch what the second call raises"]
    return []


@checker("05.2", points=2, title="x.grad after two backward calls")
def check_grad_after_two(grad_after_two: Any) -> Problems:
    """``grad_after_two(x0)`` returns x.grad after two backward calls through one graph, from a
    fresh leaf on every call."""
    problems = _not_a_function(grad_after_two, "grad_after_two(x0)")
    for x0 in [] if problems else _points():
        truth = grad(_f)(d2lad.tensor(x0)).numpy()
        given = d2lad.tensor(x0.copy())
        got, why = as_float_array(_detached(grad_after_two(given)))
        what = "grad_after_two(x0)"
        if got is None:
            return [f"{what} {why}"]
        if got.shape == truth.shape and np.allclose(got, truth, rtol=RTOL, atol=ATOL):
            return [f"{what} is the gradient of one backward pass: x.grad should hold what "
                    "two backward calls through the same graph leave there"]
        problems = array_hints(got, 2 * truth, what, RTOL, ATOL)
        if problems:
            return [f"for x0 of shape {x0.shape}: {problems[0]}"]
        again, _ = as_float_array(_detached(grad_after_two(given)))
        if again is None or not np.allclose(again, 2 * truth, rtol=RTOL, atol=ATOL):
            return [f"a second call of {what} with the same x0 gave another result: make a "
                    "fresh leaf from x0 inside the function, so that no gradient is left over"]
    return problems


def _detached(value: Any) -> Any:
    return value.detach() if isinstance(value, d2lad.Tensor) else value


@checker("05.3", points=1, title="what backward does to .grad")
def check_backward_does(backward_does: Any) -> Problems:
    """``backward_does`` names what PyTorch's (and d2lad's) backward does to ``.grad``."""
    choices = ("overwrites", "accumulates", "returns")
    if not isinstance(backward_does, str) or backward_does.strip().lower() not in choices:
        return ["answer with one word, as a string: 'overwrites', 'accumulates' or 'returns'"]
    if backward_does.strip().lower() != "accumulates":
        return ["not the expected answer: compare x.grad after one backward call and after "
                "two"]
    return []


def _vjp_cases() -> list[tuple[Callable[[Any], Any], np.ndarray, np.ndarray]]:
    """Functions R^n -> R^m with their point x and vector v (shaped like f(x))."""
    rng = np.random.default_rng(502)
    cases = []
    for n, m in ((3, 2), (4, 4)):
        A = d2lad.tensor(rng.standard_normal((m, n)))

        def f(x: Any, A: Any = A) -> Any:
            return d2lad.tanh(A @ x) * x[0]

        cases.append((f, rng.standard_normal(n), rng.standard_normal(m)))
    return cases


@checker("05.4", points=3, title="a vector-Jacobian product by y.backward(v)")
def check_vjp_by_backward(vjp_by_backward: Any) -> Problems:
    """``vjp_by_backward(f, x, v)`` equals ``d2lad.func.vjp``'s vᵀJ, also when called twice with
    the same x."""
    problems = _not_a_function(vjp_by_backward, "vjp_by_backward(f, x, v)")
    for f, x0, v0 in [] if problems else _vjp_cases():
        truth = vjp(f, d2lad.tensor(x0))[1](d2lad.tensor(v0))[0].numpy()
        what = "vjp_by_backward(f, x, v)"
        x, v = d2lad.tensor(x0.copy()), d2lad.tensor(v0.copy())
        first = as_float_array(_detached(vjp_by_backward(f, x, v)))[0]
        problems = array_hints(first, truth, what, RTOL, ATOL) if first is not None else \
            [f"{what} {as_float_array(None)[1]}"]
        if problems:
            ones = vjp(f, d2lad.tensor(x0))[1](d2lad.ones(v0.size, dtype=d2lad.float64))[0]
            if first.shape == truth.shape and np.allclose(first, ones.numpy()):
                return [f"{what} is the product with a vector of ones (the column sums of J, "
                        "as y.sum().backward() gives): use the v given"]
            return [f"for f from R^{x0.size} to R^{v0.size}: {problems[0]}"]
        first = first.copy()
        second = as_float_array(_detached(vjp_by_backward(f, x, v)))[0]
        if second is None or not np.allclose(second, truth, rtol=RTOL, atol=ATOL):
            if second is not None and np.allclose(second, 2 * truth, rtol=RTOL, atol=ATOL):
                return ["a second call with the same x returned twice the vector-Jacobian "
                        "product: x.grad still held the first call's gradient; clear it "
                        "(x.grad = None) or work on a fresh leaf"]
            return ["a second call with the same x returned another result"]
    return problems
