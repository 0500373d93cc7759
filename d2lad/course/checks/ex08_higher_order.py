"""Checks of exercise 08, higher-order derivatives: second derivatives with
``create_graph=True``, a Hessian-vector product that never forms the Hessian, the size of the
graphs behind them, and why they cost more.

Truths are computed here, fresh: nested ``d2lad.func.grad`` and central differences of the
first derivative, ``d2lad.func.hessian``, and ``d2lad.viz.graph_stats``.

>>> import d2lad
>>> from d2lad.course.check import check
>>> def second_derivative(f, x):
...     x = x.detach().clone().requires_grad_(True)
...     (g,) = d2lad.autograd.grad(f(x).sum(), x)  # no create_graph=True
...     return d2lad.autograd.grad(g.sum(), x)[0]
>>> check("08.1", "second_derivative")  # doctest: +ELLIPSIS
✗ 08.1 second derivatives with create_graph: 0/2 points. the first derivative has no graph...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import d2lad
from d2lad.course.check import Problems, checker
from d2lad.course.hints import ATOL, RTOL, first_problem
from d2lad.viz import graph_stats, peak_memory

Tensor = d2lad.Tensor

def _off(got: Any, truth: Any, what: str, rtol: float = RTOL, atol: float = ATOL) -> str | None:
    """The first problem of ``got`` against ``truth`` (see ``array_hints``), or None."""
    if isinstance(got, (tuple, list)) and len(got) == 1 and isinstance(got[0], Tensor):
        return (f"{what} is a tuple holding one tensor (autograd.grad returns a tuple): "
                "return the tensor itself")
    return first_problem(got, truth, what, rtol, atol)


def _fresh(values: Any) -> Tensor:
    """A float64 tensor that does not require grad, as the grader passes it."""
    return d2lad.tensor(values, dtype=d2lad.float64)


class _Hint(Exception):
    """A problem found while calling the learner's function."""


NO_GRAPH = ("the first derivative has no graph of its own, so it cannot be differentiated "
            "again: ask for it with create_graph=True")


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``, with the error of a missing ``create_graph=True`` turned into a hint."""
    try:
        return fn(*args)
    except RuntimeError as err:
        if "does not require grad" in str(err):
            raise _Hint(NO_GRAPH) from err
        raise


# ---- 08.1 --------------------------------------------------------------------------------------

#: Elementwise test functions (names for the hints).
FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin(t)": lambda t: t.sin(),
    "t * sin(t)": lambda t: t * t.sin(),
    "exp(t) * t**2": lambda t: t.exp() * t * t,
    "tanh(t)": lambda t: t.tanh(),
}


def _first(f: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    """The elementwise first derivative of an elementwise ``f`` (one reverse pass)."""
    return d2lad.func.grad(lambda t: f(t).sum())


@checker("08.1", points=2, title="second derivatives with create_graph")
def check_second_derivative(second_derivative: Callable[[Callable, Tensor], Any]) -> Problems:
    """``second_derivative(f, x)``: f''(x) at every element of x, for elementwise f; compared
    with nested ``d2lad.func.grad`` and with central differences of the first derivative."""
    if not callable(second_derivative):
        return ["second_derivative should be a function of f and x"]
    rng = np.random.default_rng(81)
    inputs = [np.array(0.7), rng.standard_normal(4), rng.standard_normal((2, 3))]
    h = 1e-5
    try:
        for name, f in FUNCTIONS.items():
            first = _first(f)
            nested = d2lad.func.grad(lambda t, first=first: first(t).sum())
            for xs in inputs:
                got = _call(second_derivative, f, _fresh(xs))
                where = f"for f(t) = {name} and x of shape {xs.shape}"
                what = "second_derivative(f, x)"
                fd = (first(_fresh(xs + h)) - first(_fresh(xs - h))) / (2 * h)
                hint = (_off(got, nested(_fresh(xs)), what)
                        or _off(got, fd, what, rtol=1e-5, atol=1e-6))
                if hint is None:
                    continue
                if _off(got, first(_fresh(xs)), "") is None:
                    return [f"{where}: this is the first derivative f', not f''"]
                return [f"{where}: {hint}"]
    except _Hint as problem:
        return [str(problem)]
    return []


# ---- 08.2 --------------------------------------------------------------------------------------

def _scalar_functions(n: int, rng: np.random.Generator) -> dict[str, Callable]:
    """Scalar functions of a vector of length n with dense Hessians."""
    W = _fresh(rng.standard_normal((n, n)) / np.sqrt(n))
    return {
        "log(sum(exp(x)))": lambda t: t.exp().sum().log(),
        "sum(x sin x) + (sum x)**2 / 2": lambda t: (t * t.sin()).sum() + t.sum() ** 2 / 2,
        "sum(tanh(W @ x))": lambda t: (W @ t).tanh().sum(),
    }


def _big_f(t: Tensor) -> Tensor:
    """The function of the memory test: its Hessian is dense, diag(2 cos x - x sin x) + 1."""
    return (t * t.sin()).sum() + t.sum() ** 2 / 2


#: Length of x in the memory test: its Hessian takes HVP_N**2 * 8 = 2 MB.
HVP_N = 500


def hvp_memory_limit(n: int) -> int:
    """Bytes an HVP at length n may use at its peak: half of what the n×n Hessian needs."""
    return n * n * 8 // 2


@checker("08.2", points=3, title="a Hessian-vector product without the Hessian")
def check_hvp(hvp: Callable[[Callable, Tensor, Tensor], Any]) -> Problems:
    """``hvp(f, x, v)`` = H v, checked against ``d2lad.func.hessian(f)(x) @ v``; at length
    HVP_N its peak memory must stay below half the size of the Hessian."""
    if not callable(hvp):
        return ["hvp should be a function of f, x and v"]
    rng = np.random.default_rng(82)
    try:
        for n in (1, 4):
            for name, f in _scalar_functions(n, rng).items():
                xs, vs = rng.standard_normal(n), rng.standard_normal(n)
                got = _call(hvp, f, _fresh(xs), _fresh(vs))
                truth = d2lad.func.hessian(f)(_fresh(xs)) @ _fresh(vs)
                hint = _off(got, truth, "hvp(f, x, v)")
                if hint is None:
                    continue
                if _off(got, d2lad.func.grad(f)(_fresh(xs)), "") is None:
                    return [f"for f(x) = {name}: this is the gradient, not H v"]
                return [f"for f(x) = {name} and x of length {n}: {hint}"]
        xs, vs = rng.standard_normal(HVP_N), rng.standard_normal(HVP_N)
        _call(hvp, _big_f, _fresh(xs[:3]), _fresh(vs[:3]))  # warm up Python's caches
        got, peak = peak_memory(_call, hvp, _big_f, _fresh(xs), _fresh(vs))
    except _Hint as problem:
        return [str(problem)]
    expected = (2 * np.cos(xs) - xs * np.sin(xs)) * vs + vs.sum()
    hint = _off(got, expected, "hvp(f, x, v)")
    if hint is not None:
        return [f"for x of length {HVP_N}: {hint}"]
    if peak > hvp_memory_limit(HVP_N):
        return [f"for x of length {HVP_N}, hvp used {peak / 1e6:.1f} MB at its peak, more than "
                f"half of the {HVP_N * HVP_N * 8 / 1e6:.0f} MB that the {HVP_N}×{HVP_N} Hessian "
                "takes: compute H v without forming H"]
    return []


# ---- 08.3 --------------------------------------------------------------------------------------

def graph_f(x: Tensor) -> Tensor:
    """The function whose graphs 08.3 measures."""
    return (x.exp() * x.cos()).sum()


def graph_x() -> Tensor:
    """The point at which 08.3 measures them."""
    return d2lad.linspace(-1, 1, 5, dtype=d2lad.float64, requires_grad=True)


def graph_nodes() -> tuple[int, int, int]:
    """Nodes of the graphs of f(x), of f' (create_graph) and of f'' (create_graph)."""
    x = graph_x()
    y = graph_f(x)
    (g,) = d2lad.autograd.grad(y, x, create_graph=True)
    (h,) = d2lad.autograd.grad(g.sum(), x, create_graph=True)
    return graph_stats(y)["nodes"], graph_stats(g)["nodes"], graph_stats(h)["nodes"]


@checker("08.3", points=2, title="measure the graphs of derivatives")
def check_nodes(nodes_first: Any, nodes_second: Any) -> Problems:
    """``nodes_first``, ``nodes_second``: graph_stats(...)["nodes"] of the first and second
    derivative of graph_f at graph_x, each computed with create_graph=True."""
    n_f, n_first, n_second = graph_nodes()
    for name, got in (("nodes_first", nodes_first), ("nodes_second", nodes_second)):
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            return [f"{name} should be a whole number, the 'nodes' entry of graph_stats"]
    if nodes_first == n_f:
        return ["nodes_first counts the graph of f(x) itself: count the graph of the "
                "gradient, computed with create_graph=True"]
    if nodes_first == 0 or nodes_second == 0:
        return ["a count of 0 means a derivative without a graph: compute both derivatives "
                "with create_graph=True"]
    if nodes_first != n_first:
        return ["nodes_first is off: it is graph_stats(g)['nodes'] for g, the first "
                "derivative"]
    if nodes_second != n_second:
        return ["nodes_second is off: differentiate g.sum() with create_graph=True and count "
                "the nodes behind the result"]
    return []


# ---- 08.4 --------------------------------------------------------------------------------------

#: The options of 08.4, and why each wrong one is wrong.
WHY_OPTIONS = {
    "recorded": None,
    "approximate": "autodiff applies the derivative rules exactly, at every order; it never "
                   "takes differences of f",
    "precision": "the dtype is the same for every order; 08.3 counted nodes, not bytes per "
                 "number",
    "symbolic": "autodiff does not build formulas; it runs derivative rules on numbers",
}


@checker("08.4", points=1, title="why second derivatives cost more")
def check_why(why: Any) -> Problems:
    """``why``: the keyword of the right explanation (case and outer spaces ignored)."""
    if not isinstance(why, str):
        return ["why should be one of the keywords, as a string"]
    key = why.strip().lower()
    if key not in WHY_OPTIONS:
        return [f"why should be one of: {', '.join(repr(k) for k in WHY_OPTIONS)}"]
    reason = WHY_OPTIONS[key]
    return [] if reason is None else [f"not that one: {reason}"]
