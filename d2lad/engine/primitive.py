"""Primitives: operations that know their own derivatives, and ``apply``, which records them.

A primitive is defined once with its value (a numpy function) and its two derivative rules, one
per input: the vector-Jacobian product for reverse mode (``vjp``) and the Jacobian-vector product
for forward mode (``jvp``). ``primitives.py`` is the table of all of them.

Rules are written with d2lad's own operations, which also accept plain numpy arrays. Ordinary
backward runs them on arrays (fast, nothing recorded); ``create_graph=True`` runs the same rules
on tensors while recording, so the gradient is itself differentiable (higher-order derivatives).

>>> import d2lad
>>> from d2lad.engine.primitives import TABLE
>>> TABLE["sin"].grad_fn, TABLE["sin"].saves
('SinBackward0', (0,))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from d2lad.engine.grad_mode import STATE
from d2lad.engine.node import Node
from d2lad.engine.tensor import Tensor, wrap

Rule = Callable[..., Any]
_new = object.__new__


class Primitive:
    """One entry of the table: how to compute an operation and how to differentiate it.

    - ``value(*arrays, **params)``: the result, with numpy;
    - ``vjp[i](g, ans, *inputs, **params)``: the gradient for input ``i`` given the gradient
      ``g`` of the output (``ans`` is the output's value);
    - ``jvp[i](t, ans, *inputs, **params)``: the output's tangent caused by input ``i``'s
      tangent ``t``;
    - ``saves``: inputs whose values the rules read (checked for in-place changes, freed after
      backward); ``saves_ans``: the rules read the output;
    - ``variadic``: takes any number of inputs (``cat``): the single rule gets ``argnum=i``.
    """

    __slots__ = ("name", "value", "vjp", "jvp", "grad_fn", "saves", "saves_ans", "variadic",
                 "doc")

    def __init__(self, name: str, value: Callable[..., Any], vjp: Sequence[Rule | None],
                 jvp: Sequence[Rule | None], grad_fn: str, saves: tuple[int, ...] = (),
                 saves_ans: bool = False, variadic: bool = False, doc: str = ""):
        self.name = name
        self.value = value
        self.vjp = tuple(vjp)
        self.jvp = tuple(jvp)
        self.grad_fn = grad_fn
        self.saves = saves
        self.saves_ans = saves_ans
        self.variadic = variadic
        self.doc = doc

    def vjp_rule(self, i: int) -> Rule:
        """The reverse-mode rule for input ``i``."""
        return self.vjp[0] if self.variadic else self.vjp[i]

    def jvp_rule(self, i: int) -> Rule:
        """The forward-mode rule for input ``i``."""
        return self.jvp[0] if self.variadic else self.jvp[i]

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def _value(prim: Primitive, arrays: Sequence[Any], params: dict | None) -> Any:
    """``prim.value`` on arrays, with numpy's shape errors turned into PyTorch's."""
    try:
        return prim.value(*arrays, **params) if params else prim.value(*arrays)
    except ValueError as err:
        raise shape_error(prim, arrays, err) from None


def shape_error(prim: Primitive, arrays: Sequence[Any], err: Exception) -> RuntimeError:
    """A RuntimeError naming the shapes that do not fit, in PyTorch's words where it has some."""
    shapes = [np.shape(a) for a in arrays]
    msg = str(err)
    if "broadcast" in msg and len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        for k in range(1, max(len(a), len(b)) + 1):
            da = a[-k] if k <= len(a) else 1
            db = b[-k] if k <= len(b) else 1
            if da != db and da != 1 and db != 1:
                dim = max(len(a), len(b)) - k
                return RuntimeError(
                    f"The size of tensor a ({da}) must match the size of tensor b ({db}) at "
                    f"non-singleton dimension {dim}: shapes {list(a)} and {list(b)} do not "
                    "broadcast. Reshape one of them (e.g. with .reshape or .unsqueeze).")
    listed = " and ".join(str(list(s)) for s in shapes)
    return RuntimeError(f"{prim.name}: the shapes {listed} do not fit ({msg}).")


def apply(prim: Primitive, *args: Any, **params: Any) -> Any:
    """Run ``prim`` on ``args`` and, when an input requires grad and recording is on, record it.

    With no tensor among ``args`` (inside a derivative rule) it returns a plain numpy result.
    Tensor subclasses with a meaning of their own (forward-mode duals, symbolic expressions)
    take over through ``dispatch``. ``unary`` and ``binary`` below make the same steps,
    unrolled, for one and two inputs.
    """
    arrays = []
    parents = []
    any_tensor = record = False
    for a in args:
        if isinstance(a, Tensor):
            if type(a) is not Tensor:
                return dispatch(prim, args, params)
            any_tensor = True
            arrays.append(a._data)
            if a._requires_grad:
                record = True
                parents.append(a.grad_fn or a)
            else:
                parents.append(None)
        else:
            arrays.append(a)
            parents.append(None)
    out = _value(prim, arrays, params)
    if not any_tensor:
        return out
    if not params:  # parameters (``cast``'s dtype, ``dim``) are never Python numbers to promote
        out = _fix_dtype(out, args)
    if not (record and STATE.enabled):
        return wrap(out)
    return _record(prim, out, args, tuple(parents), params or None)


def apply_plain(prim: Primitive, args: tuple, params: dict | None, record: bool = True) -> Any:
    """``apply`` with every tensor treated as a plain Tensor (subclasses included); with
    ``record=False`` nothing is recorded (a facade whose framework is not recording)."""
    arrays = [a._data if isinstance(a, Tensor) else a for a in args]
    parents = tuple((a.grad_fn or a) if isinstance(a, Tensor) and a._requires_grad else None
                    for a in args)
    out = _value(prim, arrays, params)
    if not params:
        out = _fix_dtype(out, args)
    if not (record and STATE.enabled and any(p is not None for p in parents)):
        return wrap(out)
    return _record(prim, out, args, parents, params or None)


def dispatch(prim: Primitive, args: tuple, params: dict | None) -> Any:
    """Hand a call with Tensor subclasses to the one with the highest ``dispatch_priority``.

    A subclass defines ``apply_primitive(prim, args, params)`` (a classmethod); the base
    Tensor's records as usual, with subclasses treated as plain tensors.
    """
    owner = max((type(a) for a in args if isinstance(a, Tensor)),
                key=lambda cls: cls.dispatch_priority)
    return owner.apply_primitive(prim, args, params or {})


def unary(prim: Primitive) -> Callable[..., Any]:
    """``apply`` unrolled for a primitive of one input: the function ``op(x, **params)``."""
    value = prim.value

    def op(x: Any, **params: Any) -> Any:
        if type(x) is not Tensor:
            if isinstance(x, Tensor):
                return dispatch(prim, (x,), params)
            return value(x, **params) if params else value(x)
        try:
            out = value(x._data, **params) if params else value(x._data)
        except ValueError as err:
            raise shape_error(prim, (x._data,), err) from None
        if not (x._requires_grad and STATE.enabled):
            return wrap(out if hasattr(out, "dtype") else np.asarray(out))
        return _record(prim, out, (x,), (x.grad_fn or x,), params or None)

    return op


def binary(prim: Primitive) -> Callable[..., Any]:
    """``apply`` unrolled for a primitive of two inputs (``+``, ``*``): ``op(x, y, **params)``."""
    value = prim.value

    def op(x: Any, y: Any, **params: Any) -> Any:
        if params:
            return apply(prim, x, y, **params)
        if type(x) is Tensor:
            xa = x._data
            xp = (x.grad_fn or x) if x._requires_grad else None
            if type(y) is Tensor:
                ya = y._data
                yp = (y.grad_fn or y) if y._requires_grad else None
            elif isinstance(y, Tensor):
                return dispatch(prim, (x, y), None)
            else:
                ya = y
                yp = None
        elif type(y) is Tensor and not isinstance(x, Tensor):
            xa = x
            xp = None
            ya = y._data
            yp = (y.grad_fn or y) if y._requires_grad else None
        elif isinstance(x, Tensor) or isinstance(y, Tensor):
            return dispatch(prim, (x, y), None)
        else:
            return value(x, y)
        try:
            out = value(xa, ya)
        except ValueError as err:
            raise shape_error(prim, (xa, ya), err) from None
        if out.dtype is F64 and ((type(x) is Tensor and xa.dtype is not F64)
                                 or (type(y) is Tensor and ya.dtype is not F64)):
            out = _fix_dtype(out, (x, y))
        if (xp is None and yp is None) or not STATE.enabled:
            return wrap(out)
        return _record(prim, out, (x, y), (xp, yp), None)

    return op


F64 = np.dtype(np.float64)


def _record(prim: Primitive, out: Any, args: tuple, parents: tuple, params: dict | None) -> Tensor:
    """The result tensor, with a new node that remembers this call for backward."""
    node = _new(Node)
    node.prim = prim
    node.inputs = args
    node.parents = parents
    node.params = params
    node.retained = None
    t = _new(Tensor)
    t._data = out
    t._grad = None
    t._requires_grad = True
    t.grad_fn = node
    node.inplace_count = STATE.inplace_count
    node.versions = None
    for i in prim.saves:
        a = args[i]
        if isinstance(a, Tensor) and a._vc is not None:
            node.versions = tuple([_version_of(args[j]) for j in prim.saves])
            break
    if prim.saves_ans:
        node.ans = out
        t._vc = node.ans_version = [0]
    else:
        t._vc = node.ans = node.ans_version = None
    return t


def _version_of(x: Any) -> int:
    vc = getattr(x, "_vc", None)
    return 0 if vc is None else vc[0]


def _fix_dtype(out: Any, args: Sequence[Any]) -> Any:
    """PyTorch's result type where numpy's differs. Among float tensors, those with dimensions
    decide (a float64 number or 0-d tensor does not turn a float32 tensor into float64); with
    no float tensor at all (integers meeting a Python float, integer division) the result is
    float32, the default dtype."""
    dt = getattr(out, "dtype", None)
    if dt is None:
        return np.asarray(out)
    if dt is F64:
        floats = [a._data for a in args if isinstance(a, Tensor) and a._data.dtype.kind == "f"]
        deciding = [a for a in floats if a.ndim] or floats
        if not any(a.dtype is F64 for a in deciding):
            return out.astype(np.float32)
    return out
