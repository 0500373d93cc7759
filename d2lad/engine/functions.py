"""The operations learners call, with PyTorch's names and signatures, and the Tensor methods.

Each function checks its arguments (so a mistake gets PyTorch's message plus the fix), turns
PyTorch's conventions (``dim``, ``keepdim``) into the primitives' (``axis``, ``keepdims``), and
applies a primitive from ``primitives.py``. Operations without a derivative (comparisons,
``argmax``) return tensors that do not require grad.

>>> import d2lad
>>> x = d2lad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> x.sum(dim=0)
tensor([4., 6.], grad_fn=<SumBackward1>)
"""

from __future__ import annotations

import builtins
from collections import namedtuple
from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad.engine import dtypes
from d2lad.engine import primitives as P
from d2lad.engine.grad_mode import STATE
from d2lad.engine.tensor import Tensor, wrap

ndarray = np.ndarray


# ---- argument helpers ---------------------------------------------------------------------------

def _dims(dim: Any, ndim: int) -> tuple[int, ...] | None:
    """PyTorch's ``dim`` (int, sequence or None) as a tuple of non-negative axes."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    n = builtins.max(ndim, 1)
    out = []
    for d in dims:
        if not -n <= d < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                             f"but got {d})")
        out.append(int(d) % n if ndim else 0)
    return tuple(out) if ndim else ()


def _sizes(size: Sequence[Any]) -> tuple[int, ...]:
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    return tuple(int(s) for s in size)


def _data(x: Any) -> Any:
    return x._data if isinstance(x, Tensor) else x


def _float_only(x: Tensor, what: str) -> None:
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{what}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {x.dtype}. Convert first with .float().")


# ---- arithmetic ---------------------------------------------------------------------------------

def add(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input + alpha * other (broadcasting).

    >>> import d2lad
    >>> d2lad.add(d2lad.ones(2), 1)
    tensor([2., 2.])
    """
    return P.add(input, other if alpha == 1 else other * alpha)


def sub(input: Any, other: Any, *, alpha: float = 1) -> Tensor:
    """input - alpha * other."""
    return P.sub(input, other if alpha == 1 else other * alpha)


def mul(input: Any, other: Any) -> Tensor:
    """Elementwise product (broadcasting)."""
    return P.mul(input, other)


def div(input: Any, other: Any) -> Tensor:
    """Elementwise true division (integers give float32, as in PyTorch)."""
    return P.div(input, other)


def pow(input: Any, exponent: Any) -> Tensor:
    """input ** exponent, for a number or a tensor exponent.

    >>> import d2lad
    >>> d2lad.pow(d2lad.tensor([1.0, 2.0]), 2)
    tensor([1., 4.])
    """
    if isinstance(exponent, Tensor):
        if not isinstance(input, Tensor):
            return P.rpow(input, exponent)
        return P.pow_tensor(input, exponent)
    return P.pow(input, exponent=exponent)


def _rpow(self: Tensor, base: Any) -> Tensor:
    return P.rpow(base, self)


def _rsub(self: Tensor, other: Any) -> Tensor:
    return P.rsub(self, other)


def _rdiv(self: Tensor, other: Any) -> Tensor:
    return P.rdiv(other, self)


def square(input: Tensor) -> Tensor:
    """input ** 2."""
    return P.pow(input, exponent=2)


def reciprocal(input: Tensor) -> Tensor:
    """1 / input."""
    return P.rdiv(1.0, input)


def neg(input: Tensor) -> Tensor:
    """-input."""
    return P.neg(input)


exp, log, log1p, sqrt = P.exp, P.log, P.log1p, P.sqrt
sin, cos, tan, tanh = P.sin, P.cos, P.tan, P.tanh
sigmoid, relu, abs, clone = P.sigmoid, P.relu, P.abs, P.clone
maximum, minimum = P.maximum, P.minimum


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 per element (no gradient)."""
    if type(input) is not Tensor and type(input).sign is not Tensor.sign:
        return input.sign()  # a subclass's own (symbolic) sign
    return wrap(np.sign(input._data))


def clamp(input: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    """Limit every element to [min, max]; either bound may be None.

    >>> import d2lad
    >>> d2lad.clamp(d2lad.tensor([-1.0, 0.5, 2.0]), min=0, max=1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return P.clamp(input, min=_data(min), max=_data(max))


clip = clamp


def where(condition: Tensor, input: Any, other: Any) -> Tensor:
    """Elementwise ``input if condition else other``.

    >>> import d2lad
    >>> x = d2lad.tensor([-1.0, 2.0])
    >>> d2lad.where(x > 0, x, 0.0)
    tensor([0., 2.])
    """
    return P.where(condition, input, other)


# ---- reductions ---------------------------------------------------------------------------------

def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,
        dtype: Any = None, axis: Any = None) -> Tensor:
    """Sum of all elements, or over ``dim`` (``keepdim`` keeps it with size 1).

    >>> import d2lad
    >>> d2lad.arange(4.0).sum()
    tensor(6.)
    """
    dim = axis if dim is None else dim
    x = input if dtype is None else input.to(dtype)
    if x._data.dtype.kind in "biu":
        x = x.to(dtypes.int64)
    if dim is None:
        return P.sum(x, keepdims=keepdim) if keepdim else P.sum(x)
    return P.sum_dim(x, axis=_dims(dim, x._data.ndim), keepdims=keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,
         dtype: Any = None, axis: Any = None) -> Tensor:
    """Mean of all elements, or over ``dim`` (floating point tensors only)."""
    dim = axis if dim is None else dim
    x = input if dtype is None else input.to(dtype)
    _float_only(x, "mean")
    if dim is None:
        return P.mean(x, keepdims=keepdim) if keepdim else P.mean(x)
    return P.mean_dim(x, axis=_dims(dim, x._data.ndim), keepdims=keepdim)


def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *,
         dtype: Any = None) -> Tensor:
    """Product of all elements, or along ``dim``."""
    x = input if dtype is None else input.to(dtype)
    if dim is None:
        return P.prod(x)
    return P.prod_dim(x, axis=_dims(dim, x._data.ndim), keepdims=keepdim)


Extremes = namedtuple("Extremes", ["values", "indices"])


def _extreme(input: Tensor, dim: Any, keepdim: bool, other: Any, name: str) -> Any:
    if isinstance(dim, Tensor):  # max(a, b): elementwise
        other, dim = dim, None
    if other is not None:
        return (P.maximum if name == "max" else P.minimum)(input, other)
    if input._data.size == 0:
        raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    if dim is None:
        return (P.max_all if name == "max" else P.min_all)(input)
    (axis,) = _dims(dim, input._data.ndim) or (0,)
    pick = np.argmax if name == "max" else np.argmin
    values = (P.max_dim if name == "max" else P.min_dim)(input, axis=axis, keepdims=keepdim)
    idx = pick(input._data, axis=axis)
    indices = wrap(np.expand_dims(idx, axis) if keepdim else np.asarray(idx))
    return Extremes(values, indices)


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *,
        other: Any = None) -> Any:
    """Largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, elementwise.

    >>> import d2lad
    >>> d2lad.tensor([[1.0, 5.0], [3.0, 2.0]]).max(dim=1).values
    tensor([5., 3.])
    """
    return _extreme(input, dim, keepdim, other, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *,
        other: Any = None) -> Any:
    """Smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor,
    elementwise."""
    return _extreme(input, dim, keepdim, other, "min")


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Largest element over ``dim`` (all by default); ties share the gradient."""
    axis = _dims(dim, input._data.ndim) if dim != () else None
    return P.amax(input, axis=axis, keepdims=keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:
    """Smallest element over ``dim`` (all by default); ties share the gradient."""
    axis = _dims(dim, input._data.ndim) if dim != () else None
    return P.amin(input, axis=axis, keepdims=keepdim)


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened tensor without ``dim``)."""
    if dim is None:
        return wrap(np.asarray(np.argmax(input._data)))
    (axis,) = _dims(dim, input._data.ndim)
    return wrap(np.asarray(np.argmax(input._data, axis=axis, keepdims=keepdim)))


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened tensor without ``dim``)."""
    if dim is None:
        return wrap(np.asarray(np.argmin(input._data)))
    (axis,) = _dims(dim, input._data.ndim)
    return wrap(np.asarray(np.argmin(input._data, axis=axis, keepdims=keepdim)))


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:
    """Vector norm: Euclidean (p=2, the default) over all elements or over ``dim``.

    >>> import d2lad
    >>> d2lad.tensor([3.0, 4.0]).norm()
    tensor(5.)
    """
    _float_only(input, "linalg.vector_norm")
    axis = _dims(dim, input._data.ndim)
    if p in ("fro", 2, 2.0, None):
        return P.norm(input, axis=axis, keepdims=keepdim) if axis or keepdim else P.norm(input)
    if p in (float("inf"), "inf"):
        return amax(abs(input), dim=dim if dim is not None else (), keepdim=keepdim)
    s = sum(abs(input) ** p, dim=dim, keepdim=keepdim)
    return s ** (1.0 / p)


def std(input: Tensor, dim: Any = None, *, correction: int = 1,
        keepdim: bool = False) -> Tensor:
    """Standard deviation (Bessel's correction by default, as PyTorch)."""
    return var(input, dim, correction=correction, keepdim=keepdim) ** 0.5


def var(input: Tensor, dim: Any = None, *, correction: int = 1,
        keepdim: bool = False) -> Tensor:
    """Variance (Bessel's correction by default, as PyTorch)."""
    centered = input - mean(input, dim=dim, keepdim=True)
    axes = _dims(dim, input._data.ndim)
    n = input._data.size if axes is None else int(np.prod([input._data.shape[a] for a in axes]))
    return sum(centered * centered, dim=dim, keepdim=keepdim) / builtins.max(n - correction, 0)


# ---- linear algebra -----------------------------------------------------------------------------

def dot(input: Tensor, other: Tensor) -> Tensor:
    """Inner product of two vectors.

    >>> import d2lad
    >>> x = d2lad.arange(4.0)
    >>> d2lad.dot(x, x)
    tensor(14.)
    """
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors. "
                           "Use d2lad.matmul (or @) for matrices.")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to "
            f"have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements "
            "respectively")
    return P.dot(input, other)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two matrices."""
    a, b = input._data, mat2._data
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"self must be a matrix and mat2 must be a matrix: got {a.ndim}-D "
                           f"and {b.ndim}-D tensors. Use d2lad.matmul for other shapes.")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]}): the inner sizes must agree.")
    return P.mm(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Product of a matrix and a vector."""
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1 or a.shape[1] != v.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({a.shape[0] if a.ndim else 0}), mat "
            f"({'x'.join(str(s) for s in a.shape)}), vec ({'x'.join(str(s) for s in v.shape)}): "
            "the matrix needs as many columns as the vector has elements.")
    return P.mv(input, vec)


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """Matrix product with PyTorch's rules: vector·vector, matrix·vector, batches.

    >>> import d2lad
    >>> (d2lad.ones(2, 3) @ d2lad.ones(3)).shape
    torch.Size([2])
    """
    if not isinstance(input, Tensor):
        input = wrap(np.asarray(input))
    if not isinstance(other, Tensor):
        other = wrap(np.asarray(other))
    da, db = input._data.ndim, other._data.ndim
    if da == 0 or db == 0:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{da}D and {db}D. Use * to multiply by a number.")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 2 and db == 2:
        return mm(input, other)
    a, b = input._data.shape, other._data.shape
    if a[-1] != b[-2 if db > 1 else -1]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied: {list(a)} @ {list(b)} "
                           "(the last size of the first must equal the second's rows).")
    return P.matmul(input, other)


def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """Outer product of two vectors: a column times a row."""
    return P.mul(P.reshape(input, shape=(-1, 1)), vec2)


# ---- shapes -------------------------------------------------------------------------------------

def reshape(input: Tensor, *shape: Any) -> Tensor:
    """Same elements in a new shape; one size may be -1 (inferred).

    >>> import d2lad
    >>> d2lad.arange(6.0).reshape(2, 3).shape
    torch.Size([2, 3])
    """
    new = _sizes(shape)
    size = input._data.size
    known = int(np.prod([s for s in new if s != -1], dtype=np.int64))
    if new.count(-1) > 1 or (-1 not in new and known != size) or (
            -1 in new and (known == 0 or size % known)):
        raise RuntimeError(f"shape '{list(new)}' is invalid for input of size {size}")
    return P.reshape(input, shape=new)


view = reshape


def view_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` reshaped to ``other``'s shape."""
    return reshape(input, other._data.shape)


reshape_as = view_as


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one."""
    s = input._data.shape
    if not s:
        return P.flatten(input, shape=(1,))
    a, b = _dims((start_dim, end_dim), len(s))
    if a == b:
        return input
    new = s[:a] + (int(np.prod(s[a:b + 1], dtype=np.int64)),) + s[b + 1:]
    return P.flatten(input, shape=new)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:
    """Remove dimensions of size 1 (all, or ``dim`` only)."""
    s = input._data.shape
    if dim is None:
        return P.squeeze(input, shape=tuple(n for n in s if n != 1))
    axes = _dims(dim, len(s))
    return P.squeeze_dim(input, shape=tuple(n for i, n in enumerate(s)
                                            if not (i in axes and n == 1)))


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """Insert a dimension of size 1 at ``dim``."""
    s = input._data.shape
    n = len(s) + 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    d = dim % n
    return P.unsqueeze(input, shape=s[:d] + (1,) + s[d:])


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions."""
    n = input._data.ndim
    a, b = _dims((dim0, dim1), n)
    axes = list(range(n))
    axes[a], axes[b] = axes[b], axes[a]
    return P.transpose2(input, axes=tuple(axes))


swapaxes = transpose


def t(input: Tensor) -> Tensor:
    """Transpose of a matrix (a vector is returned as is)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D. "
                           "Use transpose(dim0, dim1) or permute.")
    return P.t_(input, axes=tuple(range(n))[::-1])


def permute(input: Tensor, *dims: Any) -> Tensor:
    """Reorder all dimensions."""
    axes = _dims(_sizes(dims), input._data.ndim)
    if sorted(axes) != list(range(input._data.ndim)):
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input._data.ndim} is not equal to len(dims) = "
                           f"{len(axes)}")
    return P.transpose(input, axes=axes)


def _T(input: Tensor) -> Tensor:
    return P.transpose(input, axes=tuple(range(input._data.ndim))[::-1])


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """Repeat along dimensions of size 1 (no copy); -1 keeps a size."""
    return broadcast_to(input, _sizes(sizes))


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` expanded to ``other``'s shape."""
    return broadcast_to(input, other._data.shape)


def broadcast_to(input: Tensor, shape: Sequence[int]) -> Tensor:
    """``input`` repeated (broadcast) to ``shape``; -1 keeps a size."""
    old = (1,) * (len(shape) - input._data.ndim) + input._data.shape
    return P.broadcast_to(input, shape=tuple(o if n == -1 else int(n) for n, o in zip(shape, old)))


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension.

    >>> import d2lad
    >>> d2lad.cat([d2lad.ones(2), d2lad.zeros(1)])
    tensor([1., 1., 0.])
    """
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    (axis,) = _dims(dim, tensors[0]._data.ndim)
    return P.cat(*tensors, axis=axis)


concat = concatenate = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors of one shape along a new dimension."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != first:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first)} "
                               f"at entry 0 and {list(x._data.shape)} at entry {i}")
    n = len(first) + 1
    return P.stack(*tensors, axis=dim % n)


# ---- indexing -----------------------------------------------------------------------------------

def _index_key(key: Any) -> tuple[Any, str]:
    """Numpy's form of an index, and PyTorch's name for the operation it is: "index" with an
    array or a bool anywhere, else the last int ("select") or partial slice ("slice") applied,
    and "unsqueeze" for keys of only None, ``...`` and ``:``."""
    parts = key if isinstance(key, tuple) else (key,)
    out = []
    kind = None
    advanced = False
    for k in parts:
        if isinstance(k, Tensor):
            k = k._data
            if k.ndim == 0 and k.dtype.kind in "iu":  # a 0-d integer tensor indexes as an int
                k = int(k)
        if isinstance(k, (list, ndarray, bool, np.bool_)):
            k = np.asarray(k)
            advanced = True
        elif isinstance(k, (int, np.integer)):
            kind = "select"
        elif isinstance(k, slice) and k != slice(None):
            kind = "slice"
        elif k is None and kind in (None, "unsqueeze"):
            kind = "unsqueeze"
        out.append(k)
    kind = "index" if advanced else kind or "slice"
    return (tuple(out) if isinstance(key, tuple) else out[0]), kind


_INDEX_OPS = {"slice": P.slice_, "select": P.select, "index": P.getitem,
              "unsqueeze": P.unsqueeze}


def getitem(x: Tensor, key: Any) -> Tensor:
    """``x[key]``: basic indexing (ints, slices, None, ...) and integer or boolean arrays."""
    key, kind = _index_key(key)
    if kind == "unsqueeze":
        probe = np.empty(x._data.shape, dtype=bool)[key]
        return P.unsqueeze(x, shape=probe.shape)
    if kind == "select":  # keep a view for 0-d results, so in-place changes reach x
        key = (key if isinstance(key, tuple) else (key,))
        if Ellipsis not in key:
            key = key + (Ellipsis,)
    try:
        return _INDEX_OPS[kind](x, key=key)
    except IndexError as err:
        raise IndexError(f"{err} (indexing a tensor of shape {list(x._data.shape)})") from None


def setitem(x: Tensor, key: Any, value: Any) -> None:
    """``x[key] = value``, recorded when gradients (or tangents) are needed."""
    key, _ = _index_key(key)
    x._check_inplace()
    if _through_graph(x, value):
        x._adopt(P.index_put(x._snapshot(), value, key=key))
        return
    x._storage()[key] = _data(value)
    x._bump_version()


# ---- in-place operations ------------------------------------------------------------------------

def _through_graph(x: Tensor, other: Any) -> bool:
    """Whether an in-place change must be recorded as an operation: a gradient is needed, or a
    forward-mode tangent must follow the change."""
    if isinstance(other, Tensor):
        if other._functional_inplace or (STATE.enabled and other._requires_grad):
            return True
    return x._functional_inplace or (STATE.enabled and x._requires_grad)


def _inplace(op: Any) -> Any:
    def method(self: Tensor, other: Any, *args: Any, **kwargs: Any) -> Tensor:
        self._check_inplace()
        if _through_graph(self, other):
            return self._adopt(op(self._snapshot(), other, *args, **kwargs))
        self._write(op(wrap(self._data), _data(other), *args, **kwargs)._data)
        return self

    method.__name__ = op.__name__ + "_"
    method.__doc__ = f"In-place {op.__name__}: changes this tensor (see PyTorch's rules)."
    return method


def _clamp_(self: Tensor, min: Any = None, max: Any = None) -> Tensor:
    return _inplace(clamp)(self, min, max)


def copy_(self: Tensor, src: Any) -> Tensor:
    """Copy ``src``'s values into this tensor (recorded when gradients are needed)."""
    everywhere = np.ones(self._data.shape, dtype=bool)
    return _inplace(lambda old, other: P.where(everywhere, other, old))(self, src)


# ---- comparisons (no gradient) ------------------------------------------------------------------

def _compare(ufunc: Any, dunder: str) -> tuple[Any, Any]:
    """The comparison as a Tensor method, and as a function that defers to the method of its
    first argument (a tensor subclass, e.g. a symbolic expression, may define its own)."""

    def method(self: Tensor, other: Any) -> Any:
        if isinstance(other, Tensor):
            if other.dispatch_priority > self.dispatch_priority:
                return NotImplemented  # Python asks the other side (a dual, an expression)
            other = other._data
        elif other is None:
            return ufunc is np.not_equal
        try:
            out = ufunc(self._data, other)
        except ValueError as err:
            raise P.shape_error(P.TABLE["sub"], [self._data, other], err) from None
        return wrap(out)

    def function(input: Tensor, other: Any) -> Any:
        return getattr(input, dunder)(other)

    method.__name__ = dunder
    function.__name__ = ufunc.__name__
    function.__doc__ = f"Elementwise ``{ufunc.__name__}`` as a bool tensor (no gradient)."
    return method, function


_eq, eq = _compare(np.equal, "__eq__")
_ne, ne = _compare(np.not_equal, "__ne__")
_lt, lt = _compare(np.less, "__lt__")
_le, le = _compare(np.less_equal, "__le__")
_gt, gt = _compare(np.greater, "__gt__")
_ge, ge = _compare(np.greater_equal, "__ge__")


def equal(input: Tensor, other: Tensor) -> bool:
    """True when both have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(np.all(input._data == other._data))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """True when all elements are close: |a - b| <= atol + rtol |b|."""
    return bool(np.allclose(input._data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise closeness, as a bool tensor."""
    return wrap(np.isclose(input._data, _data(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def any(input: Tensor) -> Tensor:
    """True if any element is nonzero."""
    return wrap(np.asarray(np.any(input._data)))


def all(input: Tensor) -> Tensor:
    """True if every element is nonzero."""
    return wrap(np.asarray(np.all(input._data)))


# ---- dtype conversion ---------------------------------------------------------------------------

def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """A tensor of another dtype (``x.to(d2lad.float64)``); the same tensor if nothing changes."""
    target = kwargs.get("dtype")
    for a in args:
        if isinstance(a, (dtypes.dtype, np.dtype, type)):
            target = a
        elif isinstance(a, Tensor):
            target = a.dtype
    if target is None:
        return self
    new = dtypes.to_numpy_dtype(target)
    if new == self._data.dtype:
        return self
    if new.kind != "f":
        return wrap(np.asarray(self._data).astype(new))
    return P.cast(self, dtype=new)


def _converter(d: dtypes.dtype) -> Any:
    def convert(self: Tensor) -> Tensor:
        return to(self, d)

    convert.__doc__ = f"This tensor as {d!r}."
    return convert


def type_(self: Tensor, dtype: Any = None) -> Any:
    """With a dtype, convert to it; without, PyTorch's type name (``torch.FloatTensor``)."""
    if dtype is None:
        names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
                 "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
        return f"torch.{names[self._data.dtype.name]}Tensor"
    return to(self, dtype)


# ---- the Tensor methods are the functions above -------------------------------------------------

METHODS = {
    "__add__": P.add, "__radd__": P.add, "__sub__": P.sub, "__rsub__": _rsub,
    "__mul__": P.mul, "__rmul__": P.mul, "__truediv__": P.div, "__rtruediv__": _rdiv,
    "__pow__": pow, "__rpow__": _rpow, "__neg__": P.neg, "__abs__": P.abs,
    "__matmul__": matmul, "__rmatmul__": lambda self, other: matmul(other, self),
    "__eq__": _eq, "__ne__": _ne, "__lt__": _lt, "__le__": _le, "__gt__": _gt, "__ge__": _ge,
    "__getitem__": getitem, "__setitem__": setitem,
    "__iadd__": _inplace(add), "__isub__": _inplace(sub), "__imul__": _inplace(mul),
    "__itruediv__": _inplace(div),
    "add": add, "sub": sub, "mul": mul, "div": div, "pow": pow, "neg": neg, "square": square,
    "reciprocal": reciprocal, "add_": _inplace(add), "sub_": _inplace(sub),
    "mul_": _inplace(mul), "div_": _inplace(div), "clamp_": _clamp_, "copy_": copy_,
    "exp": exp, "log": log, "log1p": log1p, "sqrt": sqrt, "sin": sin, "cos": cos, "tan": tan,
    "tanh": tanh, "sigmoid": sigmoid, "relu": relu, "abs": abs, "sign": sign, "clamp": clamp,
    "clip": clamp, "maximum": maximum, "minimum": minimum, "clone": clone,
    "sum": sum, "mean": mean, "prod": prod, "max": max, "min": min, "amax": amax, "amin": amin,
    "argmax": argmax, "argmin": argmin, "norm": norm, "std": std, "var": var,
    "dot": dot, "mm": mm, "mv": mv, "matmul": matmul, "outer": outer,
    "reshape": reshape, "view": view, "view_as": view_as, "reshape_as": reshape_as,
    "flatten": flatten, "squeeze": squeeze, "unsqueeze": unsqueeze, "transpose": transpose,
    "swapaxes": transpose, "t": t, "permute": permute, "T": property(_T), "mT": property(
        lambda self: transpose(self, -2, -1)),
    "expand": expand, "expand_as": expand_as, "broadcast_to": broadcast_to,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "equal": equal,
    "allclose": allclose, "isclose": isclose, "any": any, "all": all,
    "to": to, "type": type_, "float": _converter(dtypes.float32),
    "double": _converter(dtypes.float64), "half": _converter(dtypes.float16),
    "long": _converter(dtypes.int64), "int": _converter(dtypes.int32),
    "bool": _converter(dtypes.bool),
}

for _name, _fn in METHODS.items():
    setattr(Tensor, _name, _fn)
