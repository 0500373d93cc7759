"""Running a symbolic graph: bind a value to each variable, then compute every node once.

The walk visits the nodes in topological order (inputs first), so a subexpression used twice
is computed once, and each node is computed by the same code eager mode runs
(``primitive.apply_plain``). Tensors that require grad may be bound: the result then has a
``grad_fn`` and eager backward differentiates through the evaluation.

>>> import d2lad
>>> from d2lad import sym
>>> x = sym.var("x", shape=(3,))
>>> y = d2lad.sin(x) * x
>>> evaluate([y, y.sum()], x=[0.0, 1.0, 2.0])[1]
tensor(2.6601)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad.engine.creation import tensor
from d2lad.engine.tensor import Tensor, wrap
from d2lad.sym.expr import Expr, compute, topological_order


def evaluate(exprs: Expr | Sequence[Expr], /, **bindings: Any) -> Any:
    """The values of one expression (a tensor) or of several (a list of tensors), sharing
    the work for the nodes they have in common.

    >>> from d2lad import sym
    >>> x = sym.var("x")
    >>> evaluate([x + 1, x * 2], x=3.0)
    [tensor(4.), tensor(6.)]
    """
    single = isinstance(exprs, Expr)
    outs = [exprs] if single else list(exprs)
    if not all(isinstance(e, Expr) for e in outs):
        raise TypeError("evaluate takes a symbolic expression or a list of them")
    order = topological_order(outs)
    inputs = _bind([n for n in order if n.kind == "var"], bindings)
    values: dict[int, Any] = {}
    for node in order:
        if node.kind == "var":
            values[id(node)] = inputs[node.name]
        elif node.kind == "const":
            values[id(node)] = node.value
        else:
            args = [values[id(a)] for a in node.args]
            values[id(node)] = compute(node.prim, args, node.params)
    results = [_as_tensor(values[id(e)]) for e in outs]
    return results[0] if single else results


def _as_tensor(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else tensor(value)


def _bind(variables: list[Expr], bindings: dict[str, Any]) -> dict[str, Tensor]:
    """Each variable's value as a tensor of its declared shape and dtype, by name."""
    by_name: dict[str, Expr] = {}
    for v in variables:
        if by_name.setdefault(v.name, v) is not v:
            raise ValueError(f"two different variables are named {v.name!r}: give each "
                             "variable of a graph its own name")
    names = list(by_name)
    missing = [n for n in names if n not in bindings]
    extra = [n for n in bindings if n not in by_name]
    if missing or extra:
        problems = []
        if missing:
            problems.append(f"no value given for {', '.join(missing)}")
        if extra:
            problems.append(f"no variable named {', '.join(extra)} in this expression")
        example = ", ".join(f"{n}=..." for n in names)
        raise ValueError(f"{'; '.join(problems)}. Its variables are {names}: "
                         f"call evaluate({example}).")
    out = {}
    for name, v in by_name.items():
        value = bindings[name]
        dtype = v._data.dtype
        if isinstance(value, Tensor):
            t = value if value._data.dtype == dtype else value.to(dtype)
        else:
            t = wrap(np.asarray(value, dtype=dtype))
        if t._data.shape != v._data.shape:
            raise ValueError(f"variable {name!r} has shape {tuple(v._data.shape)}, but the "
                             f"value given has shape {tuple(t._data.shape)}")
        out[name] = t
    return out

