"""The differentiable operations the gradient tests check, each written once for d2lad and PyTorch.

A :class:`Case` is a function ``fn(T, *tensors, **params)``, where ``T`` is the library (``d2lad``
or ``torch``), and a hypothesis strategy that draws its float64 inputs (numpy arrays, each made a
leaf that requires grad) and its other parameters (dims, indices, Python numbers). Values keep
away from the points where an operation is not differentiable: positive bases and logarithms,
denominators away from 0, distinct values 0.1 apart where max/min could tie.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import strategies as st

# ---- value and shape strategies ---------------------------------------------------------------

Values = Callable[[tuple[int, ...]], st.SearchStrategy]
SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
SMALL_SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
SIZE_ONES = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=2)
ROWS = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)  # at least one dim


def uniform(lo: float, hi: float) -> Values:
    """Any floats in [lo, hi]."""
    return lambda shape: hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


def away_from_zero(lo: float, hi: float) -> Values:
    """Floats with lo <= |v| <= hi (for abs, relu, division)."""
    elements = st.one_of(st.floats(lo, hi), st.floats(-hi, -lo))
    return lambda shape: hnp.arrays(np.float64, shape, elements=elements)


def distinct(offset: float = 0.0, step: float = 0.1) -> Values:
    """Distinct values ``k * step + offset``: no ties within finite-difference reach."""
    ints = st.integers(-50, 50)
    return lambda shape: hnp.arrays(np.int64, shape, elements=ints, unique=True).map(
        lambda a: np.asarray(a * step + offset))


def on_grid(offset: float) -> Values:
    """Values ``k * 0.2 + offset`` (repeats allowed): evens and odds never meet."""
    ints = st.integers(-25, 25)
    return lambda shape: hnp.arrays(np.int64, shape, elements=ints).map(
        lambda a: np.asarray(a * 0.2 + offset))


GENERAL = uniform(-2.0, 2.0)
POSITIVE = uniform(0.2, 2.0)
NONZERO = away_from_zero(0.2, 2.0)

NUMBERS = st.floats(-3.0, 3.0)
NONZERO_NUMBERS = st.one_of(st.floats(0.5, 3.0), st.floats(-3.0, -0.5))

# Broadcasting pairs: some classic ones, then any mutually broadcastable shapes.
FIXED_PAIRS = [((3, 1), (1, 4)), ((4,), (2, 3, 4)), ((2, 3, 4), (4,)), ((), (2, 3)),
               ((2, 1, 3), (4, 1))]
PAIRS = st.one_of(
    st.sampled_from(FIXED_PAIRS),
    hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4).map(
        lambda b: b.input_shapes))


# ---- input builders: each returns a strategy of (arrays, params) -----------------------------

def no_params(shape: tuple[int, ...]) -> st.SearchStrategy:
    return st.just({})


@st.composite
def one(draw: Any, values: Values = GENERAL, shapes: st.SearchStrategy = SHAPES,
        params: Callable[..., st.SearchStrategy] = no_params) -> tuple:
    """One input array, and parameters that may depend on its shape."""
    shape = draw(shapes)
    return (draw(values(shape)),), draw(params(shape))


@st.composite
def two(draw: Any, x: Values = GENERAL, y: Values = GENERAL, pairs: st.SearchStrategy = PAIRS,
        params: Callable[..., st.SearchStrategy] = no_params) -> tuple:
    """Two input arrays of mutually broadcastable shapes."""
    sx, sy = draw(pairs)
    return (draw(x(sx)), draw(y(sy))), draw(params(sx))


def with_number(numbers: st.SearchStrategy) -> Callable[..., st.SearchStrategy]:
    return lambda shape: st.fixed_dictionaries({"c": numbers})


def dims(shape: tuple[int, ...]) -> st.SearchStrategy:
    """One valid dim (0-d tensors accept 0 and -1)."""
    n = max(len(shape), 1)
    return st.integers(-n, n - 1)


def dim_tuples(shape: tuple[int, ...], most: int = 3) -> st.SearchStrategy:
    """A non-empty tuple of at most ``most`` distinct dims."""
    n = max(len(shape), 1)
    return st.lists(st.integers(0, n - 1), min_size=1, max_size=min(n, most), unique=True).map(
        tuple)


def dim_pairs(shape: tuple[int, ...]) -> st.SearchStrategy:
    """One or two dims (PyTorch's norm takes no more)."""
    return dim_tuples(shape, most=2)


def reduce_params(dim: Callable[..., st.SearchStrategy]) -> Callable[..., st.SearchStrategy]:
    return lambda shape: st.fixed_dictionaries({"dim": dim(shape), "keepdim": st.booleans()})


# ---- cases ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One operation: ``fn(T, *leaves, **params)`` and the strategy of its inputs."""

    id: str
    fn: Callable[..., Any]
    inputs: st.SearchStrategy
    eps: float = 1e-6  # finite-difference step
    atol: float = 1e-6  # absolute tolerance, scaled by the largest gradient
    in_torch: bool = True  # PyTorch has the same operation (parity tests)
    rtol: float = 1e-10  # relative tolerance against PyTorch's values and gradients

    def __repr__(self) -> str:
        return self.id


def F(T: Any) -> Any:
    """``T.nn.functional`` (PyTorch's usual alias)."""
    return T.nn.functional


CASES: list[Case] = []


def case(id: str, fn: Callable[..., Any], inputs: st.SearchStrategy, **kw: Any) -> None:
    CASES.append(Case(id, fn, inputs, **kw))


# arithmetic: tensor with tensor (broadcasting), with a number on either side
case("add", lambda T, x, y: x + y, two())
case("add-number", lambda T, x, c: x + c, one(params=with_number(NUMBERS)))
case("radd-number", lambda T, x, c: c + x, one(params=with_number(NUMBERS)))
case("add-alpha", lambda T, x, y, c: T.add(x, y, alpha=c),
     two(params=with_number(NUMBERS)))
case("sub", lambda T, x, y: x - y, two())
case("sub-number", lambda T, x, c: x - c, one(params=with_number(NUMBERS)))
case("rsub-number", lambda T, x, c: c - x, one(params=with_number(NUMBERS)))
case("one-minus", lambda T, x: 1 - x, one())
case("mul", lambda T, x, y: x * y, two())
case("mul-number", lambda T, x, c: x * c, one(params=with_number(NUMBERS)))
case("rmul-number", lambda T, x, c: c * x, one(params=with_number(NUMBERS)))
case("div", lambda T, x, y: x / y, two(y=NONZERO))
case("div-number", lambda T, x, c: x / c, one(params=with_number(NONZERO_NUMBERS)))
case("rdiv-number", lambda T, x, c: c / x, one(NONZERO, params=with_number(NUMBERS)))
case("two-over", lambda T, x: 2 / x, one(NONZERO))
case("reciprocal", lambda T, x: T.reciprocal(x), one(NONZERO))
case("pow-number", lambda T, x, c: x ** c,
     one(POSITIVE, params=with_number(st.sampled_from([0, 1, 2, 3, 0.5, -1.5, 2.5, -2.0]))))
case("pow-integer-signed-base", lambda T, x, c: x ** c,
     one(NONZERO, params=with_number(st.sampled_from([0, 1, 2, 3, -1, -2]))))
case("pow-method", lambda T, x, c: x.pow(c), one(POSITIVE, params=with_number(st.floats(-2, 3))))
case("square", lambda T, x: T.square(x), one())
case("pow-tensor", lambda T, x, y: x ** y, two(x=POSITIVE))
case("rpow-number", lambda T, x, c: c ** x,
     one(params=with_number(st.floats(0.5, 3.0))))
case("two-pow", lambda T, x: 2 ** x, one())
case("neg", lambda T, x: -x, one())
case("neg-function", lambda T, x: T.neg(x), one())
case("abs", lambda T, x: x.abs(), one(NONZERO))

# elementwise functions
case("exp", lambda T, x: x.exp(), one())
case("log", lambda T, x: T.log(x), one(POSITIVE))
case("log1p", lambda T, x: T.log1p(x), one(uniform(-0.5, 3.0)))
case("sqrt", lambda T, x: x.sqrt(), one(POSITIVE))
case("sin", lambda T, x: T.sin(x), one())
case("cos", lambda T, x: x.cos(), one())
case("tan", lambda T, x: T.tan(x), one(uniform(-1.2, 1.2)))
case("tanh", lambda T, x: x.tanh(), one())
case("sigmoid", lambda T, x: T.sigmoid(x), one(uniform(-4.0, 4.0)))
case("relu", lambda T, x: T.relu(x), one(NONZERO))
case("relu-functional", lambda T, x: F(T).relu(x), one(NONZERO))
case("maximum", lambda T, x, y: T.maximum(x, y), two(on_grid(0.0), on_grid(0.1)))
case("minimum", lambda T, x, y: T.minimum(x, y), two(on_grid(0.1), on_grid(0.0)))
case("max-elementwise", lambda T, x, y: T.max(x, y), two(on_grid(0.0), on_grid(0.1)))

# clamp: values 0.05 away from the bounds (multiples of 0.1)
CLAMP_BOUNDS = st.sampled_from([(-0.5, None), (None, 0.5), (-0.5, 0.5), (0.0, 0.3), (None, -1.0)])
case("clamp", lambda T, x, lo, hi: x.clamp(min=lo, max=hi),
     one(distinct(offset=0.05), params=lambda s: CLAMP_BOUNDS.map(
         lambda b: {"lo": b[0], "hi": b[1]})))
case("clip", lambda T, x: T.clip(x, -0.5, 0.5), one(distinct(offset=0.05)))


@st.composite
def where_inputs(draw: Any, number: bool, zero_dim_values: bool = False) -> tuple:
    """A condition and one or two value arrays, all broadcastable; ``zero_dim_values``: 0-d
    values with a condition that has dimensions, else any other combination."""
    k = 2 if number else 3
    if zero_dim_values:
        shapes = (draw(ROWS),) + ((),) * (k - 1)
    else:
        shapes = draw(hnp.mutually_broadcastable_shapes(
            num_shapes=k, min_dims=0, max_dims=3, max_side=3).map(lambda b: b.input_shapes).filter(
            lambda s: s[0] == () or any(v != () for v in s[1:])))
    cond = draw(hnp.arrays(np.bool_, shapes[0]))
    return tuple(draw(GENERAL(s)) for s in shapes[1:]), {"cond": cond.tolist()}


def where(T: Any, x: Any, y: Any, cond: Any) -> Any:
    return T.where(T.tensor(cond), x, y)


def where_number(T: Any, x: Any, cond: Any) -> Any:
    return T.where(T.tensor(cond), x, 0.5)


case("where", where, where_inputs(False))
case("where-number", where_number, where_inputs(True))
case("where-0d-values", where, where_inputs(False, zero_dim_values=True))
case("where-number-0d-value", where_number, where_inputs(True, zero_dim_values=True))

# reductions: all elements, one dim, several dims, keepdim
case("sum", lambda T, x: x.sum(), one())
case("sum-dim", lambda T, x, dim, keepdim: x.sum(dim, keepdim=keepdim),
     one(params=reduce_params(dims)))
case("sum-dims", lambda T, x, dim, keepdim: T.sum(x, dim=dim, keepdim=keepdim),
     one(params=reduce_params(dim_tuples)))
case("mean", lambda T, x: T.mean(x), one())
case("mean-dim", lambda T, x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
     one(params=reduce_params(dims)))
case("mean-dims", lambda T, x, dim, keepdim: x.mean(dim, keepdim),
     one(params=reduce_params(dim_tuples)))


def prod_values(shape: tuple[int, ...]) -> st.SearchStrategy:
    """Zeros (the product rule's hard case) and magnitudes in [0.5, 1.5]."""
    return hnp.arrays(np.float64, shape, elements=st.one_of(
        st.just(0.0), st.floats(0.5, 1.5), st.floats(-1.5, -0.5)))


case("prod", lambda T, x: x.prod(), one(prod_values, SMALL_SHAPES))
case("prod-dim", lambda T, x, dim, keepdim: T.prod(x, dim, keepdim=keepdim),
     one(prod_values, SMALL_SHAPES, params=reduce_params(dims)))
case("amax", lambda T, x: x.amax(), one(distinct()))
case("amax-dim", lambda T, x, dim, keepdim: T.amax(x, dim=dim, keepdim=keepdim),
     one(distinct(), params=reduce_params(dim_tuples)))
case("amin", lambda T, x: T.amin(x), one(distinct()))
case("amin-dim", lambda T, x, dim, keepdim: x.amin(dim, keepdim),
     one(distinct(), params=reduce_params(dims)))
case("max", lambda T, x: x.max(), one(distinct()))
case("min", lambda T, x: T.min(x), one(distinct()))
case("max-dim-values", lambda T, x, dim, keepdim: x.max(dim, keepdim=keepdim).values,
     one(distinct(), params=reduce_params(dims)))
case("max-dim-tuple", lambda T, x, dim, keepdim: T.max(x, dim=dim, keepdim=keepdim)[0],
     one(distinct(), params=reduce_params(dims)))
case("min-dim-values", lambda T, x, dim, keepdim: T.min(x, dim, keepdim).values,
     one(distinct(), params=reduce_params(dims)))
case("norm", lambda T, x: x.norm(), one(NONZERO))
case("norm-function", lambda T, x: T.norm(x), one(NONZERO))
case("norm-dim", lambda T, x, dim, keepdim: x.norm(dim=dim, keepdim=keepdim),
     one(NONZERO, params=reduce_params(dims)))
case("norm-dims", lambda T, x, dim, keepdim: T.norm(x, dim=dim, keepdim=keepdim),
     one(NONZERO, params=reduce_params(dim_pairs)))

STAT_SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=3)


def stat_params(shape: tuple[int, ...]) -> st.SearchStrategy:
    """dim (None, one, several), keepdim and correction for var/std."""
    return st.one_of(
        st.fixed_dictionaries({"correction": st.sampled_from([0, 1])}),
        st.fixed_dictionaries({"dim": st.one_of(dims(shape), dim_tuples(shape)),
                               "keepdim": st.booleans(),
                               "correction": st.sampled_from([0, 1])}))


case("var", lambda T, x, **p: x.var(**p), one(GENERAL, STAT_SHAPES, stat_params))
case("std", lambda T, x, **p: T.std(x, **p), one(distinct(), STAT_SHAPES, stat_params))
case("var-default", lambda T, x: T.var(x), one(GENERAL, STAT_SHAPES))
case("std-default", lambda T, x: x.std(), one(distinct(), STAT_SHAPES))

# linear algebra
SIZES = st.integers(1, 3)


@st.composite
def sized_pair(draw: Any, template: str) -> tuple:
    """Two arrays shaped by a template like ``"bmn,np"`` (letters are sizes, "1" is 1)."""
    sizes = {k: draw(SIZES) for k in "bcmnp"} | {"1": 1}
    sx, sy = (tuple(sizes[k] for k in part) for part in template.split(","))
    return (draw(GENERAL(sx)), draw(GENERAL(sy))), {}


case("dot", lambda T, x, y: T.dot(x, y), sized_pair("n,n"))
case("dot-method", lambda T, x, y: x.dot(y), sized_pair("n,n"))
case("mv", lambda T, x, y: T.mv(x, y), sized_pair("mn,n"))
case("mm", lambda T, x, y: x.mm(y), sized_pair("mn,np"))
case("outer", lambda T, x, y: T.outer(x, y), sized_pair("m,n"))
MATMUL_TEMPLATES = ["n,n", "mn,n", "n,np", "mn,np", "bmn,np", "bmn,n", "n,bnp", "bmn,bnp",
                    "b1mn,cnp", "mn,bnp", "1mn,bnp", "bmn,1np"]
for _t in MATMUL_TEMPLATES:
    case(f"matmul-{_t}", lambda T, x, y: x @ y, sized_pair(_t))
case("matmul-function", lambda T, x, y: T.matmul(x, y), sized_pair("bmn,np"))


# shapes
def reshape_params(shape: tuple[int, ...]) -> st.SearchStrategy:
    n = int(np.prod(shape, dtype=np.int64))
    return st.sampled_from([(-1,), (n,), (1, n), (n, 1, 1), tuple(reversed(shape)),
                            (1,) + shape, (-1, 1)]).map(lambda s: {"shape": s})


case("reshape", lambda T, x, shape: x.reshape(shape), one(params=reshape_params))
case("reshape-function", lambda T, x, shape: T.reshape(x, shape), one(params=reshape_params))
case("view", lambda T, x, shape: x.view(*shape), one(shapes=ROWS, params=reshape_params))
case("view-tuple", lambda T, x, shape: x.view(shape), one(params=reshape_params))


def two_dims(shape: tuple[int, ...]) -> st.SearchStrategy:
    return st.fixed_dictionaries({"d0": dims(shape), "d1": dims(shape)})


case("transpose", lambda T, x, d0, d1: x.transpose(d0, d1),
     one(shapes=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), params=two_dims))
case("transpose-function", lambda T, x, d0, d1: T.transpose(x, d0, d1),
     one(shapes=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4), params=two_dims))
case("t", lambda T, x: x.t(), one(shapes=hnp.array_shapes(min_dims=0, max_dims=2, max_side=4)))
case("t-function", lambda T, x: T.t(x), one(shapes=hnp.array_shapes(min_dims=2, max_dims=2)))
case("T", lambda T, x: x.T, one(shapes=hnp.array_shapes(min_dims=2, max_dims=2, max_side=4)))
case("mT", lambda T, x: x.mT, one(shapes=hnp.array_shapes(min_dims=2, max_dims=3, max_side=4)))
case("permute", lambda T, x, dims: x.permute(*dims),
     one(shapes=ROWS, params=lambda s: st.permutations(range(len(s))).map(
         lambda p: {"dims": tuple(p)})))
case("permute-function", lambda T, x, dims: T.permute(x, dims),
     one(params=lambda s: st.permutations(range(len(s))).map(lambda p: {"dims": tuple(p)})))
case("squeeze", lambda T, x: x.squeeze(), one(shapes=SIZE_ONES))
case("squeeze-dim", lambda T, x, dim: T.squeeze(x, dim),
     one(shapes=SIZE_ONES, params=lambda s: dims(s).map(lambda d: {"dim": d})))
case("unsqueeze", lambda T, x, dim: x.unsqueeze(dim),
     one(params=lambda s: st.integers(-len(s) - 1, len(s)).map(lambda d: {"dim": d})))
case("flatten", lambda T, x: x.flatten(), one())
case("flatten-range", lambda T, x, d0, d1: T.flatten(x, d0, d1),
     one(shapes=hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), params=lambda s: st.tuples(
         st.integers(0, len(s) - 1), st.integers(0, len(s) - 1)).map(
         lambda d: {"d0": min(d), "d1": max(d)})))


def expand_params(shape: tuple[int, ...]) -> st.SearchStrategy:
    """A target shape: new leading sizes, size-1 dims grown, others kept (some as -1)."""
    def grow(n: int) -> st.SearchStrategy:
        return st.integers(1, 3) if n == 1 else st.sampled_from([n, -1])

    new = st.lists(st.integers(1, 3), min_size=0 if shape else 1, max_size=2)
    return st.tuples(new, st.tuples(*map(grow, shape))).map(
        lambda p: {"sizes": tuple(p[0]) + p[1]})


case("expand", lambda T, x, sizes: x.expand(*sizes), one(shapes=SIZE_ONES, params=expand_params))
case("broadcast_to", lambda T, x, sizes: T.broadcast_to(x, sizes),
     one(shapes=SIZE_ONES, params=expand_params))


@st.composite
def cat_inputs(draw: Any) -> tuple:
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=3))
    dim = draw(dims(shape))
    k = draw(st.integers(1, 3))
    arrays = []
    for _ in range(k):
        s = list(shape)
        s[dim] = draw(st.integers(1, 3))
        arrays.append(draw(GENERAL(tuple(s))))
    return tuple(arrays), {"dim": dim}


@st.composite
def stack_inputs(draw: Any) -> tuple:
    shape = draw(SMALL_SHAPES)
    k = draw(st.integers(1, 3))
    arrays = tuple(draw(GENERAL(shape)) for _ in range(k))
    return arrays, {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


case("cat", lambda T, *xs, dim: T.cat(xs, dim=dim), cat_inputs())
case("stack", lambda T, *xs, dim: T.stack(list(xs), dim), stack_inputs())

# indexing

def row_index(shape: tuple[int, ...]) -> st.SearchStrategy:
    return st.integers(-shape[0], shape[0] - 1).map(lambda i: {"i": i})


def row_slice(shape: tuple[int, ...]) -> st.SearchStrategy:
    ends = st.one_of(st.none(), st.integers(-shape[0], shape[0]))
    return st.fixed_dictionaries({"s": st.builds(slice, ends, ends, st.one_of(
        st.none(), st.integers(1, 3)))})


def row_list(shape: tuple[int, ...]) -> st.SearchStrategy:
    """Row indices with repeats (and negative ones)."""
    return st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=6).map(
        lambda rows: {"rows": rows})


def mask(shape: tuple[int, ...]) -> st.SearchStrategy:
    return hnp.arrays(np.bool_, shape).map(lambda m: {"mask": m.tolist()})


case("index-int", lambda T, x, i: x[i], one(shapes=ROWS, params=row_index))
case("index-negative", lambda T, x: x[-1], one(shapes=ROWS))
case("index-slice", lambda T, x, s: x[s], one(shapes=ROWS, params=row_slice))
case("index-int-int", lambda T, x: x[1, -1],
     one(shapes=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4)))
case("index-int-slice", lambda T, x: x[0, 1:],
     one(shapes=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4)))
case("index-ellipsis", lambda T, x: x[..., 0], one(shapes=ROWS))
case("index-none", lambda T, x: x[None], one())
case("index-none-int", lambda T, x: x[None, 0], one(shapes=ROWS))
case("index-none-slice", lambda T, x: x[None, 1:], one(shapes=ROWS))
case("index-0d-int-tensor", lambda T, x, i: x[T.tensor(i)], one(shapes=ROWS, params=row_index))
case("index-true", lambda T, x: x[True], one())
case("index-slice-none", lambda T, x: x[:, None], one(shapes=ROWS))
case("index-int-array", lambda T, x, rows: x[rows], one(shapes=ROWS, params=row_list))
case("index-tensor-array", lambda T, x, rows: x[T.tensor(rows)],
     one(shapes=ROWS, params=row_list))
case("index-bool-mask", lambda T, x, mask: x[T.tensor(mask)], one(shapes=ROWS, params=mask))
case("index-comparison-mask", lambda T, x: x[x > 0.5], one(distinct(offset=0.05)))


@st.composite
def setitem_inputs(draw: Any, kind: str) -> tuple:
    shape = draw(ROWS)
    x = draw(GENERAL(shape))
    if kind == "int":
        params = draw(row_index(shape))
        value_shape = shape[1:]
    elif kind == "slice":
        params = draw(row_slice(shape))
        value_shape = np.empty(shape)[params["s"]].shape
    else:
        params = draw(mask(shape))
        value_shape = ()
    # the value may broadcast: drop leading dims or make some size 1
    value_shape = draw(st.sampled_from([value_shape, value_shape[1:], tuple(
        1 if i % 2 else n for i, n in enumerate(value_shape))]))
    return (x, draw(GENERAL(value_shape))), params


def setitem(key: str) -> Callable[..., Any]:
    def fn(T: Any, x: Any, z: Any, **p: Any) -> Any:
        y = x * 1
        y[T.tensor(p["mask"]) if key == "mask" else p[key]] = z
        return y

    return fn


case("setitem-int", setitem("i"), setitem_inputs("int"))
case("setitem-slice", setitem("s"), setitem_inputs("slice"))
case("setitem-mask", setitem("mask"), setitem_inputs("mask"))


def setitem_number(T: Any, x: Any, i: int) -> Any:
    y = x * 1
    y[i] = 0.5
    return y


case("setitem-number", setitem_number, one(shapes=ROWS, params=row_index))


def inplace_chain(T: Any, x: Any, y: Any) -> Any:
    """In-place operations on a non-leaf are recorded like the out-of-place ones."""
    z = x * 1
    z += y
    z *= y
    z -= x
    z /= 2.0
    return z


case("inplace-nonleaf", inplace_chain,
     two(pairs=st.sampled_from([((2, 3), (2, 3)), ((3,), ()), ((2, 3), (3,)), ((), ())])))


def copy_into(T: Any, x: Any, y: Any) -> Any:
    z = x * 1
    z.copy_(y)
    return z * x


case("copy_", copy_into, two(pairs=st.sampled_from([((2, 3), (2, 3)), ((2, 3), (3,)), ((), ())])))

# softmax and losses
case("softmax", lambda T, x, dim: F(T).softmax(x, dim=dim),
     one(params=lambda s: dims(s).map(lambda d: {"dim": d})))
case("log_softmax", lambda T, x, dim: F(T).log_softmax(x, dim),
     one(params=lambda s: dims(s).map(lambda d: {"dim": d})))
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
case("mse_loss", lambda T, x, y, reduction: F(T).mse_loss(x, y, reduction=reduction),
     two(pairs=SHAPES.map(lambda s: (s, s)),
         params=lambda s: REDUCTIONS.map(lambda r: {"reduction": r})))


@st.composite
def cross_entropy_inputs(draw: Any) -> tuple:
    c = draw(st.integers(1, 4))
    batch = draw(st.one_of(st.none(), st.integers(1, 4)))
    shape = (c,) if batch is None else (batch, c)
    labels = draw(st.integers(0, c - 1) if batch is None else st.lists(
        st.integers(0, c - 1), min_size=batch, max_size=batch))
    return (draw(uniform(-3, 3)(shape)),), {"target": labels, "reduction": draw(REDUCTIONS)}


case("cross_entropy", lambda T, x, target, reduction: F(T).cross_entropy(
    x, T.tensor(target), reduction=reduction), cross_entropy_inputs())

# copies and dtype changes
case("clone", lambda T, x: x.clone(), one())
case("float32", lambda T, x: x.float() * 3, one(), eps=1e-3, atol=1e-3, rtol=1e-6)
case("to-float32-and-back", lambda T, x: T.exp(x.to(T.float32)).double(), one(),
     eps=1e-3, atol=1e-3, rtol=1e-6)


# d2lad's internal primitives with no public function of their own (no PyTorch twin)
def sum_to(T: Any, x: Any, shape: tuple[int, ...]) -> Any:
    from d2lad.engine.primitives import sum_to

    return sum_to(x, shape=shape)


@st.composite
def sum_to_inputs(draw: Any) -> tuple:
    b = draw(hnp.mutually_broadcastable_shapes(num_shapes=1, min_dims=0, max_dims=3, max_side=3))
    return (draw(GENERAL(b.result_shape)),), {"shape": b.input_shapes[0]}


def scatter(T: Any, g: Any, key: Any, shape: tuple[int, ...]) -> Any:
    from d2lad.engine.primitives import scatter

    return scatter(g, key=key, shape=shape)


@st.composite
def scatter_inputs(draw: Any) -> tuple:
    shape = draw(ROWS)
    rows = draw(row_list(shape))["rows"]
    return (draw(GENERAL((len(rows),) + shape[1:])),), {"key": np.array(rows),
                                                         "shape": shape}


case("sum_to", sum_to, sum_to_inputs(), in_torch=False)
case("scatter", scatter, scatter_inputs(), in_torch=False)

BY_ID = {c.id: c for c in CASES}
assert len(BY_ID) == len(CASES), "case ids must be unique"

def parametrized(cases: list[Case]) -> list[Any]:
    """``cases`` as pytest parameters, named by their ids."""
    return [pytest.param(c, id=c.id) for c in cases]
