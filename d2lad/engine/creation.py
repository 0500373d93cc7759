"""Making tensors: from data (``tensor``), ranges, constants, and random numbers.

Floats default to float32 and integers to int64, as in PyTorch; numpy arrays keep their dtype.

>>> import d2lad
>>> d2lad.arange(4.0)
tensor([0., 1., 2., 3.])
>>> d2lad.tensor([1, 2]).dtype
torch.int64
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad.engine import dtypes
from d2lad.engine.tensor import Tensor, wrap

DEFAULT_SEED = 67280421310721  # PyTorch's default CPU seed
_generator = np.random.default_rng(DEFAULT_SEED)


def _finish(array: np.ndarray, requires_grad: bool) -> Tensor:
    t = wrap(array)
    if requires_grad:
        if array.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients: "
                f"this one would be {dtypes.from_numpy_dtype(array.dtype)}. Use floats "
                "(e.g. 4.0 instead of 4) or pass dtype=d2lad.float32.")
        t._requires_grad = True
    return t


def _infer(data: Any) -> np.ndarray:
    """numpy's reading of ``data``, with Python floats as float32 (PyTorch's default)."""
    if isinstance(data, Tensor):
        return np.array(data._data)
    if isinstance(data, np.ndarray):
        return np.array(data)
    if isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) for d in _flat(data)):
        data = [d._data if isinstance(d, Tensor) else d for d in data]
    array = np.array(data)
    if array.dtype == np.float64 and not isinstance(data, np.floating):
        array = array.astype(dtypes.DEFAULT_FLOAT)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"can't make a tensor from {type(data).__name__} data of numpy dtype "
                        f"{array.dtype}: use numbers, nested lists of numbers, or numpy arrays")
    return array


def _flat(data: Any) -> list:
    out = []
    stack = [data]
    while stack:
        d = stack.pop()
        if isinstance(d, (list, tuple)):
            stack.extend(d)
        else:
            out.append(d)
    return out


def _dtype(array: np.ndarray, dtype: Any) -> np.ndarray:
    return array if dtype is None else array.astype(dtypes.to_numpy_dtype(dtype), copy=False)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, **_: Any) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, or a numpy array).

    >>> tensor(1.4540, requires_grad=True)
    tensor(1.4540, requires_grad=True)
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.clone().detach() or sourceTensor.clone().detach()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    if dtype is not None and not isinstance(data, Tensor):
        return _finish(np.array(data, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)
    return _finish(_dtype(_infer(data), dtype), requires_grad)


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """Like ``tensor``, but shares memory with a numpy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        return wrap(_dtype(data, dtype))
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with a numpy array (same dtype)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy_dtype(array.dtype)
    return wrap(array)


def _shape(size: Sequence[Any], keyword: Any) -> tuple[int, ...]:
    if keyword is not None:
        if size:
            raise TypeError("give the shape either as positional sizes or as size=, not both")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _float(dtype: Any) -> np.dtype:
    return dtypes.DEFAULT_FLOAT if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _finish(np.zeros(_shape(size, kw.get("size")), _float(dtype)), requires_grad)


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``.

    >>> ones(2)
    tensor([1., 1.])
    """
    return _finish(np.ones(_shape(size, kw.get("size")), _float(dtype)), requires_grad)


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """A tensor of the given shape (d2lad fills it with zeros)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad, **kw)


def full(size: Sequence[int], fill_value: Any, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value)."""
    if dtype is None:
        dtype = _infer(fill_value).dtype
    return _finish(np.full(tuple(size), fill_value, dtypes.to_numpy_dtype(dtype)), requires_grad)


def _like(x: Tensor, dtype: Any) -> np.dtype:
    return x._data.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape (and dtype) of ``input``."""
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape (and dtype) of ``input``."""
    return _finish(np.ones(input._data.shape, _like(input, dtype)), requires_grad)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype) of ``input``."""
    return _finish(np.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad)


def arange(start: float, end: float | None = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in [start, end): integers give int64, floats give float32.

    >>> arange(4)
    tensor([0, 1, 2, 3])
    """
    if end is None:
        start, end = 0, start
    is_float = any(isinstance(v, (float, np.floating)) for v in (start, end, step))
    if dtype is None:
        dtype = dtypes.DEFAULT_FLOAT if is_float else np.int64
    return _finish(np.arange(start, end, step, dtype=np.float64 if is_float else np.int64)
                   .astype(dtypes.to_numpy_dtype(dtype)), requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from start to end, both included."""
    return _finish(np.linspace(start, end, steps).astype(_float(dtype)), requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return _finish(np.eye(n, m, dtype=_float(dtype)), requires_grad)


# ---- random numbers -----------------------------------------------------------------------------

def manual_seed(seed: int) -> np.random.Generator:
    """Seed d2lad's random numbers (``rand``, ``randn``, ``normal``, ...) for reproducible runs.

    >>> _ = manual_seed(0); a = rand(2); _ = manual_seed(0); bool((a == rand(2)).all())
    True
    """
    global _generator
    _generator = np.random.default_rng(int(seed))
    return _generator


seed = manual_seed


def rand(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """Uniform random numbers in [0, 1)."""
    shape = _shape(size, kw.get("size"))
    return _finish(_generator.random(shape).astype(_float(dtype)), requires_grad)


def randn(*size: Any, dtype: Any = None, requires_grad: bool = False, **kw: Any) -> Tensor:
    """Standard normal random numbers: ``randn(2, 3)``, or ``randn(size=())`` for one number."""
    shape = _shape(size, kw.get("size"))
    return _finish(_generator.standard_normal(shape).astype(_float(dtype)), requires_grad)


def rand_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform random numbers with the shape of ``input``."""
    return rand(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal random numbers with the shape of ``input``."""
    return randn(*input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def normal(mean: Any = 0.0, std: Any = 1.0, size: Sequence[int] | None = None, *,
           dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal random numbers with the given mean and standard deviation."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    shape = tuple(size) if size is not None else np.broadcast_shapes(np.shape(m), np.shape(s))
    return _finish(_generator.normal(m, s, shape).astype(_float(dtype)), requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), *,
            dtype: Any = None) -> Tensor:
    """Random integers in [low, high) (int64)."""
    if high is None:
        low, high = 0, low
    return wrap(_generator.integers(low, high, tuple(size)).astype(
        np.int64 if dtype is None else dtypes.to_numpy_dtype(dtype)))


def randperm(n: int) -> Tensor:
    """A random permutation of 0..n-1 (int64)."""
    return wrap(_generator.permutation(n).astype(np.int64))
