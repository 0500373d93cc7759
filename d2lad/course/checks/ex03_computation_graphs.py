"""Checks of exercise 03, computation graphs: build z = sin(x·w) + x² with ``d2lad.sym``,
count its nodes, differentiate it ahead of time, evaluate it, and say which style of graph
construction runs Python loops on values.

The truth is computed here, fresh: node counts with ``sym.count_nodes`` on graphs built here,
values with numpy, gradients with d2lad's eager reverse mode (``d2lad.func.grad``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad import sym
from d2lad.course.check import Problems, checker
from d2lad.sym.expr import NO_VALUE

#: Points (x, w) where answers are compared with the truth.
POINTS = [(0.5, -1.25), (-1.5, 0.75), (2.0, 3.0), (0.0, 1.0)]
RTOL, ATOL = 1e-5, 1e-6  # float32 variables are accepted


def _z(x: Any, w: Any) -> Any:
    """The task's function, in numpy."""
    return np.sin(x * w) + x ** 2


def _grad_z(x: float, w: float) -> np.ndarray:
    """(dz/dx, dz/dw) by d2lad's eager reverse mode."""
    g = d2lad.func.grad(lambda a, b: d2lad.sin(a * b) + a ** 2, argnums=(0, 1))
    gx, gw = g(d2lad.tensor(x, dtype=d2lad.float64), d2lad.tensor(w, dtype=d2lad.float64))
    return np.array([gx.item(), gw.item()])


def _vars(shape: tuple[int, ...] = ()) -> tuple[sym.Expr, sym.Expr]:
    return (sym.var("x", shape=shape, dtype=d2lad.float64),
            sym.var("w", shape=shape, dtype=d2lad.float64))


def _evaluate(e: sym.Expr, **bindings: Any) -> np.ndarray:
    """The value of ``e``, binding only the variables it has."""
    names = {v.name for v in sym.variables(e)}
    return np.asarray(e.evaluate(**{k: v for k, v in bindings.items() if k in names}).numpy(),
                      dtype=np.float64)


def _numbers(value: Any) -> np.ndarray | None:
    """``value`` as a float array (tensors, lists of tensors, numbers), or None."""
    try:
        return np.asarray([float(np.asarray(v)) for v in value] if isinstance(value, (list, tuple))
                          else np.asarray(value), dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):
        return None


def _not_symbolic(what: str, value: Any) -> str:
    return (f"{what} is a {type(value).__name__}, not a symbolic expression: apply d2lad's "
            "operations (d2lad.sin, *, **, sym.grad) to the sym variables, not numpy or math")


@checker("03.1", points=2, title="build z = sin(x·w) + x² as a symbolic graph")
def check_build_graph(build_graph: Callable[..., Any]) -> Problems:
    """``build_graph(x, w)`` returns sin(x·w) + x² as an expression of the variables given,
    for scalar and for vector variables (elementwise)."""
    x, w = _vars()
    try:
        z = build_graph(x, w)
    except RuntimeError as err:
        if str(err) != NO_VALUE:
            raise
        return ["build_graph(x, w) asked a symbolic variable for its value: use d2lad's "
                "operations (d2lad.sin, *, **), not numpy's or math's, so that they build "
                "nodes"]
    if not isinstance(z, sym.Expr):
        return [_not_symbolic("build_graph(x, w)", z)]
    used = sym.variables(z)
    names = sorted({v.name for v in used})
    if names != ["w", "x"]:
        return [f"the graph should read the two variables x and w; it reads {names}"]
    if not all(any(v is given for given in (x, w)) for v in used):
        return ["build the expression from the variables passed in as x and w; do not "
                "declare new ones inside build_graph"]
    if tuple(z.shape) != ():
        return [f"for scalar x and w the result should be a scalar (shape ()), got shape "
                f"{tuple(z.shape)}"]
    for x0, w0 in POINTS:
        got = _evaluate(z, x=x0, w=w0)
        if not np.isclose(got, _z(x0, w0), rtol=RTOL, atol=ATOL):
            return [f"the value is off at x = {x0}, w = {w0}: compare the graph "
                    f"({sym.expression(z)}) term by term with the task"]
    xv, wv = _vars((3,))
    zv = build_graph(xv, wv)
    if not isinstance(zv, sym.Expr) or tuple(zv.shape) != (3,):
        shape = tuple(zv.shape) if isinstance(zv, d2lad.Tensor) else type(zv).__name__
        return [f"with vector variables of shape (3,) the result should have shape (3,) "
                f"(every operation is elementwise), got {shape}"]
    a, b = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -0.5])
    if not np.allclose(_evaluate(zv, x=a, w=b), _z(a, b), rtol=RTOL, atol=ATOL):
        return ["with vector variables the values are off: use elementwise operations only"]
    return []


def _count_truth() -> dict[str, int]:
    x, w = sym.var("x"), sym.var("w")
    s = d2lad.sin(x * w)
    return {"nodes_z": sym.count_nodes(d2lad.sin(x * w) + x ** 2),
            "nodes_shared": sym.count_nodes(s * s),
            "nodes_rebuilt": sym.count_nodes(d2lad.sin(x * w) * d2lad.sin(x * w))}


COUNT_HINTS = {
    "nodes_z": "count one node per variable and one per operation",
    "nodes_shared": "s is one node, however many operations use it",
    "nodes_rebuilt": "every call of an operation adds a new node, even with inputs seen "
                     "before; only the variables x and w are the same objects",
}


@checker("03.2", points=2, title="count the nodes of three graphs")
def check_node_counts(nodes_z: Any, nodes_shared: Any, nodes_rebuilt: Any) -> Problems:
    """The three predicted node counts equal ``sym.count_nodes`` of the graphs."""
    given = {"nodes_z": nodes_z, "nodes_shared": nodes_shared, "nodes_rebuilt": nodes_rebuilt}
    problems = []
    for name, truth in _count_truth().items():
        value = given[name]
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer)) \
                or value != int(value):
            problems.append(f"{name} should be a whole number, got {value!r}.")
        elif int(value) != truth:
            problems.append(f"{name} is off: {COUNT_HINTS[name]}.")
    return problems


@checker("03.3", points=2, title="the gradient graphs, built ahead of time with sym.grad")
def check_gradient_graphs(gradient_graphs: Callable[..., Any]) -> Problems:
    """``gradient_graphs(x, w)`` returns (dz/dx, dz/dw) as symbolic expressions whose values
    match reverse mode at several points."""
    x, w = _vars()
    out = gradient_graphs(x, w)
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        n = len(out) if isinstance(out, (tuple, list)) else type(out).__name__
        return [f"gradient_graphs should return two expressions, (dz/dx, dz/dw); got {n}"]
    labels = ("dz/dx", "dz/dw")
    for label, g in zip(labels, out):
        if not isinstance(g, sym.Expr):
            return [_not_symbolic(label, g)]
        if tuple(g.shape) != ():
            return [f"{label} should be a scalar expression, got shape {tuple(g.shape)}"]
    for x0, w0 in POINTS:
        got = np.array([float(_evaluate(g, x=x0, w=w0)) for g in out])
        truth = _grad_z(x0, w0)
        ok = np.isclose(got, truth, rtol=RTOL, atol=ATOL)
        if not ok.all():
            if np.allclose(got[::-1], truth, rtol=RTOL, atol=ATOL):
                return ["the two gradients come in the wrong order: return (dz/dx, dz/dw)"]
            bad = labels[int(np.argmin(ok))]
            return [f"{bad} is off at x = {x0}, w = {w0}: build it with sym.grad from the "
                    "graph of build_graph(x, w)"]
    return []


@checker("03.4", points=2, title="value and gradient by evaluating the graphs")
def check_value_and_gradient(value_and_gradient: Callable[..., Any]) -> Problems:
    """``value_and_gradient(x0, w0)`` returns [z, dz/dx, dz/dw] at the point, for numbers and
    for float64 tensors."""
    labels = ("the value z", "dz/dx", "dz/dw")
    for k, (x0, w0) in enumerate(POINTS):
        args = (x0, w0) if k % 2 == 0 else (d2lad.tensor(x0, dtype=d2lad.float64),
                                           d2lad.tensor(w0, dtype=d2lad.float64))
        got = _numbers(value_and_gradient(*args))
        if got is None:
            return ["value_and_gradient should return three numbers: [z, dz/dx, dz/dw]"]
        if got.shape != (3,):
            return [f"expected three numbers [z, dz/dx, dz/dw] (shape (3,)), got shape "
                    f"{got.shape}"]
        truth = np.concatenate([[_z(x0, w0)], _grad_z(x0, w0)])
        ok = np.isclose(got, truth, rtol=RTOL, atol=ATOL)
        if not ok.all():
            kind = "tensors" if k % 2 else "numbers"
            return [f"{labels[int(np.argmin(ok))]} is off at x = {x0}, w = {w0} (given as "
                    f"{kind})"]
    return []


@checker("03.5", points=1, title="which style runs a while loop on values")
def check_style(style_for_loops: Any) -> Problems:
    """``style_for_loops`` names the construction style that can run Python control flow that
    depends on values."""
    choices = ("explicit", "implicit", "both")
    if not isinstance(style_for_loops, str) or style_for_loops.strip().lower() not in choices:
        return ["answer with one word, as a string: 'explicit', 'implicit' or 'both'"]
    if style_for_loops.strip().lower() != "implicit":
        return ["not the expected answer: call f on d2lad.tensor(0.5) and on sym.var('a'), "
                "and see which one can decide the while condition"]
    return []
