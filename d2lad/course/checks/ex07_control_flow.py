"""Checks of exercise 07, control flow: the gradient of the d2l function with a loop and a
branch for vector and matrix inputs, a vector-Jacobian product, a prediction, and a function
of the learner's own design checked against finite differences.

Truths come from d2lad's own reverse mode (``d2lad.func.vjp``) on the book's function, from
running a program, or from ``d2lad.gradcheck`` (central finite differences).

>>> import d2lad
>>> from d2lad.course.check import check
>>> def vjp_f(A, V):
...     A = A.detach().clone().requires_grad_(True)
...     _book_f(A).sum().backward()           # V left out: the gradient of the sum
...     return A.grad
>>> check("07.2", "vjp_f")  # doctest: +ELLIPSIS
✗ 07.2 a vector-Jacobian product of f for a matrix A: 0/2 points. your result does not depend...
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import as_float_array
from d2lad.course.hints import detached as _detached
from d2lad.course.hints import first_problem as _off

Tensor = d2lad.Tensor


def _book_f(a: Tensor) -> Tensor:
    """The d2l book's function: doubles ``a`` until the norm reaches 1000, then a branch."""
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c




def _fresh(values: np.ndarray) -> Tensor:
    """A float64 tensor that does not require grad, as the grader passes it."""
    return d2lad.tensor(values, dtype=d2lad.float64)


def _vjp_truth(a: np.ndarray, v: np.ndarray) -> Tensor:
    """vᵀJ of the book's function at ``a``, by d2lad's reverse mode."""
    _, vjp_fn = d2lad.func.vjp(_book_f, _fresh(a))
    return vjp_fn(_fresh(v))[0]


def _structure_hint(got: Any, a: np.ndarray) -> str | None:
    """A hint when the answer lacks the k·ones structure: one factor k for every element."""
    g, _ = as_float_array(_detached(got))
    if g is not None and g.shape == a.shape and g.size > 1 and not np.allclose(g, g.flat[0]):
        return ("the elements of the gradient differ, but the norm and the sum are taken over "
                "the whole tensor: one factor k serves every element")
    return None


# ---- 07.1 --------------------------------------------------------------------------------------

def _vector_inputs() -> list[np.ndarray]:
    """Vectors that take both branches, short and long loops, and random ones."""
    rng = np.random.default_rng(71)
    return [np.array([0.3, -1.2, 0.5]),          # sum < 0: the branch c = 100 * b
            np.array([2.0, 1.0, 0.5, 3.0]),
            np.array([700.0, -5.0]),             # norm already large: one doubling
            rng.standard_normal(5), rng.standard_normal(1)]


@checker("07.1", points=2, title="the gradient of f for a vector a")
def check_grad_f(grad_f: Callable[[Tensor], Any]) -> Problems:
    """``grad_f(a)``: d(f(a).sum())/da for a vector ``a``; it must be k·ones with k = f(a)/a."""
    if not callable(grad_f):
        return ["grad_f should be a function of a"]
    for a in _vector_inputs():
        x = _fresh(a)
        got = grad_f(x)
        hint = _off(got, _vjp_truth(a, np.ones_like(a)), "grad_f(a)")
        if hint is None:
            again = grad_f(x)
            if _off(again, got, "") is not None:
                return ["a second call of grad_f on the same tensor gave another result: "
                        "gradients accumulate in .grad, so start from a fresh leaf each call"]
            continue
        return [f"for a of shape {a.shape}: {_structure_hint(got, a) or hint}"]
    return []


# ---- 07.2 --------------------------------------------------------------------------------------

@checker("07.2", points=2, title="a vector-Jacobian product of f for a matrix A")
def check_vjp_f(vjp_f: Callable[[Tensor, Tensor], Any]) -> Problems:
    """``vjp_f(A, V)``: Vᵀ J for the book's f at a matrix ``A`` (the gradient of
    (f(A) * V).sum()), which is k·V."""
    if not callable(vjp_f):
        return ["vjp_f should be a function of A and V"]
    rng = np.random.default_rng(72)
    cases = [np.array([[0.5, -1.0, 0.2], [-0.3, 0.1, -0.4]]),   # sum < 0
             rng.standard_normal((3, 2)), rng.standard_normal((2, 2)) + 1.0]
    for A in cases:
        V = rng.standard_normal(A.shape)
        got = vjp_f(_fresh(A), _fresh(V))
        truth = _vjp_truth(A, V)
        hint = _off(got, truth, "vjp_f(A, V)")
        if hint is None:
            continue
        ones = _vjp_truth(A, np.ones_like(A)).numpy()
        if _off(got, ones, "") is None:
            return ["your result does not depend on V: V is the vector of the vector-Jacobian "
                    "product, pass it to backward"]
        if _off(got, V, "") is None:
            return ["your result is V itself: the Jacobian of f is not the identity"]
        return [f"for A of shape {A.shape}: {hint}"]
    return []


# ---- 07.3 --------------------------------------------------------------------------------------

PREDICT_A = [6.0, -8.0]  # the input of the prediction in 07.3


@checker("07.3", points=1, title="predict the gradient of f")
def check_predicted_grad_f(predicted_grad_f: Any) -> Problems:
    """``predicted_grad_f``: a.grad after f(a).sum().backward() at a = PREDICT_A."""
    a = np.array(PREDICT_A)
    truth = _vjp_truth(a, np.ones_like(a))
    hint = _off(predicted_grad_f, truth, "predicted_grad_f")
    if hint is None:
        return []
    structure = _structure_hint(predicted_grad_f, a)
    if structure is not None:
        return [structure]
    if _off(predicted_grad_f, truth.numpy() / 100, "") is None:
        return ["the number of doublings is right; now check which branch runs (b.sum() "
                "decides it for the whole tensor)"]
    return [hint]


# ---- 07.4 --------------------------------------------------------------------------------------

def has_control_flow(source: str) -> bool:
    """True when ``source`` (of a function) contains an ``if`` or a ``while`` (an ``if``
    expression counts); comments and strings do not.

    >>> has_control_flow("def g(x):\\n    while x.sum() < 1:\\n        x = 2 * x\\n    return x")
    True
    >>> has_control_flow("def g(x):  # if only\\n    return x * 2")
    False
    """
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        return False
    return any(isinstance(n, (ast.If, ast.While, ast.IfExp)) for n in ast.walk(tree))


def _source(fn: Callable[..., Any]) -> str | None:
    """The source code of ``fn``, or None where Python cannot find it."""
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return None


#: How many fresh inputs 07.4 tries my_f at (the grader tries as many).
CHECKS = 8


@checker("07.4", points=3, title="your own control flow, checked by gradcheck")
def check_my_f(my_f: Callable[[Tensor], Any], my_gradcheck_passed: Any) -> Problems:
    """``my_f(x)``, x of shape (3,): has an ``if`` or ``while``, a gradient that is not zero,
    and passes d2lad.gradcheck at fresh inputs; ``my_gradcheck_passed`` is True."""
    if not callable(my_f):
        return ["my_f should be a function of x"]
    source = _source(my_f)
    if source is None:
        return ["cannot read the source of my_f: define it with def in a notebook cell"]
    if not has_control_flow(source):
        return ["my_f has no if and no while: give it a loop or a branch that depends on the "
                "values of x"]
    if my_gradcheck_passed is not True:
        return ["my_gradcheck_passed should hold what d2lad.gradcheck(my_f, ...) returned, "
                "and that is True once the gradients agree"]
    rng = np.random.default_rng(74)
    moved = False
    for k in range(CHECKS):
        xs = rng.standard_normal(3)
        x = d2lad.tensor(xs, dtype=d2lad.float64, requires_grad=True)
        out = my_f(x)
        if not isinstance(out, Tensor):
            return [f"my_f returned {type(out).__name__}: it should return a tensor computed "
                    "from x"]
        try:
            d2lad.gradcheck(my_f, (x,))
        except d2lad.GradcheckError as err:
            first = str(err).splitlines()[0]
            at = ", ".join(f"{v:.6g}" for v in xs)
            return [f"at the fresh input x = [{at}] (check {k + 1} of {CHECKS}) gradcheck "
                    f"fails: {first}"]
        g = d2lad.func.grad(lambda t: my_f(t).sum())(x.detach())
        moved = moved or bool(np.any(g.detach().numpy() != 0))
    if not moved:
        return ["the gradient of my_f is zero at every input tried: make the result depend "
                "on x, so that gradcheck has something to compare"]
    return []
