"""Forward accumulation: dual numbers carried through one pass, no graph stored.

A :class:`Dual` is a tensor that carries, next to its value (the *primal*), a *tangent*: the
directional derivative of that value along the direction the pass started with. Every
primitive applied to duals computes its value as usual and its tangent with the forward rule
(jvp) from the same table the reverse rules come from. Nothing is recorded for later: memory
stays O(1) in the length of the computation, and one pass gives J v for one direction v.

A tangent may have extra leading dimensions: a batch of directions pushed through together
(``jacfwd`` sends all n basis vectors in one pass).

>>> import d2lad
>>> x = d2lad.tensor(2.0)
>>> jvp(lambda x: x * x * x, (x,), (d2lad.tensor(1.0),))
(tensor(8.), tensor(12.))
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from d2lad.engine.primitive import Primitive, apply
from d2lad.engine.primitives import broadcast_to, reshape
from d2lad.engine.tensor import Tensor, wrap

_levels = itertools.count(1)

# Primitives whose inputs broadcast against each other: a batched tangent of a lower-rank
# input needs size-1 axes between its batch axes and its own before the rule multiplies it.
BROADCASTING = frozenset({"add", "sub", "rsub", "mul", "div", "rdiv", "pow_tensor", "rpow",
                          "maximum", "minimum", "where"})


class Dual(Tensor):
    """A value with a tangent, at a nesting ``level`` (jvp inside jvp uses two levels).

    Its ``_data`` is the primal's, so comparisons, ``if``/``while`` and printing of the value
    work as on any tensor; operations propagate the tangent.
    """

    __slots__ = ("primal", "tangent", "level")
    dispatch_priority = 10

    @classmethod
    def apply_primitive(cls, prim: Primitive, args: tuple, params: dict) -> Tensor:
        """Value from the primals, tangent from the primitive's jvp rules."""
        level = max(a.level for a in args if isinstance(a, Dual))
        primals = tuple(a.primal if isinstance(a, Dual) and a.level == level else a
                        for a in args)
        out = apply(prim, *primals, **params)
        tangent = None
        for i, a in enumerate(args):
            if isinstance(a, Dual) and a.level == level:
                t = _fit(prim, a.tangent, a.primal, out)
                if prim.variadic:
                    ti = prim.jvp[0](t, out, *primals, argnum=i, **params)
                else:
                    ti = prim.jvp[i](t, out, *primals, **params)
                tangent = ti if tangent is None else tangent + ti
        batch = _lead(args, level)
        if tuple(tangent.shape) != batch + tuple(out.shape):
            tangent = broadcast_to(tangent, shape=batch + tuple(out.shape))
        result = dual(out, tangent, level)
        node = out.grad_fn
        if node is not None and type(out) is Tensor:
            # The primal was recorded for reverse mode too: let backward's rules see the duals,
            # so a gradient computed from this graph carries tangents (forward-over-reverse).
            node.inputs = args
            if node.ans is not None:
                node.ans_tangent = (tangent, level)
        return result

    _functional_inplace = True  # x[i] = v and x += v must carry tangents along

    def _constant(self) -> Any:
        return self.primal._constant()

    def _snapshot(self) -> Tensor:
        return dual(self.primal._snapshot(), self.tangent, self.level)

    def _adopt(self, result: Tensor) -> Tensor:
        if not isinstance(result, Dual) or result.level != self.level:
            raise RuntimeError("an in-place change of a dual number lost its tangent; build a "
                               "new tensor instead (y = y + v rather than y += v)")
        self.primal, self.tangent = result.primal, result.tangent
        self._data = result._data
        self.grad_fn = result.grad_fn
        self._requires_grad = result._requires_grad
        return self

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"


def _lead(args: tuple, level: int) -> tuple[int, ...]:
    """The batch shape of the tangents at ``level`` (empty for a single direction)."""
    for a in args:
        if isinstance(a, Dual) and a.level == level:
            st, sp = tuple(a.tangent.shape), tuple(a.primal.shape)
            return st[:len(st) - len(sp)]
    return ()


def _fit(prim: Primitive, t: Any, x: Any, out: Any) -> Any:
    """A batched tangent of a lower-rank input, with size-1 axes so that it broadcasts."""
    missing = len(out.shape) - len(x.shape)
    if prim.name not in BROADCASTING or missing <= 0 or len(t.shape) == len(x.shape):
        return t
    lead = tuple(t.shape)[:len(t.shape) - len(x.shape)]
    return reshape(t, shape=lead + (1,) * missing + tuple(x.shape))


def dual(primal: Tensor, tangent: Any, level: int) -> Dual:
    """A dual number from a primal tensor and its tangent (a tensor or array)."""
    d = object.__new__(Dual)
    d.primal = primal
    d.tangent = tangent if isinstance(tangent, Tensor) else wrap(np.asarray(tangent))
    d.level = level
    d._data = primal._data
    d._grad = None
    d._requires_grad = primal._requires_grad
    d.grad_fn = primal.grad_fn
    if primal._vc is None:
        primal._vc = [0]
    d._vc = primal._vc
    return d


def _as_tensor(x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from d2lad.engine.creation import as_tensor

    return as_tensor(x)


def jvp(f: Callable[..., Any], primals: Sequence[Any],
        tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``(f(*primals), J v)``: the value and the Jacobian-vector product, in one forward pass.

    ``tangents`` (one per primal, same shapes) may carry extra leading batch dimensions.

    >>> import d2lad
    >>> out, t = jvp(d2lad.sin, (d2lad.tensor(0.0),), (d2lad.tensor(2.0),))
    >>> t
    tensor(2.)
    """
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise ValueError(f"jvp needs one tangent per primal: got {len(primals)} primals and "
                         f"{len(tangents)} tangents")
    level = next(_levels)
    args = []
    batch = None
    for p, t in zip(primals, tangents):
        p, t = _as_tensor(p), _as_tensor(t)
        extra = len(t.shape) - len(p.shape)
        if extra < 0 or tuple(t.shape[extra:]) != tuple(p.shape):
            raise ValueError(f"a tangent must have its primal's shape {list(p.shape)} (plus "
                             f"leading batch dimensions), got {list(t.shape)}")
        if batch is not None and tuple(t.shape[:extra]) != batch:
            raise ValueError("all tangents must have the same leading batch dimensions")
        batch = tuple(t.shape[:extra])
        if t._data.dtype != p._data.dtype and p._data.dtype.kind == "f":
            t = t.to(p.dtype)
        args.append(dual(p, t, level))
    outermost = not TRANSFORMS.depth and not any(p.requires_grad for p in args)
    with TRANSFORMS:
        out = f(*args)
    value, tangent = _unpack(out, level, batch or ())
    if outermost:  # drop the history of temporary leaves made by transforms inside ``f``
        return _detached(value), _detached(tangent)
    return value, tangent


class _Depth:
    """How many function transforms (jvp, grad, ...) are running, one inside another."""

    def __init__(self) -> None:
        self.depth = 0

    def __enter__(self) -> None:
        self.depth += 1

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1


TRANSFORMS = _Depth()


def _detached(x: Any) -> Any:
    if isinstance(x, (tuple, list)):
        return type(x)(_detached(v) for v in x)
    return x.detach() if isinstance(x, Tensor) and x.requires_grad else x


def _unpack(out: Any, level: int, batch: tuple[int, ...]) -> tuple[Any, Any]:
    """Split outputs (a tensor or a tuple/list of them) into primals and tangents."""
    if isinstance(out, (tuple, list)):
        pairs = [_unpack(o, level, batch) for o in out]
        return type(out)(p for p, _ in pairs), type(out)(t for _, t in pairs)
    if isinstance(out, Dual) and out.level == level:
        return out.primal, out.tangent
    value = _as_tensor(out)
    zeros = wrap(np.zeros(batch + tuple(value.shape), dtype=value._data.dtype))
    return value, zeros
