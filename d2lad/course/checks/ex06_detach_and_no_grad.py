"""Checks of exercise 06, detach and no_grad: gradients through detached values, a tape with
``stop_gradient``, an SGD step under ``no_grad``, and two predictions.

Each truth is computed here, fresh: by finite differences of the program with the detached
value held fixed as a constant, or by running the program with d2lad.

>>> import d2lad
>>> from d2lad.course.check import check
>>> def sgd_step(w, lr):
...     with d2lad.no_grad():
...         w -= lr * w.grad                  # the gradient is never cleared
>>> check("06.3", "sgd_step")  # doctest: +ELLIPSIS
✗ 06.3 an SGD step under no_grad: 0/3 points. after step 1, w.grad still holds the gradient...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import first_problem as _off

Tensor = d2lad.Tensor




def _same(got: Any, truth: Any) -> bool:
    """True when ``got`` has the shape and (closely) the values of ``truth``."""
    return _off(got, truth, "") is None


def _vectors(seed: int) -> list[np.ndarray]:
    """Test inputs: vectors of a few lengths, with positive and negative entries."""
    rng = np.random.default_rng(seed)
    return [np.array([1.0, 2.0, -1.0])] + [rng.standard_normal(n) for n in (1, 4, 6)]


def _fresh(values: np.ndarray) -> Tensor:
    """A float64 tensor that does not require grad, as the grader passes it."""
    return d2lad.tensor(values, dtype=d2lad.float64)


# ---- 06.1 --------------------------------------------------------------------------------------

@checker("06.1", points=2, title="a gradient through a detached value")
def check_grad_detach(grad_detach: Callable[[Tensor], Any]) -> Problems:
    """``grad_detach(x)``: x.grad for z = (u * x + y).sum(), y = x * x, u = y.detach()."""
    if not callable(grad_detach):
        return ["grad_detach should be a function of x"]
    for xs in _vectors(61):
        u = _fresh(xs * xs)  # the detached value: a constant for differentiation
        truth = d2lad.numerical_grad(lambda t, u=u: (u * t + t * t).sum(), _fresh(xs))
        got = grad_detach(_fresh(xs))
        hint = _off(got, truth, "grad_detach(x)", rtol=1e-5, atol=1e-6)
        if hint is None:
            continue
        if _same(got, 3 * xs * xs + 2 * xs):
            return ["this is the gradient without the detach: u = y.detach() is a constant, so "
                    "no gradient flows back through it"]
        if _same(got, xs * xs):
            return ["only the u * x term is counted: y itself was not detached, so the "
                    "+ y term adds its own gradient"]
        return [f"for x of shape {xs.shape}: {hint}"]
    return []


# ---- 06.2 --------------------------------------------------------------------------------------

@checker("06.2", points=2, title="stop_gradient on a persistent tape")
def check_tape_grads(tape_grads: Callable[[Tensor], Any]) -> Problems:
    """``tape_grads(x)`` -> (dz/dx, dy/dx) for y = sin(x), z = stop_gradient(y) * y."""
    if not callable(tape_grads):
        return ["tape_grads should be a function of x"]
    for xs in _vectors(62):
        got = tape_grads(_fresh(xs))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return ["tape_grads should return two gradients: (dz/dx, dy/dx)"]
        if any(g is None for g in got):
            return ["a gradient is None: the tape tracks a tensor that does not require grad "
                    "only after tape.watch(x)"]
        c = _fresh(np.sin(xs))  # stop_gradient(y): a constant
        dz = d2lad.numerical_grad(lambda t, c=c: (c * t.sin()).sum(), _fresh(xs))
        dy = d2lad.numerical_grad(lambda t: t.sin().sum(), _fresh(xs))
        for g, want, name in ((got[0], dz, "dz/dx"), (got[1], dy, "dy/dx")):
            hint = _off(g, want, f"the {name} that tape_grads(x) returns", rtol=1e-5,
                        atol=1e-6)
            if hint is None:
                continue
            if name == "dz/dx" and _same(g, 2 * np.sin(xs) * np.cos(xs)):
                return ["dz/dx is the gradient without stop_gradient: the stopped factor "
                        "must count as a constant"]
            return [f"for x of shape {xs.shape}: {hint}"]
    return []


# ---- 06.3 --------------------------------------------------------------------------------------

@checker("06.3", points=3, title="an SGD step under no_grad")
def check_sgd_step(sgd_step: Callable[[Tensor, float], Any]) -> Problems:
    """``sgd_step(w, lr)`` changes w in place to w - lr * w.grad, unrecorded, and clears the
    gradient; w stays the same leaf tensor that requires grad."""
    if not callable(sgd_step):
        return ["sgd_step should be a function of w and lr"]
    rng = np.random.default_rng(63)
    X = _fresh(rng.standard_normal((8, 3)))
    t = _fresh(rng.standard_normal(8))
    w = d2lad.tensor(rng.standard_normal(3), dtype=d2lad.float64, requires_grad=True)
    for step, lr in enumerate((0.1, 0.03, 0.2), start=1):
        loss = ((X @ w - t) ** 2).mean()
        loss.backward()
        before = np.array(w.detach().numpy())
        expected = before - lr * np.array(w.grad.numpy())
        sgd_step(w, lr)
        where = f"after step {step}"
        if w.grad_fn is not None:
            return [f"{where}, w has a grad_fn: the update was recorded and w is no longer a "
                    "leaf; do it under torch.no_grad()"]
        if not w.requires_grad:
            return [f"{where}, w no longer requires grad, so the next backward cannot fill "
                    "w.grad"]
        now = np.array(w.detach().numpy())
        if np.array_equal(now, before):
            return [f"{where}, w did not change: change the tensor itself in place (w -= ...); "
                    "assigning to the name w inside the function leaves the caller's tensor "
                    "as it was"]
        hint = _off(now, expected, f"the values of w {where}")
        if hint is not None:
            return [hint + " (the step is w - lr * w.grad)"]
        if w.grad is not None and np.any(w.grad.detach().numpy() != 0):
            return [f"{where}, w.grad still holds the gradient: clear it, or the next backward "
                    "adds to it"]
    return []


# ---- 06.4 and 06.5: predictions ----------------------------------------------------------------

def _program_no_grad() -> Tensor:
    """x.grad of the 06.4 program (no_grad and detach), computed by running it."""
    x = d2lad.tensor([1.0, 2.0, -1.0], requires_grad=True)
    y = x * x
    with d2lad.no_grad():
        s = y.sum()
    u = y.detach()
    z = (u * x + s * x + y).sum()
    z.backward()
    return x.grad


def _program_data() -> Tensor:
    """w.grad of the 06.5 program (a change through .data before backward), by running it."""
    w = d2lad.tensor([1.0, -2.0, 0.5], requires_grad=True)
    a = 2 * w
    loss = (a * w).sum()
    w.data.add_(1.0)
    loss.backward()
    return w.grad


@checker("06.4", points=2, title="predict a gradient with no_grad and detach")
def check_predicted_grad(predicted_grad: Any) -> Problems:
    """``predicted_grad``: the three numbers x.grad holds after the 06.4 program."""
    hint = _off(predicted_grad, _program_no_grad(), "predicted_grad")
    return [] if hint is None else [hint]


@checker("06.5", points=1, title="predict a gradient after a change through .data")
def check_predicted_grad_data(predicted_grad_data: Any) -> Problems:
    """``predicted_grad_data``: the three numbers w.grad holds after the 06.5 program."""
    hint = _off(predicted_grad_data, _program_data(), "predicted_grad_data")
    if hint is None:
        return []
    if _same(predicted_grad_data, 4 * np.array([1.0, -2.0, 0.5])):  # 4w for the first w
        return ["that is the gradient for the original w: which values does backward read "
                "when it runs?"]
    return [hint]
