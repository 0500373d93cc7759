"""The table of primitives: every differentiable operation, defined once.

Each entry gives the value (numpy) and, per input, the reverse-mode rule (vjp: the gradient of
the input from the output's gradient ``g``) and the forward-mode rule (jvp: the output's tangent
from the input's tangent ``t``). Both rules see the inputs and ``ans``, the output's value.
Everything else (public functions with PyTorch's signatures, the backward walk, forward mode)
reads this table.

Rules use only d2lad operations (``cos``, ``sum_to``, ``matmul``, ...) and Python operators, so
they run on numpy arrays for a plain backward and on tensors for ``create_graph=True``. Forward
rules allow tangents with extra leading (batch) dimensions, which is how ``jacfwd`` pushes all
basis vectors through in one pass: axes are counted from the end and shapes keep the lead.

>>> TABLE["mul"].grad_fn, TABLE["mul"].saves
('MulBackward0', (0, 1))
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from d2lad.engine.primitive import Primitive, apply, binary, unary
from d2lad.engine.tensor import Tensor

TABLE: dict[str, Primitive] = {}


def defprim(name: str, value: Callable[..., Any], vjp: Sequence[Any], jvp: Sequence[Any],
            grad_fn: str, *, saves: tuple[int, ...] = (), saves_ans: bool = False,
            variadic: bool = False, doc: str = "") -> Callable[..., Any]:
    """Add a primitive to ``TABLE`` and return the function that applies it."""
    prim = Primitive(name, value, vjp, jvp, grad_fn, saves, saves_ans, variadic, doc)
    TABLE[name] = prim
    return bind(prim)


def variant(op: Callable[..., Any], name: str, grad_fn: str) -> Callable[..., Any]:
    """The same primitive under another name (PyTorch names ``x.t()`` and ``x.T`` differently)."""
    p = op.prim
    prim = Primitive(name, p.value, p.vjp, p.jvp, grad_fn, p.saves, p.saves_ans, p.variadic,
                     p.doc)
    TABLE[name] = prim
    return bind(prim)


def bind(prim: Primitive) -> Callable[..., Any]:
    """A plain function ``op(*inputs, **params)`` applying ``prim``."""
    arity = None if prim.variadic else len(prim.vjp)
    if arity == 1:
        op = unary(prim)
    elif arity == 2:
        op = binary(prim)
    else:
        def op(*args: Any, **params: Any) -> Any:
            return apply(prim, *args, **params)

    op.__name__ = op.__qualname__ = prim.name
    op.__doc__ = prim.doc
    op.prim = prim  # type: ignore[attr-defined]
    return op


# ---- helpers the rules share (no derivatives of their own) --------------------------------------

def shape_of(x: Any) -> tuple[int, ...]:
    """Shape of an array, a tensor or a Python number."""
    return tuple(x.shape) if hasattr(x, "shape") else ()


def lead(t: Any, x: Any) -> tuple[int, ...]:
    """The extra leading (batch) dimensions a tangent ``t`` has beyond input ``x``."""
    st = shape_of(t)
    return st[:len(st) - len(shape_of(x))]


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x`` (undoing broadcasting in the forward pass)."""
    if g.shape == x.shape:
        return g
    return sum_to(g, shape=tuple(x.shape))


def constant(x: Any) -> Any:
    """The values of ``x`` with no history: masks and indices inside rules.

    A tensor subclass can answer with something else (a symbolic expression answers with an
    expression that carries no gradient) by overriding ``Tensor._constant``.
    """
    return x._constant() if isinstance(x, Tensor) else x


def sign(x: Any) -> Any:
    """-1, 0 or 1 per element; no gradient (its derivative is 0 almost everywhere)."""
    c = constant(x)
    return c.sign() if isinstance(c, Tensor) else np.sign(c)


def kept_shape(xshape: tuple[int, ...], axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``axis`` leaves with ``keepdims=True``."""
    if axis is None or not xshape:  # a 0-d tensor's dim 0 is the tensor itself
        return (1,) * len(xshape)
    n = len(xshape)
    drop = {a % n for a in axis}
    return tuple(1 if i in drop else s for i, s in enumerate(xshape))


def expand_back(g: Any, x: Any, axis: tuple[int, ...] | None, keepdims: bool) -> Any:
    """Broadcast the gradient of a reduction of ``x`` back to the shape of ``x``."""
    if not keepdims and axis is not None:
        g = reshape(g, shape=kept_shape(shape_of(x), axis))
    return broadcast_to(g, shape=shape_of(x))


def reduce_axes(t: Any, x: Any, axis: tuple[int, ...] | None) -> tuple[int, ...]:
    """The axes (counted from the end) a reduction of ``x`` covers, for a tangent ``t``."""
    n = len(shape_of(x))
    if axis is None or not n:
        return tuple(range(-n, 0))
    return tuple(sorted(a % n - n for a in axis))


# ---- arithmetic ---------------------------------------------------------------------------------

add = defprim(
    "add", operator.add,
    vjp=(lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(g, y)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: t),
    grad_fn="AddBackward0", doc="x + y.  d/dx = 1, d/dy = 1 (summed over broadcast dimensions).")

sub = defprim(
    "sub", operator.sub,
    vjp=(lambda g, ans, x, y: unbroadcast(g, x), lambda g, ans, x, y: unbroadcast(-g, y)),
    jvp=(lambda t, ans, x, y: t, lambda t, ans, x, y: -t),
    grad_fn="SubBackward0", doc="x - y.  d/dx = 1, d/dy = -1.")

rsub = defprim(
    "rsub", lambda x, y: y - x,
    vjp=(lambda g, ans, x, y: unbroadcast(-g, x), lambda g, ans, x, y: unbroadcast(g, y)),
    jvp=(lambda t, ans, x, y: -t, lambda t, ans, x, y: t),
    grad_fn="RsubBackward1", doc="y - x (for ``1 - x``).  d/dx = -1, d/dy = 1.")

mul = defprim(
    "mul", operator.mul,
    vjp=(lambda g, ans, x, y: unbroadcast(g * y, x), lambda g, ans, x, y: unbroadcast(g * x, y)),
    jvp=(lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t),
    grad_fn="MulBackward0", saves=(0, 1), doc="x * y.  d/dx = y, d/dy = x.")

div = defprim(
    "div", operator.truediv,
    vjp=(lambda g, ans, x, y: unbroadcast(g / y, x),
         lambda g, ans, x, y: unbroadcast(-g * x / (y * y), y)),
    jvp=(lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * x / (y * y)),
    grad_fn="DivBackward0", saves=(0, 1), doc="x / y.  d/dx = 1/y, d/dy = -x/y².")

rdiv = variant(div, "rdiv", "MulBackward0")  # c / x: PyTorch computes c * (1/x)

neg = defprim(
    "neg", operator.neg, vjp=(lambda g, ans, x: -g,), jvp=(lambda t, ans, x: -t,),
    grad_fn="NegBackward0", doc="-x.  d/dx = -1.")


def _pow_grad(x: Any, exponent: float) -> Any:
    """d/dx x**p = p x**(p-1), and exactly 0 for p = 0 (as PyTorch)."""
    if exponent == 0:
        return x * 0.0
    return exponent * pow(x, exponent=exponent - 1)


pow = defprim(  # PyTorch's name
    "pow", lambda x, exponent: x ** exponent,
    vjp=(lambda g, ans, x, exponent: g * _pow_grad(x, exponent),),
    jvp=(lambda t, ans, x, exponent: t * _pow_grad(x, exponent),),
    grad_fn="PowBackward0", saves=(0,), doc="x ** p for a number p.  d/dx = p x^(p-1).")


def _log_base(x: Any, ans: Any) -> Any:
    """ans · log(x), with 0 where x = 0 (PyTorch's convention for d/dy x**y at x = 0)."""
    safe = where(constant(x) == 0, 1.0, x)
    return ans * log(safe)


pow_tensor = defprim(
    "pow_tensor", operator.pow,
    vjp=(lambda g, ans, x, y: unbroadcast(g * y * pow_tensor(x, y - 1), x),
         lambda g, ans, x, y: unbroadcast(g * _log_base(x, ans), y)),
    jvp=(lambda t, ans, x, y: t * y * pow_tensor(x, y - 1),
         lambda t, ans, x, y: t * _log_base(x, ans)),
    grad_fn="PowBackward1", saves=(0, 1), saves_ans=True,
    doc="x ** y, both tensors.  d/dx = y x^(y-1), d/dy = x^y log x.")

rpow = variant(pow_tensor, "rpow", "PowBackward2")  # 2 ** x: a number base

# ---- elementwise functions ----------------------------------------------------------------------

exp = defprim(
    "exp", np.exp, vjp=(lambda g, ans, x: g * ans,), jvp=(lambda t, ans, x: t * ans,),
    grad_fn="ExpBackward0", saves_ans=True, doc="e^x.  d/dx = e^x (the output itself).")

log = defprim(
    "log", np.log, vjp=(lambda g, ans, x: g / x,), jvp=(lambda t, ans, x: t / x,),
    grad_fn="LogBackward0", saves=(0,), doc="Natural logarithm.  d/dx = 1/x.")

log1p = defprim(
    "log1p", np.log1p, vjp=(lambda g, ans, x: g / (x + 1),), jvp=(lambda t, ans, x: t / (x + 1),),
    grad_fn="Log1PBackward0", saves=(0,), doc="log(1 + x), accurate near 0.  d/dx = 1/(1+x).")

sqrt = defprim(
    "sqrt", np.sqrt, vjp=(lambda g, ans, x: g / (2 * ans),),
    jvp=(lambda t, ans, x: t / (2 * ans),),
    grad_fn="SqrtBackward0", saves_ans=True, doc="Square root.  d/dx = 1/(2 sqrt x).")

sin = defprim(
    "sin", np.sin, vjp=(lambda g, ans, x: g * cos(x),), jvp=(lambda t, ans, x: t * cos(x),),
    grad_fn="SinBackward0", saves=(0,), doc="Sine.  d/dx = cos x.")

cos = defprim(
    "cos", np.cos, vjp=(lambda g, ans, x: -g * sin(x),), jvp=(lambda t, ans, x: -t * sin(x),),
    grad_fn="CosBackward0", saves=(0,), doc="Cosine.  d/dx = -sin x.")

tan = defprim(
    "tan", np.tan, vjp=(lambda g, ans, x: g * (1 + ans * ans),),
    jvp=(lambda t, ans, x: t * (1 + ans * ans),),
    grad_fn="TanBackward0", saves_ans=True, doc="Tangent.  d/dx = 1 + tan² x.")

tanh = defprim(
    "tanh", np.tanh, vjp=(lambda g, ans, x: g * (1 - ans * ans),),
    jvp=(lambda t, ans, x: t * (1 - ans * ans),),
    grad_fn="TanhBackward0", saves_ans=True, doc="Hyperbolic tangent.  d/dx = 1 - tanh² x.")


def _sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x), computed without overflow for large |x|."""
    return np.exp(-np.logaddexp(0, -x)).astype(np.result_type(x, np.float16), copy=False)


sigmoid = defprim(
    "sigmoid", _sigmoid, vjp=(lambda g, ans, x: g * (ans * (1 - ans)),),
    jvp=(lambda t, ans, x: t * (ans * (1 - ans)),),
    grad_fn="SigmoidBackward0", saves_ans=True,
    doc="Logistic sigmoid 1/(1+e^-x).  d/dx = s (1 - s) with s the output.")

relu = defprim(
    "relu", lambda x: np.maximum(x, 0), vjp=(lambda g, ans, x: g * (constant(ans) > 0),),
    jvp=(lambda t, ans, x: t * (constant(ans) > 0),),
    grad_fn="ReluBackward0", saves_ans=True, doc="max(x, 0).  d/dx = 1 where x > 0, else 0.")

abs = defprim(  # PyTorch's name
    "abs", np.abs, vjp=(lambda g, ans, x: g * sign(x),), jvp=(lambda t, ans, x: t * sign(x),),
    grad_fn="AbsBackward0", saves=(0,), doc="|x|.  d/dx = sign x (0 at 0).")


def _pick(x: Any, y: Any) -> tuple[Any, Any]:
    """Masks for max/min ties: 1 where x wins, 1/2 where x and y tie (PyTorch splits ties)."""
    xv, yv = constant(x), constant(y)
    return xv > yv, (xv == yv)


maximum = defprim(
    "maximum", np.maximum,
    vjp=(lambda g, ans, x, y: unbroadcast(g * _pick(x, y)[0] + g * _pick(x, y)[1] * 0.5, x),
         lambda g, ans, x, y: unbroadcast(g * _pick(y, x)[0] + g * _pick(y, x)[1] * 0.5, y)),
    jvp=(lambda t, ans, x, y: t * _pick(x, y)[0] + t * _pick(x, y)[1] * 0.5,
         lambda t, ans, x, y: t * _pick(y, x)[0] + t * _pick(y, x)[1] * 0.5),
    grad_fn="MaximumBackward0", saves=(0, 1),
    doc="Elementwise max(x, y).  The gradient goes to the larger input, half each on a tie.")

minimum = defprim(
    "minimum", np.minimum,
    vjp=(lambda g, ans, x, y: unbroadcast(g * _pick(y, x)[0] + g * _pick(x, y)[1] * 0.5, x),
         lambda g, ans, x, y: unbroadcast(g * _pick(x, y)[0] + g * _pick(x, y)[1] * 0.5, y)),
    jvp=(lambda t, ans, x, y: t * _pick(y, x)[0] + t * _pick(x, y)[1] * 0.5,
         lambda t, ans, x, y: t * _pick(x, y)[0] + t * _pick(x, y)[1] * 0.5),
    grad_fn="MinimumBackward0", saves=(0, 1),
    doc="Elementwise min(x, y).  The gradient goes to the smaller input, half each on a tie.")


def _inside(x: Any, min: Any, max: Any) -> Any:
    """True where min <= x <= max: where clamp passes its gradient through."""
    xv = constant(x)
    mask = np.ones(np.shape(xv), dtype=bool)
    if min is not None:
        mask &= xv >= min
    if max is not None:
        mask &= xv <= max
    return mask


clamp = defprim(
    "clamp", lambda x, min=None, max=None: np.clip(x, min, max),
    vjp=(lambda g, ans, x, min=None, max=None: g * _inside(x, min, max),),
    jvp=(lambda t, ans, x, min=None, max=None: t * _inside(x, min, max),),
    grad_fn="ClampBackward1", saves=(0,),
    doc="Clip x to [min, max].  d/dx = 1 inside the interval (ends included), 0 outside.")

where = defprim(
    "where", np.where,
    vjp=(None,
         lambda g, ans, c, x, y: unbroadcast(where(constant(c), g, 0), x),
         lambda g, ans, c, x, y: unbroadcast(where(constant(c), 0, g), y)),
    jvp=(None,
         lambda t, ans, c, x, y: where(constant(c), t, 0),
         lambda t, ans, c, x, y: where(constant(c), 0, t)),
    grad_fn="WhereBackward0", saves=(0,),
    doc="x where the condition holds, else y.  The gradient flows to the chosen input only.")

# ---- reductions ---------------------------------------------------------------------------------

sum = defprim(  # PyTorch's name
    "sum", lambda x, axis=None, keepdims=False: np.add.reduce(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis=None, keepdims=False: expand_back(g, x, axis, keepdims),),
    jvp=(lambda t, ans, x, axis=None, keepdims=False:
         sum(t, axis=reduce_axes(t, x, axis), keepdims=keepdims),),
    grad_fn="SumBackward0", doc="Sum over ``axis`` (all by default).  d/dx_i = 1.")

sum_dim = variant(sum, "sum_dim", "SumBackward1")


def _count(x: Any, axis: tuple[int, ...] | None) -> int:
    """How many elements each output of a reduction over ``axis`` covers."""
    sx = shape_of(x)
    if axis is None:
        return int(np.prod(sx, dtype=np.int64))
    return int(np.prod([sx[a] for a in axis], dtype=np.int64))


mean = defprim(
    "mean", lambda x, axis=None, keepdims=False: np.true_divide(
        np.add.reduce(x, axis=axis, keepdims=keepdims), _count(x, axis)).astype(
        np.result_type(x), copy=False),
    vjp=(lambda g, ans, x, axis=None, keepdims=False:
         expand_back(g, x, axis, keepdims) / _count(x, axis),),
    jvp=(lambda t, ans, x, axis=None, keepdims=False:
         sum(t, axis=reduce_axes(t, x, axis), keepdims=keepdims) / _count(x, axis),),
    grad_fn="MeanBackward0", doc="Mean over ``axis``.  d/dx_i = 1/n.")

mean_dim = variant(mean, "mean_dim", "MeanBackward1")


def _exclusive_prod(x: np.ndarray, axis: tuple[int, ...] | None) -> np.ndarray:
    """For each element, the product of the others in its reduction group (zeros allowed)."""
    x = np.asarray(x)
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in axis)
    rest = tuple(i for i in range(x.ndim) if i not in axes)
    moved = np.transpose(x, rest + axes)
    flat = moved.reshape(moved.shape[:len(rest)] + (-1,))
    ones = np.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = np.cumprod(np.concatenate([ones, flat[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    out = (left * right).reshape(moved.shape)
    return np.transpose(out, np.argsort(rest + axes))


def _others_product(x: Tensor, axis: tuple[int, ...] | None) -> Tensor:
    """``_exclusive_prod`` with d2lad operations, so that it has derivatives too: each group of
    k elements is repeated in k rows, the diagonal set to 1, and each row multiplied out."""
    n = len(shape_of(x))
    axes = list(range(n)) if axis is None else sorted(a % n for a in axis)
    order = tuple([i for i in range(n) if i not in axes] + axes)
    moved = transpose(x, axes=order)
    front = shape_of(moved)[:n - len(axes)]
    k = _count(x, axis)
    rows = broadcast_to(reshape(moved, shape=front + (1, k)), shape=front + (k, k))
    others = prod(where(np.eye(k, dtype=bool), 1.0, rows), axis=(-1,))
    return transpose(reshape(others, shape=shape_of(moved)), axes=_inverse(order))


def _prod_vjp(g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """g times the product of the other elements, exact with zeros (also for create_graph)."""
    ge = expand_back(g, x, axis, keepdims)
    if not isinstance(x, Tensor):
        return ge * _exclusive_prod(x, axis)
    if np.any(x._data == 0):
        return ge * _others_product(x, axis)
    return ge * expand_back(ans, x, axis, keepdims) / x


prod = defprim(
    "prod", lambda x, axis=None, keepdims=False: np.prod(x, axis=axis, keepdims=keepdims),
    vjp=(_prod_vjp,),
    jvp=(lambda t, ans, x, axis=None, keepdims=False:
         sum(t * _exclusive_prod(constant(x), axis), axis=reduce_axes(t, x, axis),
             keepdims=keepdims),),
    grad_fn="ProdBackward0", saves=(0,), saves_ans=True,
    doc="Product over ``axis``.  d/dx_i = product of the other elements.")

prod_dim = variant(prod, "prod_dim", "ProdBackward1")


def _argext_mask(x: Any, ans: Any, axis: Any, keepdims: bool) -> Any:
    """Where x equals the extreme value of its group, divided by the number of ties."""
    xv = constant(x)
    a = constant(ans)
    if not keepdims and axis is not None:
        a = np.reshape(a, kept_shape(np.shape(xv), axis))
    hit = xv == a
    return hit / np.sum(hit, axis=axis, keepdims=True).astype(np.asarray(xv).dtype)


amax = defprim(
    "amax", lambda x, axis=None, keepdims=False: np.amax(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis=None, keepdims=False:
         expand_back(g, x, axis, keepdims) * _argext_mask(x, ans, axis, keepdims),),
    jvp=(lambda t, ans, x, axis=None, keepdims=False:
         sum(t * _argext_mask(x, ans, axis, keepdims), axis=reduce_axes(t, x, axis),
             keepdims=keepdims),),
    grad_fn="AmaxBackward0", saves=(0,), saves_ans=True,
    doc="Largest element over ``axis``.  The gradient goes to the maximum, shared among ties.")

amin = defprim(
    "amin", lambda x, axis=None, keepdims=False: np.amin(x, axis=axis, keepdims=keepdims),
    vjp=amax.prim.vjp, jvp=amax.prim.jvp, grad_fn="AminBackward0", saves=(0,), saves_ans=True,
    doc="Smallest element over ``axis``.  The gradient goes to the minimum, shared among ties.")

max_all = variant(amax, "max_all", "MaxBackward1")
min_all = variant(amin, "min_all", "MinBackward1")


def _at_index(x: Any, axis: int, keepdims: bool, pick: Callable[..., Any]) -> np.ndarray:
    """One-hot mask of the element ``pick`` (argmax/argmin) chooses along ``axis``."""
    xv = np.asarray(constant(x))
    if not xv.ndim:
        return np.ones_like(xv)
    idx = np.expand_dims(pick(xv, axis=axis), axis)
    mask = np.zeros(xv.shape, dtype=xv.dtype)
    np.put_along_axis(mask, idx, 1, axis=axis)
    return mask


def _reduce_one(g: Any, x: Any, axis: int, keepdims: bool, pick: Callable[..., Any]) -> Any:
    return expand_back(g, x, (axis,), keepdims) * _at_index(x, axis, keepdims, pick)


max_dim = defprim(
    "max_dim", lambda x, axis, keepdims=False: np.max(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis, keepdims=False: _reduce_one(g, x, axis, keepdims, np.argmax),),
    jvp=(lambda t, ans, x, axis, keepdims=False:
         sum(t * _at_index(x, axis, keepdims, np.argmax), axis=reduce_axes(t, x, (axis,)),
             keepdims=keepdims),),
    grad_fn="MaxBackward0", saves=(0,),
    doc="Largest element along one axis (with its index).  The gradient goes to that index.")

min_dim = defprim(
    "min_dim", lambda x, axis, keepdims=False: np.min(x, axis=axis, keepdims=keepdims),
    vjp=(lambda g, ans, x, axis, keepdims=False: _reduce_one(g, x, axis, keepdims, np.argmin),),
    jvp=(lambda t, ans, x, axis, keepdims=False:
         sum(t * _at_index(x, axis, keepdims, np.argmin), axis=reduce_axes(t, x, (axis,)),
             keepdims=keepdims),),
    grad_fn="MinBackward0", saves=(0,),
    doc="Smallest element along one axis (with its index).  The gradient goes to that index.")


def _safe(ans: Any) -> Any:
    """The norm with zeros replaced by ones, so x / norm is 0 (not nan) at x = 0."""
    return where(constant(ans) == 0, 1, ans)


norm = defprim(
    "norm", lambda x, axis=None, keepdims=False: np.sqrt(
        np.add.reduce(x * x, axis=axis, keepdims=keepdims)),
    vjp=(lambda g, ans, x, axis=None, keepdims=False:
         expand_back(g / _safe(ans), x, axis, keepdims) * x,),
    jvp=(lambda t, ans, x, axis=None, keepdims=False:
         sum(t * x, axis=reduce_axes(t, x, axis), keepdims=keepdims) / _safe(ans),),
    grad_fn="LinalgVectorNormBackward0", saves=(0,), saves_ans=True,
    doc="Euclidean norm sqrt(sum x²) over ``axis``.  d/dx = x / ||x|| (0 at x = 0).")

# ---- linear algebra -----------------------------------------------------------------------------

dot = defprim(
    "dot", np.dot,
    vjp=(lambda g, ans, x, y: g * y, lambda g, ans, x, y: g * x),
    jvp=(lambda t, ans, x, y: matmul(t, y), lambda t, ans, x, y: matmul(t, x)),
    grad_fn="DotBackward0", saves=(0, 1), doc="<x, y> for vectors.  d/dx = y, d/dy = x.")

mm = defprim(
    "mm", np.matmul,
    vjp=(lambda g, ans, x, y: matmul(g, transpose(y, axes=(1, 0))),
         lambda g, ans, x, y: matmul(transpose(x, axes=(1, 0)), g)),
    jvp=(lambda t, ans, x, y: matmul(t, y), lambda t, ans, x, y: matmul(x, t)),
    grad_fn="MmBackward0", saves=(0, 1),
    doc="Matrix product X Y.  dL/dX = G Yᵀ, dL/dY = Xᵀ G.")

mv = defprim(
    "mv", np.matmul,
    vjp=(lambda g, ans, x, y: reshape(g, shape=(-1, 1)) * y,
         lambda g, ans, x, y: matmul(g, x)),
    jvp=(lambda t, ans, x, y: matmul(t, y),
         lambda t, ans, x, y: matmul(t, transpose(x, axes=(1, 0)))),
    grad_fn="MvBackward0", saves=(0, 1),
    doc="Matrix-vector product A v.  dL/dA = g vᵀ, dL/dv = Aᵀ g.")


def _swap(a: Any) -> Any:
    """Swap the last two axes (the matrix transpose of a batch)."""
    n = len(shape_of(a))
    return transpose(a, axes=tuple(range(n - 2)) + (n - 1, n - 2))


def _matmul_vjp_x(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if len(shape_of(x)) == 1 and len(shape_of(y)) == 1:
        return g * y
    if len(shape_of(y)) == 1:
        return unbroadcast(reshape(g, shape=shape_of(g) + (1,)) * y, x)
    if len(shape_of(x)) == 1:
        row = reshape(g, shape=shape_of(g)[:-1] + (1,) + shape_of(g)[-1:])
        return unbroadcast(reshape(matmul(row, _swap(y)), shape=shape_of(g)[:-1] + shape_of(x)), x)
    return unbroadcast(matmul(g, _swap(y)), x)


def _matmul_vjp_y(g: Any, ans: Any, x: Any, y: Any) -> Any:
    if len(shape_of(x)) == 1 and len(shape_of(y)) == 1:
        return g * x
    if len(shape_of(x)) == 1:
        return unbroadcast(reshape(x, shape=shape_of(x) + (1,)) * reshape(
            g, shape=shape_of(g)[:-1] + (1,) + shape_of(g)[-1:]), y)
    if len(shape_of(y)) == 1:
        column = matmul(_swap(x), reshape(g, shape=shape_of(g) + (1,)))
        return unbroadcast(reshape(column, shape=shape_of(g)[:-1] + shape_of(y)), y)
    return unbroadcast(matmul(_swap(x), g), y)


def _matmul_tangent(t: Any, x: Any, y: Any, left: bool) -> Any:
    """matmul(t, y) (``left``) or matmul(x, t) for a tangent t of x (or y) that may carry
    leading batch axes: vectors become matrices and the batch axes stay in front."""
    primal = x if left else y
    batch = lead(t, primal)
    sx, sy = shape_of(x), shape_of(y)
    if left and len(sy) == 2 and len(sx) <= 2:  # all rows of all directions: one product
        rows = matmul(reshape(t, shape=(-1, sx[-1])), y)
        return reshape(rows, shape=batch + sx[:-1] + sy[-1:])
    if not left and len(sx) == 2 and len(sy) == 1:  # A t for each direction t: t Aᵀ
        return matmul(t, transpose(x, axes=(1, 0)))
    mx = (1,) + sx if len(sx) == 1 else sx
    my = sy + (1,) if len(sy) == 1 else sy
    width = max(len(mx), len(my)) - 2
    own = mx if left else my
    t = reshape(t, shape=batch + (1,) * (width - len(own) + 2) + own)
    other = reshape(y if left else x, shape=my if left else mx)
    out = matmul(t, other) if left else matmul(other, t)
    drop = shape_of(out)[:-2] + (() if len(sx) == 1 else shape_of(out)[-2:-1]) + (
        () if len(sy) == 1 else shape_of(out)[-1:])
    return reshape(out, shape=drop)


matmul = defprim(
    "matmul", np.matmul,
    vjp=(_matmul_vjp_x, _matmul_vjp_y),
    jvp=(lambda t, ans, x, y: _matmul_tangent(t, x, y, True),
         lambda t, ans, x, y: _matmul_tangent(t, x, y, False)),
    grad_fn="UnsafeViewBackward0", saves=(0, 1),
    doc="Batched matrix product (numpy's matmul rules).  dL/dX = G Yᵀ, dL/dY = Xᵀ G.")

# ---- shapes -------------------------------------------------------------------------------------

reshape = defprim(
    "reshape", lambda x, shape: np.reshape(x, shape),
    vjp=(lambda g, ans, x, shape: reshape(g, shape=shape_of(x)),),
    jvp=(lambda t, ans, x, shape: reshape(t, shape=lead(t, x) + tuple(shape)),),
    grad_fn="ViewBackward0", doc="Same elements, new shape.  The gradient is reshaped back.")

unsqueeze = variant(reshape, "unsqueeze", "UnsqueezeBackward0")
squeeze = variant(reshape, "squeeze", "SqueezeBackward0")
squeeze_dim = variant(reshape, "squeeze_dim", "SqueezeBackward1")
flatten = variant(reshape, "flatten", "ViewBackward0")


def _inverse(axes: Sequence[int]) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argsort(axes))


def _shifted(t: Any, x: Any, axes: Sequence[int]) -> tuple[int, ...]:
    """``axes`` for a tangent with leading batch dimensions (they stay in front)."""
    k = len(lead(t, x))
    return tuple(range(k)) + tuple(a + k for a in axes)


transpose = defprim(
    "transpose", lambda x, axes: np.transpose(x, axes),
    vjp=(lambda g, ans, x, axes: transpose(g, axes=_inverse(axes)),),
    jvp=(lambda t, ans, x, axes: transpose(t, axes=_shifted(t, x, axes)),),
    grad_fn="PermuteBackward0", doc="Axes reordered.  The gradient is permuted back.")

t_ = variant(transpose, "t", "TBackward0")
transpose2 = variant(transpose, "transpose2", "TransposeBackward0")

def _broadcast_batched(t: Any, x: Any, shape: tuple[int, ...]) -> Any:
    """``broadcast_to`` for a tangent with leading batch axes: x's new axes go after them."""
    batch, sx = lead(t, x), shape_of(x)
    aligned = reshape(t, shape=batch + (1,) * (len(shape) - len(sx)) + sx)
    return broadcast_to(aligned, shape=batch + shape)


broadcast_to = defprim(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape),
    vjp=(lambda g, ans, x, shape: sum_to(g, shape=shape_of(x)),),
    jvp=(lambda t, ans, x, shape: _broadcast_batched(t, x, tuple(shape)),),
    grad_fn="ExpandBackward0",
    doc="Repeat x along broadcast dimensions.  The gradient is summed back over them.")


def _sum_to(x: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``x`` over the leading and the size-1 axes that broadcasting to its shape added."""
    extra = np.ndim(x) - len(shape)
    axes = tuple(range(extra)) + tuple(
        i + extra for i, s in enumerate(shape) if s == 1 and np.shape(x)[i + extra] != 1)
    out = np.sum(x, axis=axes, keepdims=True) if axes else x
    return np.reshape(out, shape)


def _sum_to_batched(t: Any, x: Any, shape: tuple[int, ...]) -> Any:
    """``sum_to`` for a tangent whose leading batch axes must stay (they are not x's)."""
    batch = lead(t, x)
    k, sx = len(batch), shape_of(x)
    extra = len(sx) - len(shape)
    axes = tuple(range(k, k + extra)) + tuple(
        k + extra + i for i, s in enumerate(shape) if s == 1 and sx[extra + i] != 1)
    summed = sum(t, axis=axes, keepdims=True) if axes else t
    return reshape(summed, shape=batch + shape)


sum_to = defprim(
    "sum_to", _sum_to,
    vjp=(lambda g, ans, x, shape: broadcast_to(g, shape=shape_of(x)),),
    jvp=(lambda t, ans, x, shape: _sum_to_batched(t, x, tuple(shape)),),
    grad_fn="SumToSizeBackward0",
    doc="Sum down to ``shape`` (the reverse of broadcasting).  The gradient is broadcast back.")

# ---- indexing and joining -----------------------------------------------------------------------


def _batched_key(t: Any, x: Any, key: Any) -> Any:
    """An index for a tangent with leading batch dimensions."""
    k = len(lead(t, x))
    if not k:
        return key
    return (slice(None),) * k + (key if isinstance(key, tuple) else (key,))


def _scatter(g: Any, key: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` with ``g`` added at ``key`` (repeated indices add up)."""
    out = np.zeros(shape, dtype=np.result_type(g))
    np.add.at(out, key, g)
    return out


getitem = defprim(
    "getitem", lambda x, key: x[key],
    vjp=(lambda g, ans, x, key: scatter(g, key=key, shape=shape_of(x)),),
    jvp=(lambda t, ans, x, key: getitem(t, key=_batched_key(t, x, key)),),
    grad_fn="IndexBackward0",
    doc="x[key].  The gradient is scattered back into zeros (repeated indices add).")

select = variant(getitem, "select", "SelectBackward0")
slice_ = variant(getitem, "slice", "SliceBackward0")

scatter = defprim(
    "scatter", lambda g, key, shape: _scatter(g, key, shape),
    vjp=(lambda gg, ans, g, key, shape: getitem(gg, key=key),),
    jvp=(lambda t, ans, g, key, shape: scatter(
        t, key=_batched_key(t, g, key), shape=lead(t, g) + tuple(shape)),),
    grad_fn="IndexPutBackward0",
    doc="Zeros with g added at ``key``: the gradient of indexing.  Its gradient is indexing.")


def _put_mask(x_shape: tuple[int, ...], key: Any) -> np.ndarray:
    """1 everywhere except at ``key`` (the part an index assignment overwrote)."""
    keep = np.ones(x_shape, dtype=bool)
    keep[key] = False
    return keep


def _index_put(x: Any, v: Any, key: Any) -> np.ndarray:
    out = np.array(x, copy=True)
    out[key] = v
    return out


index_put = defprim(
    "index_put", _index_put,
    vjp=(lambda g, ans, x, v, key: g * _put_mask(shape_of(x), key),
         lambda g, ans, x, v, key: unbroadcast(getitem(g, key=key), v)),
    jvp=(lambda t, ans, x, v, key: t * _put_mask(shape_of(x), key),
         lambda t, ans, x, v, key: scatter(
             _broadcast_batched(t, v, np.empty(shape_of(x))[key].shape),
             key=_batched_key(t, v, key), shape=lead(t, v) + shape_of(x))),
    grad_fn="CopySlices",
    doc="x with x[key] = v (an assignment recorded as an operation).")


def _offsets(xs: Sequence[Any], axis: int) -> list[int]:
    sizes = [shape_of(x)[axis] for x in xs]
    return [int(s) for s in np.cumsum([0] + sizes)]


def _cat_vjp(g: Any, ans: Any, *xs: Any, axis: int, argnum: int) -> Any:
    start, stop = _offsets(xs, axis)[argnum:argnum + 2]
    key = (slice(None),) * (axis % len(shape_of(g))) + (slice(start, stop),)
    return getitem(g, key=key)


def _cat_jvp(t: Any, ans: Any, *xs: Any, axis: int, argnum: int) -> Any:
    start, stop = _offsets(xs, axis)[argnum:argnum + 2]
    n = len(shape_of(ans))
    key = (Ellipsis, slice(start, stop)) + (slice(None),) * (n - 1 - axis % n)
    return scatter(t, key=key, shape=lead(t, xs[argnum]) + shape_of(ans))


cat = defprim(
    "cat", lambda *xs, axis: np.concatenate(xs, axis=axis),
    vjp=(_cat_vjp,), jvp=(_cat_jvp,), grad_fn="CatBackward0", variadic=True,
    doc="Join tensors along an existing axis.  Each input gets its slice of the gradient.")


def _stack_vjp(g: Any, ans: Any, *xs: Any, axis: int, argnum: int) -> Any:
    key = (slice(None),) * (axis % len(shape_of(g))) + (argnum,)
    return getitem(g, key=key)


def _stack_jvp(t: Any, ans: Any, *xs: Any, axis: int, argnum: int) -> Any:
    n = len(shape_of(ans))
    key = (Ellipsis, argnum) + (slice(None),) * (n - 1 - axis % n)
    return scatter(t, key=key, shape=lead(t, xs[argnum]) + shape_of(ans))


stack = defprim(
    "stack", lambda *xs, axis: np.stack(xs, axis=axis),
    vjp=(_stack_vjp,), jvp=(_stack_jvp,), grad_fn="StackBackward0", variadic=True,
    doc="Join tensors along a new axis.  Each input gets its slice of the gradient.")

clone = defprim(
    "clone", lambda x: np.array(x, copy=True), vjp=(lambda g, ans, x: g,),
    jvp=(lambda t, ans, x: t,), grad_fn="CloneBackward0", doc="A copy.  d/dx = 1.")

cast = defprim(
    "cast", lambda x, dtype: np.asarray(x).astype(dtype),
    vjp=(lambda g, ans, x, dtype: cast(g, dtype=np.result_type(constant(x))),),
    jvp=(lambda t, ans, x, dtype: cast(t, dtype=dtype),),
    grad_fn="ToCopyBackward0", doc="Convert to another float dtype.  d/dx = 1.")

# ---- softmax ------------------------------------------------------------------------------------


def _softmax(x: Any, axis: tuple[int, ...]) -> Any:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _log_softmax(x: Any, axis: tuple[int, ...]) -> Any:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


softmax = defprim(
    "softmax", _softmax,
    vjp=(lambda g, ans, x, axis: ans * (g - sum(g * ans, axis=axis, keepdims=True)),),
    jvp=(lambda t, ans, x, axis: ans * (t - sum(t * ans, axis=reduce_axes(t, x, axis),
                                                keepdims=True)),),
    grad_fn="SoftmaxBackward0", saves_ans=True,
    doc="exp(x) / sum exp(x) along ``axis`` (a tuple: one axis, or none for 0-d x).  "
        "J = diag(s) - s sᵀ.")

log_softmax = defprim(
    "log_softmax", _log_softmax,
    vjp=(lambda g, ans, x, axis: g - exp(ans) * sum(g, axis=axis, keepdims=True),),
    jvp=(lambda t, ans, x, axis: t - sum(t * exp(ans), axis=reduce_axes(t, x, axis),
                                         keepdims=True),),
    grad_fn="LogSoftmaxBackward0", saves_ans=True,
    doc="x - log sum exp(x) along ``axis`` (a tuple, as for softmax).  J = I - 1 softmax(x)ᵀ.")

__all__ = ["TABLE", "defprim", "variant"] + [name for name in TABLE]
