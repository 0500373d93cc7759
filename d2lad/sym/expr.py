"""Symbolic expressions: a tensor with a shape and a dtype but no values, like PyTorch's "meta"
device. Operations on one record a graph node instead of computing (define, then run).

An :class:`Expr` is a :class:`d2lad.Tensor` whose ``_data`` is a zero-strided placeholder of the
right shape and dtype, so the public functions' shape checks work unchanged. Every operation
ends in a primitive of the engine's table; ``Tensor.dispatch_priority`` hands those calls to
``Expr.apply_primitive``, which records ``(primitive, inputs, params)`` and infers the output's
shape and dtype by running the primitive on the placeholders.

>>> import d2lad
>>> from d2lad import sym
>>> x = sym.var("x", shape=(3,))
>>> w = sym.var("w", shape=(3,))
>>> d2lad.sin(x) * w + 1
<sym sin(x) * w + 1: shape (3,)>
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from d2lad.engine import dtypes
from d2lad.engine import functions as F
from d2lad.engine.creation import tensor
from d2lad.engine.primitive import Primitive
from d2lad.engine.primitives import TABLE, bind
from d2lad.engine.tensor import Tensor, wrap

NO_VALUE = ("a symbolic expression has no value until you evaluate it: "
            "expr.evaluate(x=...) with a value for each variable")
IMMUTABLE = ("symbolic expressions cannot be changed in place: build a new one instead, "
             "e.g. y = x + 1 rather than x.add_(1), or d2lad.where(mask, v, x) rather than "
             "x[mask] = v")


def _no_grad_prim(name: str, value: Any, arity: int) -> Primitive:
    """An operation without a derivative: its result carries no gradient."""
    return Primitive(name, value, vjp=(None,) * arity, jvp=(None,) * arity, grad_fn="")


STOP_GRADIENT = _no_grad_prim("stop_gradient", lambda x: x, 1)
SIGN = _no_grad_prim("sign", np.sign, 1)
ASTYPE = _no_grad_prim("astype", lambda x, dtype: np.asarray(x).astype(dtype), 1)
COMPARE = {name: _no_grad_prim(name, ufunc, 2) for name, ufunc in [
    ("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
    ("gt", np.greater), ("ge", np.greater_equal)]}
NO_GRAD = frozenset([STOP_GRADIENT, SIGN, ASTYPE, *COMPARE.values()])
"""Operations sym adds to the engine's table: masks, signs and casts, none differentiable."""


class _BuildState:
    """Whether new nodes are simplified as they are built (on while ``grad`` builds)."""

    simplify = False


BUILD = _BuildState()


@contextlib.contextmanager
def simplifying() -> Iterator[None]:
    """Within: nodes of constants only are computed at once (constant folding), and a product
    with a constant of ones is the other factor. ``grad`` builds its graphs this way.

    >>> x = var("x")
    >>> with simplifying():
    ...     constant(2.0) * 3 + x * constant(1.0)
    <sym 6 + x: shape ()>
    """
    before = BUILD.simplify
    BUILD.simplify = True
    try:
        yield
    finally:
        BUILD.simplify = before


_OPS: dict[Primitive, Any] = {}  # each primitive's eager function (unary, binary or general)


def compute(prim: Primitive, inputs: Sequence[Any], params: dict) -> Any:
    """The value of one node, from its inputs' values, by the very function eager mode calls.

    Tensors that require grad are recorded as usual, so evaluating a graph at such tensors
    gives a result eager backward can differentiate. Without any tensor among the inputs
    (constants only) the result is plain numpy, as when a derivative rule runs on arrays.

    >>> import d2lad
    >>> compute(TABLE["mul"], [d2lad.tensor([1.0, 2.0]), 3], {})
    tensor([3., 6.])
    """
    if prim in NO_GRAD:
        arrays = [a._data if isinstance(a, Tensor) else a for a in inputs]
        out = prim.value(*arrays, **params)
        return wrap(np.asarray(out)) if any(isinstance(a, Tensor) for a in inputs) else out
    op = _OPS.get(prim)
    if op is None:
        op = _OPS[prim] = bind(prim)
    return op(*inputs, **params)


class Expr(Tensor):
    """A node of a symbolic graph: a variable, a constant, or an operation on other nodes.

    ``kind`` is ``"var"`` (with a ``name``), ``"const"`` (with a ``value``) or ``"op"`` (with
    ``prim``, the engine's primitive, its ``args``, all Exprs, and its keyword ``params``).
    Make leaves with :func:`var` and :func:`constant`; everything else comes from operations.

    >>> import d2lad
    >>> x = var("x", shape=(2,))
    >>> y = (x * x).sum()
    >>> y.kind, y.prim.name, y.args[0].prim.name
    ('op', 'sum', 'mul')
    """

    __slots__ = ("kind", "prim", "args", "params", "name", "value")

    dispatch_priority = 5  # under forward-mode duals (10): a dual may carry expressions

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("make symbolic expressions with sym.var(name, shape) or "
                        "sym.constant(value), then operations on them")

    @classmethod
    def apply_primitive(cls, prim: Any, args: tuple, params: dict) -> Expr:
        """Record ``prim`` on ``args`` as a new node (nothing is computed but its shape).

        >>> import d2lad
        >>> x = var("x", shape=(2, 3))
        >>> x.sum(dim=0).shape
        torch.Size([3])
        """
        nodes = tuple(lift(a) for a in args)
        if BUILD.simplify and all(a.kind == "const" for a in nodes):
            return _leaf("const", compute(prim, [a.value for a in nodes], params))
        out = _infer(prim, nodes, params)
        if BUILD.simplify and prim is TABLE["mul"]:
            for a, b in (nodes, nodes[::-1]):
                if _is_ones(a) and b._data.shape == out.shape and b._data.dtype == out.dtype:
                    return b
        node = _new_expr(out.shape, out.dtype)
        node.kind = "op"
        node.prim = prim
        node.args = nodes
        node.params = params
        return node

    # ---- what only evaluation can answer -----------------------------------------------------

    def evaluate(self, /, **bindings: Any) -> Tensor:
        """The value of this expression for the given variable values (arrays, numbers or
        tensors), as a d2lad tensor.

        >>> x = var("x", shape=(3,))
        >>> (x * 2).evaluate(x=[1.0, 2.0, 3.0])
        tensor([2., 4., 6.])
        """
        from d2lad.sym.evaluate import evaluate

        return evaluate(self, **bindings)

    def _no_value(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(NO_VALUE)

    __bool__ = __float__ = __int__ = __index__ = __array__ = _no_value
    item = numpy = tolist = equal = allclose = _no_value

    @property
    def data(self) -> Any:
        """Refused: a symbolic expression has no values."""
        raise RuntimeError(NO_VALUE)

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(IMMUTABLE)

    __setitem__ = add_ = sub_ = mul_ = div_ = clamp_ = copy_ = zero_ = fill_ = _immutable
    detach_ = _immutable

    def __iadd__(self, other: Any) -> Expr:  # x += 1 rebinds x to a new expression
        return self + other

    def __isub__(self, other: Any) -> Expr:
        return self - other

    def __imul__(self, other: Any) -> Expr:
        return self * other

    def __itruediv__(self, other: Any) -> Expr:
        return self / other

    def _eager_only(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("symbolic graphs do not record for backward: differentiate them "
                           "with sym.grad(expr, x), or evaluate at tensors that require grad")

    requires_grad_ = retain_grad = backward = _eager_only

    # ---- operations the engine computes without a primitive ------------------------------------

    def _constant(self) -> Expr:
        """This expression with no gradient (``stop_gradient``): how rules read masks."""
        if self.kind == "const" or self.prim in NO_GRAD:
            return self
        return self.apply_primitive(STOP_GRADIENT, (self,), {})

    def detach(self) -> Expr:
        """The same values, with no gradient flowing back (a ``stop_gradient`` node).

        >>> var("x").detach()
        <sym stop_gradient(x): shape ()>
        """
        return self.apply_primitive(STOP_GRADIENT, (self,), {})

    def sign(self) -> Expr:
        """-1, 0 or 1 per element (no gradient).

        >>> var("x").sign()
        <sym sign(x): shape ()>
        """
        return self.apply_primitive(SIGN, (self,), {})

    def to(self, *args: Any, **kwargs: Any) -> Expr:
        """This expression as another dtype.

        >>> import d2lad
        >>> var("x").to(d2lad.float64)
        <sym cast(x, dtype=float64): shape (), dtype float64>
        """
        out = F.to(self, *args, **kwargs)
        if isinstance(out, Expr):
            return out
        return self.apply_primitive(ASTYPE, (self,), {"dtype": out._data.dtype})

    def __getitem__(self, key: Any) -> Expr:
        if any(isinstance(k, Expr) for k in (key if isinstance(key, tuple) else (key,))):
            raise NotImplementedError(
                "indexing with a symbolic key (x[x > 0]): the result's shape would depend on "
                "values. Use d2lad.where(mask, x, 0.0), or a constant index (a numpy array)")
        return F.getitem(self, key)

    def max(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        """Largest element, or elementwise max with a tensor; not along ``dim`` (use amax).

        >>> var("x", shape=(3,)).max()
        <sym max_all(x): shape ()>
        """
        if dim is not None and not isinstance(dim, Tensor):
            raise NotImplementedError("max(dim=...) returns indices, which sym cannot compute "
                                      "yet: use x.amax(dim=...) for the values")
        return F.max(self, dim, keepdim, other=other)

    def min(self, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        """Smallest element, or elementwise min with a tensor; not along ``dim`` (use amin).

        >>> var("x", shape=(3,)).min()
        <sym min_all(x): shape ()>
        """
        if dim is not None and not isinstance(dim, Tensor):
            raise NotImplementedError("min(dim=...) returns indices, which sym cannot compute "
                                      "yet: use x.amin(dim=...) for the values")
        return F.min(self, dim, keepdim, other=other)

    def _not_symbolic(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("this operation has no symbolic version yet: evaluate the "
                                  "expression first, then call it on the tensor")

    argmax = argmin = isclose = any = all = _not_symbolic

    # ---- display -----------------------------------------------------------------------------

    def __repr__(self) -> str:
        dt = "" if self._data.dtype == dtypes.DEFAULT_FLOAT else f", dtype {self.dtype.name}"
        return f"<sym {expression(self)}: shape {tuple(self._data.shape)}{dt}>"

    def __format__(self, spec: str) -> str:
        return format(repr(self), spec)

    def _viz_graph(self) -> Any:
        """This graph for ``d2lad.viz.draw``: variables are inputs, this node the output."""
        from d2lad.viz.graph import VGraph, VNode

        order = topological_order([self])
        ids = {id(n): i for i, n in enumerate(order)}
        kinds = {"var": "input", "const": "const", "op": "op"}
        nodes = [VNode(ids[id(n)], _label(n), "output" if n is self else kinds[n.kind],
                       tuple(n._data.shape),
                       np.asarray(_array(n.value)) if n.kind == "const" else None,
                       None, n.name or "") for n in order]
        edges = [(ids[id(a)], ids[id(n)]) for n in order for a in n.args]
        return VGraph(nodes, edges)


def _compare_method(prim: Primitive) -> Any:
    def compare(self: Expr, other: Any) -> Any:
        if other is None:  # as eager tensors: x == None is False
            return prim is COMPARE["ne"]
        return self.apply_primitive(prim, (self, other), {})

    compare.__name__ = prim.name
    compare.__doc__ = f"Elementwise {prim.name} comparison, a bool expression (no gradient)."
    return compare


for _name, _prim in COMPARE.items():
    setattr(Expr, _name, _compare_method(_prim))
    setattr(Expr, f"__{_name}__", _compare_method(_prim))


def _converter(d: dtypes.dtype) -> Any:
    def convert(self: Expr) -> Expr:
        return self.to(d)

    convert.__doc__ = f"This expression as {d!r}."
    return convert


for _name, _dtype in [("float", dtypes.float32), ("double", dtypes.float64),
                      ("half", dtypes.float16), ("long", dtypes.int64), ("int", dtypes.int32),
                      ("bool", dtypes.bool)]:
    setattr(Expr, _name, _converter(_dtype))


def _type(self: Expr, dtype: Any = None) -> Any:
    return F.type_(self) if dtype is None else self.to(dtype)


Expr.type = _type  # type: ignore[method-assign]

# ---- making nodes -------------------------------------------------------------------------------


def _new_expr(shape: Sequence[int], dtype: np.dtype) -> Expr:
    e = object.__new__(Expr)
    e._data = np.broadcast_to(np.zeros((), dtype), tuple(shape))
    e._grad = e.grad_fn = e._vc = e.prim = e.name = e.value = None
    e._requires_grad = False
    e.args = ()
    e.params = {}
    return e


def _array(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _leaf(kind: str, value: Any, name: str | None = None, shape: Any = (),
          dtype: Any = None) -> Expr:
    if kind == "const":
        a = np.asarray(_array(value))
        shape, dtype = a.shape, a.dtype
    e = _new_expr(shape, dtype)
    e.kind = kind
    e.name = name
    e.value = value
    return e


def var(name: str, shape: Sequence[int] = (), dtype: Any = dtypes.float32) -> Expr:
    """A variable: a named input whose value is given at evaluation.

    Shapes are fixed when the graph is built: every result's shape is inferred from the
    variables' shapes, and evaluation checks that the values bound have them. So give one:
    MXNet's spelling ``sym.var("x")`` works, but makes ``x`` a scalar (shape ``()``).

    >>> x = var("x", shape=(4,))
    >>> x
    <sym x: shape (4,)>
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"a variable's name must be a Python identifier (it is given as "
                         f"expr.evaluate({name}=...)), got {name!r}")
    try:
        size = tuple(int(s) for s in shape)
    except TypeError:
        raise TypeError(f"shape must be a tuple of ints such as (3,) or (2, 3), got {shape!r}"
                        ) from None
    return _leaf("var", None, name, size, dtypes.to_numpy_dtype(dtype))


def constant(value: Any) -> Expr:
    """A constant node: a value known when the graph is built (a tensor, array or number).

    >>> import d2lad
    >>> constant([1.0, 2.0]) * var("x")
    <sym const[2] * x: shape (2,)>
    >>> constant(d2lad.ones(3))
    <sym full([3], 1): shape (3,)>
    """
    if isinstance(value, Expr):
        return value
    return _leaf("const", value if isinstance(value, Tensor) else tensor(value))


def lift(a: Any) -> Expr:
    """``a`` as a node: an Expr stays, anything else (a number, an array, an eager tensor)
    becomes a constant holding it as given, so evaluation sees exactly what eager mode would.

    >>> lift(3).value
    3
    """
    return a if isinstance(a, Expr) else _leaf("const", a)


def _infer(prim: Primitive, args: tuple[Expr, ...], params: dict) -> np.ndarray:
    """The output's placeholder: ``prim`` run on the inputs' placeholders (and constants)."""
    stand_ins = [a.value if a.kind == "const" else wrap(a._data) for a in args]
    try:
        with np.errstate(all="ignore"):
            return np.asarray(_array(compute(prim, stand_ins, params)))
    except Exception as err:
        kind = type(err) if type(err) in (RuntimeError, ValueError, IndexError, TypeError) \
            else RuntimeError
        shapes = ", ".join(str(list(a._data.shape)) for a in args)
        raise kind(f"building the symbolic node {prim.name} from inputs of shapes {shapes}: "
                   f"{err}") from err


def _is_ones(a: Expr) -> bool:
    return a.kind == "const" and bool(np.all(np.asarray(_array(a.value)) == 1))


# ---- walking a graph ----------------------------------------------------------------------------


def topological_order(outputs: Sequence[Expr]) -> list[Expr]:
    """Every node the outputs depend on, once each, inputs before the nodes that use them
    (an explicit stack: deep graphs are fine).

    >>> x = var("x")
    >>> [n.kind for n in topological_order([x * x + 1])]
    ['var', 'op', 'const', 'op']
    """
    order: list[Expr] = []
    seen: set[int] = set()
    for out in outputs:
        stack: list[tuple[Expr, bool]] = [(out, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args) if id(a) not in seen)
    return order


def variables(expr: Expr | Sequence[Expr]) -> list[Expr]:
    """The variables an expression depends on, in the order the graph first uses them.

    >>> x, w = var("x"), var("w")
    >>> [v.name for v in variables(w * x + x)]
    ['w', 'x']
    """
    outs = [expr] if isinstance(expr, Expr) else list(expr)
    return [n for n in topological_order(outs) if n.kind == "var"]


# ---- printing -----------------------------------------------------------------------------------

INFIX = {"add": ("+", 1), "sub": ("-", 1), "rsub": ("-", 1), "mul": ("*", 2),
         "div": ("/", 2), "rdiv": ("/", 2), "mm": ("@", 2), "mv": ("@", 2),
         "matmul": ("@", 2), "pow_tensor": ("**", 4), "rpow": ("**", 4),
         "eq": ("==", 0), "ne": ("!=", 0), "lt": ("<", 0), "le": ("<=", 0), "gt": (">", 0),
         "ge": (">=", 0)}
INDEX = ("getitem", "select", "slice")
MAX_DEPTH = 8


def expression(e: Expr, depth: int = MAX_DEPTH) -> str:
    """The expression as text: infix for arithmetic, calls for functions, ``…`` below
    ``depth`` levels.

    >>> x = var("x", shape=(3,))
    >>> expression((x - 1) * x.sin().sum())
    '(x - 1) * sum(sin(x))'
    """
    return _text(e, depth)[0]


def _text(e: Expr, depth: int) -> tuple[str, int]:
    """The text of ``e`` and its precedence (5 binds tightest: names, calls, indexing)."""
    if e.kind != "op":
        return _label(e), 5
    if depth == 0:
        return "…", 5
    name = e.prim.name
    args = e.args if name != "rsub" else e.args[::-1]  # rsub(x, y) is y - x
    if name in INFIX:
        symbol, prec = INFIX[name]
        left, lp = _text(args[0], depth - 1)
        right, rp = _text(args[1], depth - 1)
        if lp < prec or (lp == prec and symbol == "**"):
            left = f"({left})"
        if rp <= prec and symbol != "**" or rp < prec:
            right = f"({right})"
        return f"{left} {symbol} {right}", prec
    if name in ("neg", "pow"):
        inner, p = _text(args[0], depth - 1)
        inner = inner if p >= (4 if name == "neg" else 5) else f"({inner})"
        return (f"-{inner}", 3) if name == "neg" else (f"{inner} ** {e.params['exponent']}", 4)
    if name in INDEX:
        inner, p = _text(args[0], depth - 1)
        return f"{inner if p == 5 else f'({inner})'}[{_key_text(e.params['key'])}]", 5
    parts = [_text(a, depth - 1)[0] for a in args]
    parts += [f"{k}={_param_text(v)}" for k, v in e.params.items()]
    return f"{name}({', '.join(parts)})", 5


def _label(e: Expr) -> str:
    """A node's own name: the variable's, a constant's value (or shape), the operation's."""
    if e.kind == "var":
        return e.name
    if e.kind == "op":
        return e.prim.name
    a = np.asarray(_array(e.value))
    if not a.ndim:
        return _number(a.item())
    if a.size and bool(np.all(a == a.flat[0])):
        return f"full({list(a.shape)}, {_number(a.flat[0].item())})"
    return f"const{list(a.shape)}"


def _number(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _param_text(v: Any) -> str:
    return str(v) if isinstance(v, np.dtype) else repr(v)


def _key_text(key: Any) -> str:
    parts = list(key) if isinstance(key, tuple) else [key]
    if len(parts) > 1 and parts[-1] is Ellipsis:  # eager x[0] indexes with (0, ...)
        parts.pop()
    out = []
    for k in parts:
        if isinstance(k, slice):
            bounds = ["" if b is None else str(b) for b in (k.start, k.stop, k.step)]
            out.append(":".join(bounds[:2] if k.step is None else bounds))
        elif k is Ellipsis:
            out.append("...")
        elif isinstance(k, np.ndarray):
            out.append(str(k.tolist()) if k.size <= 6 else f"<{k.dtype} array {list(k.shape)}>")
        else:
            out.append(repr(k))
    return ", ".join(out)
