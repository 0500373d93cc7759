"""Reverse mode ahead of time: the gradient of a symbolic expression is another expression.

``grad`` walks the graph from the output back to the inputs (reverse topological order) and
applies each primitive's vector-Jacobian rule from the engine's table, the very rules eager
backward runs on arrays. Here they run on expressions, so they build new nodes: the gradient
is a graph you can print, draw and count before any number flows, and differentiate again.

>>> import d2lad
>>> from d2lad import sym
>>> x = sym.var("x", shape=(4,))
>>> y = 2 * d2lad.dot(x, x)
>>> g = grad(y, x)
>>> g
<sym 2 * x + 2 * x: shape (4,)>
>>> g.evaluate(x=d2lad.arange(4.0))
tensor([ 0.,  4.,  8., 12.])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad.engine.tensor import Tensor
from d2lad.sym.expr import NO_GRAD, Expr, constant, lift, simplifying, topological_order

SUPPORTED = frozenset([
    "add", "sub", "rsub", "mul", "div", "rdiv", "neg", "pow", "pow_tensor", "rpow",
    "exp", "log", "log1p", "sqrt", "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs",
    "maximum", "minimum", "where", "sum", "sum_dim", "mean", "mean_dim", "prod", "prod_dim",
    "norm", "dot", "mm", "mv", "matmul", "reshape", "unsqueeze", "squeeze", "squeeze_dim",
    "flatten", "transpose", "t", "transpose2", "broadcast_to", "sum_to", "getitem", "select",
    "slice", "scatter", "cat", "stack", "clone", "softmax", "log_softmax"])
"""The primitives whose derivative rules work on expressions (all tested against eager)."""


def grad(expr: Expr, wrt: Expr | Sequence[Expr], grad_output: Any = None) -> Any:
    """d(expr)/d(wrt) as a new expression (a tuple of them for a list ``wrt``).

    For an ``expr`` with more than one element, pass ``grad_output``, the vector v of the
    vector-Jacobian product vᵀJ (a value, or an expression: a variable gives the VJP as a
    function of v). A ``wrt`` the expression does not depend on gets a gradient of zeros.

    >>> import d2lad
    >>> from d2lad import sym
    >>> x = sym.var("x")
    >>> grad(d2lad.sin(x), x)
    <sym cos(x): shape ()>
    >>> grad(grad(x ** 3, x), x).evaluate(x=2.0)
    tensor(12.)
    """
    if not isinstance(expr, Expr):
        raise TypeError(f"grad differentiates a symbolic expression, got {type(expr).__name__}; "
                        "for eager tensors use d2lad.autograd.grad")
    single = isinstance(wrt, Expr)
    targets = [wrt] if single else list(wrt)
    if not all(isinstance(t, Expr) for t in targets):
        raise TypeError("grad(expr, wrt): wrt must be a symbolic expression (a sym.var) or a "
                        "list of them")
    order = topological_order([expr])
    depends = _depending_on(order, {id(t) for t in targets})
    grads: dict[int, Expr] = {id(expr): _seed(expr, grad_output)}
    with simplifying():
        for node in reversed(order):
            g = grads.get(id(node))
            if g is None or node.kind != "op" or id(node) not in depends:
                continue
            _backward_step(node, g, depends, grads)
    results = tuple(grads[id(t)] if id(t) in grads else _zeros(t) for t in targets)
    return results[0] if single else results


def _depending_on(order: list[Expr], targets: set[int]) -> set[int]:
    """Ids of the nodes through which a target reaches the output (gradients flow there)."""
    depends = set()
    for node in order:
        if id(node) in targets or (node.prim not in NO_GRAD and any(
                id(a) in depends for a in node.args)):
            depends.add(id(node))
    return depends


def _backward_step(node: Expr, g: Expr, depends: set[int], grads: dict[int, Expr]) -> None:
    """Apply ``node``'s vector-Jacobian rules to ``g``, adding into its inputs' gradients."""
    prim = node.prim
    if prim.name not in SUPPORTED:
        raise NotImplementedError(
            f"sym.grad cannot differentiate the primitive {prim.name!r} yet: its derivative "
            "rule reads values with numpy. Compute this gradient in eager mode instead: "
            "make x = d2lad.tensor(..., requires_grad=True) and call d2lad.autograd.grad.")
    for i, a in enumerate(node.args):
        rule = prim.vjp_rule(i)
        if rule is None or id(a) not in depends:
            continue
        if prim.variadic:
            gi = rule(g, node, *node.args, argnum=i, **node.params)
        else:
            gi = rule(g, node, *node.args, **node.params)
        gi = lift(gi)
        grads[id(a)] = grads[id(a)] + gi if id(a) in grads else gi


def _seed(expr: Expr, grad_output: Any) -> Expr:
    """The gradient the walk starts from: ones for a one-element output, else ``grad_output``."""
    shape = tuple(expr._data.shape)
    if grad_output is None:
        if expr._data.size != 1:
            raise RuntimeError(
                f"grad of an expression of shape {shape} needs grad_output, the vector v of "
                "vᵀJ with the expression's shape (or reduce it first, e.g. y.sum())")
        return constant(np.ones(shape, dtype=expr._data.dtype))
    seed = grad_output if isinstance(grad_output, Expr) else constant(np.asarray(
        grad_output._data if isinstance(grad_output, Tensor) else grad_output,
        dtype=expr._data.dtype))
    if tuple(seed._data.shape) != shape:
        raise RuntimeError(f"grad_output has shape {tuple(seed._data.shape)}, but the "
                           f"expression has shape {shape}: they must be the same")
    return seed


def _zeros(t: Expr) -> Expr:
    return constant(np.zeros(t._data.shape, dtype=t._data.dtype))


def count_nodes(expr: Expr | Sequence[Expr]) -> int:
    """How many nodes (variables, constants, operations) a graph has, shared ones once.

    >>> import d2lad
    >>> from d2lad import sym
    >>> x = sym.var("x")
    >>> count_nodes(d2lad.sin(x) * x + 1)   # x, sin, mul, 1, add
    5
    """
    return sum(count_ops(expr).values())


def count_ops(expr: Expr | Sequence[Expr]) -> Counter:
    """How many nodes of each kind a graph has: per operation name, ``"var"`` and ``"const"``.

    >>> from d2lad import sym
    >>> x = sym.var("x")
    >>> count_ops(x * x + x * 2)
    Counter({'mul': 2, 'var': 1, 'const': 1, 'add': 1})
    """
    outs = [expr] if isinstance(expr, Expr) else list(expr)
    return Counter(n.prim.name if n.kind == "op" else n.kind for n in topological_order(outs))
