"""Data types and shapes with PyTorch's names: ``d2lad.float32`` prints as ``torch.float32``.

A tensor stores a numpy array; its ``dtype`` is one of the :class:`dtype` objects below, each a
thin label around a numpy dtype. ``Size`` is the tuple that ``Tensor.shape`` returns.

>>> float64
torch.float64
>>> Size([2, 3])
torch.Size([2, 3])
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class dtype:  # PyTorch's name
    """A tensor element type, e.g. ``d2lad.float32``; wraps the numpy dtype it stands for.

    >>> float32.is_floating_point, float32.itemsize
    (True, 4)
    """

    __slots__ = ("name", "numpy", "is_floating_point")

    def __init__(self, name: str, numpy_dtype: Any):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self.numpy.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)  # PyTorch's name

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
FROM_NUMPY = {d.numpy: d for d in ALL}
DEFAULT_FLOAT = np.dtype(np.float32)


def to_numpy_dtype(d: Any) -> np.dtype:
    """The numpy dtype for ``d`` (a d2lad dtype, a numpy dtype, or a name like ``"float64"``).

    >>> to_numpy_dtype(float64)
    dtype('float64')
    """
    if isinstance(d, dtype):
        return d.numpy
    if d is builtins.float:
        return DEFAULT_FLOAT
    try:
        return np.dtype(d)
    except TypeError:
        raise TypeError(f"dtype must be a d2lad dtype such as d2lad.float64, got {d!r}") from None


def from_numpy_dtype(d: np.dtype) -> dtype:
    """The d2lad dtype for a numpy dtype; unsupported ones raise TypeError naming the choices."""
    try:
        return FROM_NUMPY[d]
    except KeyError:
        names = ", ".join(x.name for x in ALL)
        raise TypeError(f"numpy dtype {d} is not supported by d2lad; use one of {names}") from None



class Size(tuple):
    """The shape of a tensor, a tuple that prints as PyTorch's ``torch.Size([2, 3])``.

    >>> Size((2, 3)) == (2, 3)
    True
    """

    __slots__ = ()

    def numel(self) -> int:
        """Number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"
