"""MXNet's names on d2lad's engine: ``from d2lad.mx import autograd, nd, np, npx``.

A facade, not a second engine: an ``NDArray`` is a d2lad tensor and every operation a d2lad
primitive. What differs is *when* recording happens and *what* ``backward`` does with ``.grad``:

>>> from d2lad.mx import autograd, np, npx
>>> npx.set_np()
>>> x = np.arange(4.0)
>>> x.attach_grad()                 # the gradient buffer exists at once: zeros
>>> x.grad
tensor([0., 0., 0., 0.])
>>> with autograd.record():        # MXNet records only inside record()
...     y = 2 * np.dot(x, x)
>>> y.backward()
>>> x.grad
tensor([ 0.,  4.,  8., 12.])
>>> with autograd.record():
...     y = x.sum()
>>> y.backward()                   # overwrites (grad_req='write'): PyTorch would add
>>> x.grad
tensor([1., 1., 1., 1.])

MXNet semantics kept: operations are recorded only inside ``autograd.record()`` (not inside
``autograd.pause()``); ``attach_grad`` marks a variable and allocates a zero gradient;
``backward`` of a non-scalar result uses a head gradient of ones (the gradient of the sum) and
*overwrites* the attached gradients (``attach_grad(grad_req="add")`` accumulates instead);
in-place updates such as ``x[:] = x - lr * x.grad`` work outside ``record()``. Python data
becomes float32 (``np.arange(4)`` too), as in MXNet.

Accepted differences:

- Printing stays d2lad's (PyTorch's): ``tensor([0., 4.])`` rather than ``array([0., 4.])``.
- Legacy ``nd`` reductions (``x.sum()``) give 0-d arrays, not shape (1,); ``nd.array`` keeps a
  numpy array's dtype (MXNet makes float32).
- Comparisons give bool arrays (legacy ``nd`` gave 0./1. floats).
- A plain d2lad tensor (``requires_grad=True``) in an MXNet graph keeps PyTorch's accumulation.
- ``sym`` is ``d2lad.sym`` (symbolic expressions), imported when first used.
"""

from __future__ import annotations

import builtins
import importlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as _onp

from d2lad.engine import creation, dtypes
from d2lad.engine import functions as F
from d2lad.engine.backward import run
from d2lad.engine.grad_mode import STATE
from d2lad.engine.node import Node
from d2lad.engine.primitive import apply_plain
from d2lad.engine.tensor import Tensor as _EngineTensor
from d2lad.engine.tensor import wrap

__all__ = ["NDArray", "autograd", "nd", "np", "npx"]  # and ``sym``, imported lazily

NOT_RECORDED = (
    "Cannot differentiate node because it is not in a computational graph. You need to set "
    "is_recording to true or use autograd.record() to save computational graphs for backward. "
    "If you want to differentiate the same graph twice, you need to pass retain_graph=True to "
    "backward. (Also call x.attach_grad() on the inputs before recording.)")


class _MXState:
    """MXNet's process-wide flags: recording (inside ``autograd.record``) and training."""

    __slots__ = ("recording", "training")

    def __init__(self) -> None:
        self.recording = False
        self.training = False


_MX = _MXState()
_GRAD_REQ: dict[int, tuple[weakref.ref, str]] = {}  # id -> (array, "add"/"null"); "write" default


class NDArray(_EngineTensor):
    """MXNet's array: a d2lad tensor recorded only inside ``autograd.record()``.

    >>> from d2lad.mx import np
    >>> x = np.array([1, 2])
    >>> (x * x).asnumpy()
    array([1., 4.], dtype=float32)
    """

    __slots__ = ()
    dispatch_priority = 1  # over plain d2lad tensors (below symbolic/forward-mode ones)
    __hash__ = _EngineTensor.__hash__

    @classmethod
    def apply_primitive(cls, prim: Any, args: tuple, params: dict) -> _EngineTensor:
        """Run an operation as d2lad does, recording it only inside ``autograd.record()``.

        >>> from d2lad.mx import autograd, np
        >>> x = np.ones(2); x.attach_grad()
        >>> (x * 2).requires_grad
        False
        """
        return _fresh(apply_plain(prim, args, params, record=_MX.recording))

    def attach_grad(self, grad_req: str = "write", stype: Any = None) -> None:
        """Make this array a variable: gradients of recorded results go to ``.grad``.

        ``grad_req="write"`` (default): each backward overwrites ``.grad``; ``"add"``: it adds,
        as PyTorch does; ``"null"``: no gradient.

        >>> from d2lad.mx import np
        >>> x = np.ones(2); x.attach_grad(); x.grad
        tensor([0., 0.])
        """
        if grad_req not in ("write", "add", "null"):
            raise ValueError(f"grad_req must be 'write', 'add' or 'null', got {grad_req!r}")
        if self._data.dtype.kind != "f":
            raise TypeError(f"attach_grad needs a floating point array, this one is "
                            f"{self.dtype}: convert first, e.g. x = x.astype('float32').")
        self.grad_fn = None  # attach_grad makes any array a fresh variable (a leaf)
        self._requires_grad = grad_req != "null"
        self._grad = None if grad_req == "null" else _nd(_onp.zeros_like(self._storage()))
        key = id(self)
        if grad_req == "write":
            _GRAD_REQ.pop(key, None)
        else:
            _GRAD_REQ[key] = (weakref.ref(self, lambda _, k=key: _GRAD_REQ.pop(k, None)),
                              grad_req)

    @property
    def grad(self) -> _EngineTensor | None:
        """The gradient buffer made by ``attach_grad`` (``None`` before).

        >>> from d2lad.mx import np
        >>> print(np.ones(2).grad)
        None
        """
        return self._grad

    @grad.setter
    def grad(self, value: _EngineTensor | None) -> None:
        _EngineTensor.grad.fset(self, value)

    def backward(self, out_grad: Any = None, retain_graph: builtins.bool = False,
                 train_mode: builtins.bool = True) -> None:
        """Compute the gradients of this result into the ``.grad`` of the attached arrays.

        ``out_grad`` is the head gradient (ones by default, so a non-scalar result gives the
        gradient of its sum).

        >>> from d2lad.mx import autograd, np
        >>> x = np.array([1.0, 2.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y = x * x
        >>> y.backward(); x.grad
        tensor([2., 4.])
        """
        _backward([self], [out_grad], retain_graph)

    def detach(self) -> NDArray:
        """The same values, outside any recorded graph.

        >>> from d2lad.mx import autograd, np
        >>> x = np.ones(2); x.attach_grad()
        >>> with autograd.record():
        ...     u = (x * 3).detach()
        >>> u
        tensor([3., 3.])
        """
        return _fresh(_EngineTensor.detach(self))

    def copy(self) -> NDArray:
        """A copy with its own memory.

        >>> from d2lad.mx import np
        >>> np.ones(2).copy()
        tensor([1., 1.])
        """
        return _nd(_onp.array(self._data, copy=True))

    def asnumpy(self) -> _onp.ndarray:
        """The values as a new numpy array.

        >>> from d2lad.mx import np
        >>> np.arange(3).asnumpy()
        array([0., 1., 2.], dtype=float32)
        """
        return _onp.array(self._data, copy=True)

    def asscalar(self) -> Any:
        """The value of a one-element array as a Python number.

        >>> from d2lad.mx import nd
        >>> nd.ones((1,)).asscalar()
        1.0
        """
        if self._data.size != 1:
            raise ValueError("The current array is not a scalar: it has "
                             f"{self._data.size} elements. Index one, or reduce it first.")
        return self._data.item()

    def astype(self, dtype: Any) -> NDArray:
        """The values converted to ``dtype`` (``"float64"``, ``np.float64``, ...).

        >>> from d2lad.mx import np
        >>> np.ones(1).astype("float64").dtype
        torch.float64
        """
        return _fresh(F.to(self, dtype=dtypes.to_numpy_dtype(dtype)))

    @property
    def size(self) -> int:  # type: ignore[override]  (numpy's attribute, not torch's method)
        """Number of elements, as numpy's ``x.size``.

        >>> from d2lad.mx import np
        >>> np.ones((2, 3)).size
        6
        """
        return int(self._data.size)

    def __array__(self, dtype: Any = None, copy: Any = None) -> _onp.ndarray:
        a = _onp.asarray(self._data)
        return a if dtype is None else a.astype(dtype, copy=False)


def _retyped(name: str) -> Any:
    base = getattr(_EngineTensor, name)

    def method(self: NDArray, other: Any) -> Any:
        return _fresh(base(self, other))

    method.__name__ = name
    return method


def _unrecorded(name: str) -> Any:
    """In-place changes outside ``record()`` are plain updates (an SGD step), as in MXNet."""
    base = getattr(_EngineTensor, name)

    def method(self: NDArray, *args: Any) -> Any:
        if _MX.recording:
            return base(self, *args)
        prev = STATE.enabled
        STATE.enabled = False
        try:
            return base(self, *args)
        finally:
            STATE.enabled = prev

    method.__name__ = name
    return method


for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(NDArray, _name, _retyped(_name))
for _name in ("__setitem__", "__iadd__", "__isub__", "__imul__", "__itruediv__"):
    setattr(NDArray, _name, _unrecorded(_name))


def _fresh(out: Any) -> Any:
    """A result d2lad just made, as an ``NDArray`` (same memory layout: only the class)."""
    if type(out) is _EngineTensor:
        out.__class__ = NDArray
    return out


def _nd(array: Any) -> NDArray:
    t = wrap(_onp.asarray(array))
    t.__class__ = NDArray
    return t


def _as_nd(x: Any) -> Any:
    return x if isinstance(x, _EngineTensor) else array(x)


# ---- backward with MXNet's write semantics ------------------------------------------------------

def _leaves(heads: Sequence[_EngineTensor]) -> list[_EngineTensor]:
    """The leaf tensors (variables) a backward from ``heads`` reaches, each once."""
    leaves: dict[int, _EngineTensor] = {}
    seen: set[Node] = set()
    stack: list[Node] = []
    for h in heads:
        if h.grad_fn is None:
            leaves[id(h)] = h
        elif h.grad_fn not in seen:
            seen.add(h.grad_fn)
            stack.append(h.grad_fn)
    while stack:
        node = stack.pop()
        for p in node.parents:
            if type(p) is Node:
                if p not in seen:
                    seen.add(p)
                    stack.append(p)
            elif p is not None:
                leaves[id(p)] = p
    return list(leaves.values())


def _grad_req(x: _EngineTensor) -> str:
    entry = _GRAD_REQ.get(id(x))
    return entry[1] if entry is not None and entry[0]() is x else "write"


def _backward(heads: list[Any], head_grads: list[Any], retain_graph: builtins.bool) -> None:
    """One backward walk; each reached variable's ``.grad`` is overwritten (or added to)."""
    seeds = []
    for h, g in zip(heads, head_grads):
        if not isinstance(h, _EngineTensor) or not h._requires_grad:
            raise RuntimeError(NOT_RECORDED)
        shape, dtype = _onp.shape(h._data), h._data.dtype
        if g is None:
            seeds.append(_onp.ones(shape, dtype=dtype))
            continue
        value = _onp.asarray(g._data if isinstance(g, _EngineTensor) else g, dtype=dtype)
        if value.shape != shape:
            raise ValueError(f"out_grad has shape {value.shape} but the array has shape "
                             f"{shape}: they must match.")
        seeds.append(value)
    leaves = [t for t in _leaves(heads) if t._requires_grad]
    found = run(heads, seeds, retain_graph, False, leaves, accumulate=False)
    for leaf in leaves:
        _store(leaf, found.get(id(leaf)))


def _store(leaf: _EngineTensor, g: Any) -> None:
    """Write (grad_req 'write') or add (grad_req 'add', plain d2lad tensors) into ``.grad``."""
    req = _grad_req(leaf)
    if req == "null":
        return
    dtype = leaf._data.dtype
    buf = leaf._grad
    if req == "add" or not isinstance(leaf, NDArray):
        if g is None:
            return
        if buf is None:
            value = _onp.array(g, dtype=dtype)
            leaf._grad = _nd(value) if isinstance(leaf, NDArray) else wrap(value)
        else:
            buf._data = _onp.asarray(buf._data + g, dtype=dtype)
        return
    value = _onp.zeros(_onp.shape(leaf._data), dtype) if g is None else _onp.asarray(g, dtype)
    if (buf is not None and buf._data.shape == value.shape and type(buf._data) is _onp.ndarray
            and buf._data.flags.writeable):
        _onp.copyto(buf._data, value, casting="unsafe")  # same buffer, as MXNet's kWriteTo
    else:
        leaf._grad = _nd(_onp.array(value, dtype=dtype))


class _Scope:
    """A ``with`` block setting MXNet's recording and training flags (None: keep as is)."""

    def __init__(self, recording: builtins.bool | None, training: builtins.bool | None):
        self._recording = recording
        self._training = training
        self._prev: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        self._prev = (_MX.recording, _MX.training, STATE.enabled)
        if self._recording is not None:
            _MX.recording = self._recording
            STATE.enabled = self._recording
        if self._training is not None:
            _MX.training = self._training

    def __exit__(self, *exc: object) -> None:
        _MX.recording, _MX.training, STATE.enabled = self._prev


class autograd:  # noqa: N801 (MXNet's module name)
    """``mxnet.autograd``: record, pause, backward and the recording/training flags.

    >>> from d2lad.mx import autograd
    >>> with autograd.record():
    ...     autograd.is_recording()
    True
    """

    @staticmethod
    def record(train_mode: builtins.bool = True) -> _Scope:
        """Record operations on arrays inside this block (for ``backward``).

        >>> from d2lad.mx import autograd
        >>> autograd.is_recording()
        False
        """
        return _Scope(True, train_mode)

    @staticmethod
    def pause(train_mode: builtins.bool = False) -> _Scope:
        """Stop recording inside this block (within ``record()``).

        >>> from d2lad.mx import autograd
        >>> with autograd.record():
        ...     with autograd.pause():
        ...         autograd.is_recording()
        False
        """
        return _Scope(False, train_mode)

    @staticmethod
    def train_mode() -> _Scope:
        """Training mode inside this block (dropout active), recording unchanged.

        >>> from d2lad.mx import autograd
        >>> with autograd.train_mode():
        ...     autograd.is_training()
        True
        """
        return _Scope(None, True)

    @staticmethod
    def predict_mode() -> _Scope:
        """Prediction mode inside this block, recording unchanged.

        >>> from d2lad.mx import autograd
        >>> with autograd.record(), autograd.predict_mode():
        ...     autograd.is_training()
        False
        """
        return _Scope(None, False)

    @staticmethod
    def is_recording() -> builtins.bool:
        """True inside ``autograd.record()`` (and not paused).

        >>> from d2lad.mx import autograd
        >>> autograd.is_recording()
        False
        """
        return _MX.recording

    @staticmethod
    def is_training() -> builtins.bool:
        """True in training mode (``record()`` sets it by default).

        >>> from d2lad.mx import autograd
        >>> autograd.is_training()
        False
        """
        return _MX.training

    @staticmethod
    def set_recording(is_recording: builtins.bool) -> builtins.bool:
        """Turn recording on or off; returns the previous state.

        >>> from d2lad.mx import autograd
        >>> autograd.set_recording(False)
        False
        """
        prev = _MX.recording
        _MX.recording = builtins.bool(is_recording)
        return prev

    @staticmethod
    def set_training(train_mode: builtins.bool) -> builtins.bool:
        """Turn training mode on or off; returns the previous state.

        >>> from d2lad.mx import autograd
        >>> autograd.set_training(False)
        False
        """
        prev = _MX.training
        _MX.training = builtins.bool(train_mode)
        return prev

    @staticmethod
    def backward(heads: Any, head_grads: Any = None, retain_graph: builtins.bool = False,
                 train_mode: builtins.bool = True) -> None:
        """Backward from one or several results at once (their gradients add up).

        >>> from d2lad.mx import autograd, np
        >>> x = np.array([3.0]); x.attach_grad()
        >>> with autograd.record():
        ...     y, z = x * x, 2 * x
        >>> autograd.backward([y, z]); x.grad
        tensor([8.])
        """
        hs = [heads] if isinstance(heads, _EngineTensor) else list(heads)
        if head_grads is None:
            gs: list[Any] = [None] * len(hs)
        else:
            gs = [head_grads] if isinstance(head_grads, _EngineTensor) else list(head_grads)
        _backward(hs, gs, retain_graph)


# ---- making arrays ------------------------------------------------------------------------------

def _np_dtype(dtype: Any) -> _onp.dtype:
    return _onp.dtype(_onp.float32) if dtype is None else dtypes.to_numpy_dtype(dtype)


def _shape(shape: Any) -> tuple[int, ...]:
    if shape is None:
        return ()
    if isinstance(shape, (int, _onp.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def array(object: Any, dtype: Any = None, ctx: Any = None) -> NDArray:
    """A new array holding a copy of ``object``: Python data becomes float32.

    >>> from d2lad.mx import np
    >>> np.array([1, 2])
    tensor([1., 2.])
    """
    if isinstance(object, _EngineTensor):
        a = _onp.array(object._data, copy=True)
    elif isinstance(object, (_onp.ndarray, _onp.generic)):
        a = _onp.array(object)
    else:
        a = _onp.array(object, dtype=_onp.float32)
    return _nd(a if dtype is None else a.astype(dtypes.to_numpy_dtype(dtype)))


def arange(start: float, stop: float | None = None, step: float = 1.0, repeat: int = 1,
           ctx: Any = None, dtype: Any = None) -> NDArray:
    """Evenly spaced values in [start, stop), float32 by default (also for integers).

    >>> from d2lad.mx import nd
    >>> nd.arange(4)
    tensor([0., 1., 2., 3.])
    """
    if stop is None:
        start, stop = 0, start
    values = _onp.arange(start, stop, step, dtype=_onp.float64)
    return _nd(_onp.repeat(values, repeat).astype(_np_dtype(dtype)))


def ones(shape: Any, dtype: Any = None, ctx: Any = None) -> NDArray:
    """An array of ones (float32 by default).

    >>> from d2lad.mx import np
    >>> np.ones((2,))
    tensor([1., 1.])
    """
    return _nd(_onp.ones(_shape(shape), _np_dtype(dtype)))


def zeros(shape: Any, dtype: Any = None, ctx: Any = None) -> NDArray:
    """An array of zeros (float32 by default).

    >>> from d2lad.mx import np
    >>> np.zeros(2)
    tensor([0., 0.])
    """
    return _nd(_onp.zeros(_shape(shape), _np_dtype(dtype)))


def ones_like(a: Any) -> NDArray:
    """Ones with the shape and dtype of ``a``.

    >>> from d2lad.mx import np
    >>> np.ones_like(np.zeros(2))
    tensor([1., 1.])
    """
    return _nd(_onp.ones_like(_onp.asarray(_as_nd(a)._data)))


def zeros_like(a: Any) -> NDArray:
    """Zeros with the shape and dtype of ``a``.

    >>> from d2lad.mx import np
    >>> np.zeros_like(np.ones(2))
    tensor([0., 0.])
    """
    return _nd(_onp.zeros_like(_onp.asarray(_as_nd(a)._data)))


def linspace(start: float, stop: float, num: int = 50, dtype: Any = None) -> NDArray:
    """``num`` evenly spaced values from start to stop, both included.

    >>> from d2lad.mx import np
    >>> np.linspace(0, 1, 3)
    tensor([0.0000, 0.5000, 1.0000])
    """
    return _nd(_onp.linspace(start, stop, num).astype(_np_dtype(dtype)))


def _np_normal(loc: float = 0.0, scale: float = 1.0, size: Any = None, dtype: Any = None,
               ctx: Any = None) -> NDArray:
    """Normal random numbers; without ``size``, a single number (a 0-d array).

    >>> from d2lad.mx import np
    >>> np.random.normal().shape
    torch.Size([])
    """
    return _fresh(creation.normal(loc, scale, size=_shape(size), dtype=_np_dtype(dtype)))


def _np_uniform(low: float = 0.0, high: float = 1.0, size: Any = None, dtype: Any = None,
                ctx: Any = None) -> NDArray:
    """Uniform random numbers in [low, high); without ``size``, a single number.

    >>> from d2lad.mx import np
    >>> np.random.uniform(size=(2, 3)).shape
    torch.Size([2, 3])
    """
    u = creation.rand(size=_shape(size), dtype=dtypes.float64)._data
    return _nd((u * (high - low) + low).astype(_np_dtype(dtype)))


def _nd_normal(loc: float = 0.0, scale: float = 1.0, shape: Any = (1,), dtype: Any = None,
               ctx: Any = None) -> NDArray:
    """Normal random numbers; the default shape is (1,), as in MXNet's ``nd``.

    >>> from d2lad.mx import nd
    >>> nd.random.normal(shape=(2, 2)).shape
    torch.Size([2, 2])
    """
    return _np_normal(loc, scale, shape, dtype)


def _nd_uniform(low: float = 0.0, high: float = 1.0, shape: Any = (1,), dtype: Any = None,
                ctx: Any = None) -> NDArray:
    """Uniform random numbers in [low, high); the default shape is (1,).

    >>> from d2lad.mx import nd
    >>> nd.random.uniform().shape
    torch.Size([1])
    """
    return _np_uniform(low, high, shape, dtype)


# ---- operations ---------------------------------------------------------------------------------

def _contract(a: Any, b: Any, b_axis: int) -> Any:
    """Sum over the last axis of ``a`` and axis ``b_axis`` of ``b`` (both at least 1-D)."""
    sa, sb = a._data.shape, b._data.shape
    k = sa[-1]
    if sb[b_axis] != k:
        raise ValueError(f"shapes {sa} and {sb} not aligned: {k} (dim {len(sa) - 1}) != "
                         f"{sb[b_axis]} (dim {b_axis % len(sb)})")
    order = [b_axis % len(sb)] + [i for i in builtins.range(len(sb)) if i != b_axis % len(sb)]
    left = F.reshape(a, (-1, k))
    right = F.reshape(F.permute(b, tuple(order)), (k, -1))
    rest = tuple(sb[i] for i in order[1:])
    return F.reshape(F.mm(left, right), sa[:-1] + rest)


def dot(a: Any, b: Any, out: Any = None) -> NDArray:
    """numpy's dot: inner product of vectors, matrix product, and for N-d arrays the sum over
    the last axis of ``a`` and the second-to-last of ``b``.

    >>> from d2lad.mx import np
    >>> x = np.arange(4.0)
    >>> np.dot(x, x)
    tensor(14.)
    """
    x, y = _as_nd(a), _as_nd(b)
    if x.ndim == 0 or y.ndim == 0:
        return _fresh(x * y)
    if x.ndim <= 2 and y.ndim <= 2:
        return _fresh(F.matmul(x, y))
    return _fresh(_contract(x, y, -2 if y.ndim > 1 else 0))


def _nd_dot(lhs: Any, rhs: Any, transpose_a: builtins.bool = False,
            transpose_b: builtins.bool = False) -> NDArray:
    """MXNet's legacy dot: sum over the last axis of ``lhs`` and the first of ``rhs``
    (``transpose_a``/``transpose_b`` reverse the axes first).

    >>> from d2lad.mx import nd
    >>> x = nd.arange(4).reshape((4, 1))
    >>> nd.dot(x.T, x)
    tensor([[14.]])
    """
    x, y = _as_nd(lhs), _as_nd(rhs)
    if transpose_a:
        x = x.T
    if transpose_b:
        y = y.T
    if x.ndim == 0 or y.ndim == 0:
        return _fresh(x * y)
    return _fresh(_contract(x, y, 0))


def _norm(x: Any, ord: Any = None, axis: Any = None, keepdims: builtins.bool = False) -> NDArray:
    """Vector norm: Euclidean by default (``ord=1``, ``ord=np.inf`` too).

    >>> from d2lad.mx import np
    >>> np.linalg.norm(np.array([3.0, 4.0]))
    tensor(5.)
    """
    t = _as_nd(x)
    p = 2 if ord in (None, 2, "fro") else ord
    return _fresh(F.norm(t, p=p, dim=axis, keepdim=keepdims))


def _nd_norm(data: Any, ord: int = 2, axis: Any = None,
             keepdims: builtins.bool = False) -> NDArray:
    """Norm of an array (``ord=2``: Euclidean, ``ord=1``: sum of absolute values).

    >>> from d2lad.mx import nd
    >>> nd.norm(nd.array([3.0, 4.0]))
    tensor(5.)
    """
    return _norm(data, ord, axis, keepdims)


def sum(a: Any, axis: Any = None, keepdims: builtins.bool = False) -> NDArray:  # noqa: A001
    """Sum of all elements, or along ``axis``.

    >>> from d2lad.mx import np
    >>> np.sum(np.ones((2, 3)), axis=0)
    tensor([2., 2., 2.])
    """
    t = _as_nd(a)
    return _fresh(F.sum(t, dim=axis, keepdim=keepdims))


def mean(a: Any, axis: Any = None, keepdims: builtins.bool = False) -> NDArray:
    """Mean of all elements, or along ``axis``.

    >>> from d2lad.mx import np
    >>> np.mean(np.arange(4))
    tensor(1.5000)
    """
    t = _as_nd(a)
    return _fresh(F.mean(t, dim=axis, keepdim=keepdims))


def maximum(x1: Any, x2: Any) -> NDArray:
    """The larger of two arrays (or an array and a number), elementwise.

    >>> from d2lad.mx import np
    >>> np.maximum(np.array([1.0, 5.0]), 2.0)
    tensor([2., 5.])
    """
    return _fresh(F.maximum(_as_nd(x1), _as_nd(x2)))


def minimum(x1: Any, x2: Any) -> NDArray:
    """The smaller of two arrays (or an array and a number), elementwise.

    >>> from d2lad.mx import np
    >>> np.minimum(np.array([1.0, 5.0]), 2.0)
    tensor([1., 2.])
    """
    return _fresh(F.minimum(_as_nd(x1), _as_nd(x2)))


def matmul(a: Any, b: Any) -> NDArray:
    """Matrix product (batched over leading dimensions).

    >>> from d2lad.mx import np
    >>> np.matmul(np.ones((2, 3)), np.ones((3, 1))).shape
    torch.Size([2, 1])
    """
    return _fresh(F.matmul(_as_nd(a), _as_nd(b)))


def _elementwise(op: Callable[[Any], Any], name: str, doc: str, arg: str, shown: str,
                 namespace: str = "np") -> Callable[[Any], NDArray]:
    """One elementwise function, with its docstring and its example."""
    def function(x: Any) -> NDArray:
        return _fresh(op(_as_nd(x)))

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (f"{doc}, elementwise.\n\n    >>> from d2lad.mx import np, npx\n"
                        f"    >>> {namespace}.{name}(np.array({arg}))\n    {shown}\n    ")
    return function


exp = _elementwise(F.exp, "exp", "e to the power x", "0.0", "tensor(1.)")
log = _elementwise(F.log, "log", "Natural logarithm", "1.0", "tensor(0.)")
sin = _elementwise(F.sin, "sin", "Sine", "0.0", "tensor(0.)")
cos = _elementwise(F.cos, "cos", "Cosine", "0.0", "tensor(1.)")
tanh = _elementwise(F.tanh, "tanh", "Hyperbolic tangent", "0.0", "tensor(0.)")
sqrt = _elementwise(F.sqrt, "sqrt", "Square root", "4.0", "tensor(2.)")
abs = _elementwise(F.abs, "abs", "Absolute value", "-2.0", "tensor(2.)")  # noqa: A001
relu = _elementwise(F.relu, "relu", "max(x, 0)", "-2.0", "tensor(0.)", "npx")
sigmoid = _elementwise(F.sigmoid, "sigmoid", "1 / (1 + exp(-x))", "0.0", "tensor(0.5000)",
                       "npx")


class np:  # noqa: N801 (MXNet's module name)
    """``mxnet.np``: numpy's names for MXNet arrays (the spelling of d2l 1.x).

    >>> from d2lad.mx import np
    >>> np.arange(4.0) * 2
    tensor([0., 2., 4., 6.])
    """

    ndarray = NDArray
    float16, float32, float64 = _onp.float16, _onp.float32, _onp.float64
    int32, int64, bool_ = _onp.int32, _onp.int64, _onp.bool_
    pi, e, inf = _onp.pi, _onp.e, _onp.inf
    array, arange, ones, zeros = (staticmethod(f) for f in (array, arange, ones, zeros))
    ones_like, zeros_like, linspace = (staticmethod(f) for f in (ones_like, zeros_like, linspace))
    dot, matmul, sum, mean = (staticmethod(f) for f in (dot, matmul, sum, mean))
    maximum, minimum = staticmethod(maximum), staticmethod(minimum)
    exp, log, sin, cos = (staticmethod(f) for f in (exp, log, sin, cos))
    tanh, sqrt, abs = (staticmethod(f) for f in (tanh, sqrt, abs))

    class linalg:  # noqa: N801
        """``np.linalg``: only ``norm``.

        >>> from d2lad.mx import np
        >>> np.linalg.norm(np.ones(4))
        tensor(2.)
        """

        norm = staticmethod(_norm)

    class random:  # noqa: N801
        """``np.random``: ``normal`` and ``uniform`` from d2lad's generator (seed it with
        ``d2lad.manual_seed``).

        >>> from d2lad.mx import np
        >>> np.random.normal(size=(3,)).shape
        torch.Size([3])
        """

        normal = staticmethod(_np_normal)
        uniform = staticmethod(_np_uniform)


class nd:  # noqa: N801 (MXNet's module name)
    """``mxnet.nd``: the legacy NDArray API of d2l 0.x (``nd.arange(4).reshape((4, 1))``).

    >>> from d2lad.mx import nd
    >>> nd.ones((2, 1)).shape
    torch.Size([2, 1])
    """

    NDArray = NDArray
    array, arange, ones, zeros = (staticmethod(f) for f in (array, arange, ones, zeros))
    ones_like, zeros_like = staticmethod(ones_like), staticmethod(zeros_like)
    dot, norm = staticmethod(_nd_dot), staticmethod(_nd_norm)
    sum, mean, maximum, minimum = (staticmethod(f) for f in (sum, mean, maximum, minimum))
    exp, log, sin, cos = (staticmethod(f) for f in (exp, log, sin, cos))
    tanh, sqrt, abs, relu, sigmoid = (staticmethod(f) for f in (tanh, sqrt, abs, relu, sigmoid))

    class random:  # noqa: N801
        """``nd.random``: ``normal`` and ``uniform`` (default shape (1,)).

        >>> from d2lad.mx import nd
        >>> nd.random.normal(0, 1, shape=(2,)).shape
        torch.Size([2])
        """

        normal = staticmethod(_nd_normal)
        uniform = staticmethod(_nd_uniform)


class npx:  # noqa: N801 (MXNet's module name)
    """``mxnet.npx``: operators beyond numpy, and ``set_np`` (a no-op here).

    >>> from d2lad.mx import np, npx
    >>> npx.relu(np.array([-1.0, 2.0]))
    tensor([0., 2.])
    """

    relu, sigmoid = staticmethod(relu), staticmethod(sigmoid)

    @staticmethod
    def set_np(shape: builtins.bool = True, array: builtins.bool = True,
               dtype: builtins.bool = False) -> None:
        """Switch MXNet to numpy semantics: d2lad always has them, so this does nothing.

        >>> from d2lad.mx import npx
        >>> npx.set_np()
        """

    @staticmethod
    def reset_np() -> None:
        """Leave numpy semantics: nothing to do here either.

        >>> from d2lad.mx import npx
        >>> npx.reset_np()
        """


def __getattr__(name: str) -> Any:
    """``sym`` is ``d2lad.sym``, imported on first use (``from d2lad.mx import sym``)."""
    if name == "sym":
        try:
            return importlib.import_module("d2lad.sym")
        except ModuleNotFoundError as err:
            if err.name != "d2lad.sym":
                raise
            raise ImportError("d2lad.mx.sym is d2lad.sym (symbolic expressions), which this "
                              "installation of d2lad does not have yet.") from None
    raise AttributeError(f"module 'd2lad.mx' has no attribute {name!r}")
