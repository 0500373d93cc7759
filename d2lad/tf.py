"""TensorFlow's names on d2lad's engine: ``import d2lad.tf as tf`` runs the d2l TF autograd code.

A facade, not a second engine: ``tf.Tensor`` and ``tf.Variable`` are d2lad tensors, every
operation is a d2lad primitive, and ``tf.GradientTape`` asks d2lad's backward walk.

>>> import d2lad.tf as tf
>>> x = tf.Variable(tf.range(4, dtype=tf.float32))
>>> with tf.GradientTape() as t:
...     y = 2 * tf.tensordot(x, x, axes=1)
>>> x_grad = t.gradient(y, x)
>>> x_grad
tensor([ 0.,  4.,  8., 12.])
>>> x_grad == 4 * x
tensor([True, True, True, True])

What follows TensorFlow: operations on ``tf`` tensors are recorded only while a tape records
(inside ``with tf.GradientTape()``); a ``tf.Variable`` (float, trainable) is watched by every
tape, a constant only after ``tape.watch``; tensors are immutable (``x += 1`` makes a new
tensor, ``x[0] = 1`` raises) and ``.numpy()`` always works. Python floats become float32 and
Python ints int32, as in TF.

Accepted differences:

- Printing stays d2lad's (PyTorch's): ``tensor([0., 4.])``, ``torch.float32``, ``torch.Size``,
  and results computed on a tape show their ``grad_fn``.
- ``Variable.assign`` changes the values in place: a gradient asked for *after* assigning to a
  variable that the recorded computation used raises d2lad's in-place error (TF would use the
  old value). Ask for gradients first, then update, as training loops do.
- Mixed dtypes follow numpy/PyTorch promotion where TF raises (``tf.range(3) * 2.5`` works).
- A gradient asked for while another tape records is differentiable by it (higher order),
  but an operation recorded while only an outer tape was open is seen by inner tapes too.
- ``tf.random`` uses d2lad's generator (``tf.random.set_seed`` = ``d2lad.manual_seed``);
  per-operation ``seed=`` arguments are ignored.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from d2lad import tape as _tape
from d2lad.engine import creation, dtypes
from d2lad.engine import functions as F
from d2lad.engine.primitive import apply_plain
from d2lad.engine.tensor import Tensor as _EngineTensor
from d2lad.engine.tensor import wrap

__all__ = [
    "GradientTape", "Tensor", "Variable", "abs", "add", "bool", "cast", "concat", "constant",
    "convert_to_tensor", "cos", "divide", "exp", "float16", "float32", "float64", "int32",
    "int64", "log", "matmul", "maximum", "minimum", "multiply", "norm", "ones", "ones_like",
    "random", "range", "reduce_max", "reduce_mean", "reduce_min", "reduce_sum", "reshape",
    "sigmoid", "sin", "sqrt", "square", "stack", "stop_gradient", "subtract", "tanh",
    "tensordot", "transpose", "zeros", "zeros_like",
]

float16, float32, float64 = dtypes.float16, dtypes.float32, dtypes.float64
int32, int64, bool = dtypes.int32, dtypes.int64, dtypes.bool  # noqa: A001 (TF's names)


class Tensor(_EngineTensor):
    """TensorFlow's tensor: a d2lad tensor whose operations only a recording tape records.

    >>> import d2lad.tf as tf
    >>> x = tf.constant([1.0, 2.0])
    >>> (x * x).numpy()
    array([1., 4.], dtype=float32)
    """

    __slots__ = ()
    dispatch_priority = 1  # over plain d2lad tensors (below symbolic/forward-mode ones)
    __hash__ = _EngineTensor.__hash__

    @classmethod
    def apply_primitive(cls, prim: Any, args: tuple, params: dict) -> _EngineTensor:
        """Run an operation as d2lad does, recording it only while a GradientTape records.

        >>> import d2lad.tf as tf
        >>> x = tf.Variable(2.0)
        >>> (x * x).requires_grad
        False
        """
        return _fresh(apply_plain(prim, args, params, record=_tape.is_recording()))

    def numpy(self) -> Any:
        """The values as a new numpy array (a numpy scalar for a 0-d tensor).

        >>> import d2lad.tf as tf
        >>> print(tf.constant(3.0).numpy())
        3.0
        """
        a = np.array(self._data, copy=True)
        return a[()] if a.ndim == 0 else a

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = np.asarray(self._data)
        return a if dtype is None else a.astype(dtype, copy=False)

    def detach(self) -> Tensor:
        """The same values without history (what ``tf.stop_gradient`` returns).

        >>> import d2lad.tf as tf
        >>> tf.Variable(2.0).detach()
        tensor(2.)
        """
        return _fresh(_EngineTensor.detach(self))

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(f"'{type(self).__name__}' object does not support item assignment: "
                        "TF tensors are immutable. Build a new tensor (e.g. with tf.concat), "
                        "or keep the values in a tf.Variable and use assign.")

    def __iadd__(self, other: Any) -> Tensor:  # TF: x += 1 makes a new tensor
        return self + other

    def __isub__(self, other: Any) -> Tensor:
        return self - other

    def __imul__(self, other: Any) -> Tensor:
        return self * other

    def __itruediv__(self, other: Any) -> Tensor:
        return self / other


def _retyped(name: str) -> Any:
    base = getattr(_EngineTensor, name)

    def method(self: Tensor, other: Any) -> Any:
        return _fresh(base(self, other))

    method.__name__ = name
    return method


for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(Tensor, _name, _retyped(_name))


def _fresh(out: Any) -> Any:
    """A result d2lad just made, as a ``tf.Tensor`` (same memory layout: only the class)."""
    if type(out) is _EngineTensor:
        out.__class__ = Tensor
    return out


def _result(out: Any, *inputs: Any) -> Any:
    """``_fresh`` for results of d2lad functions, which may return an input unchanged."""
    return out if builtins.any(out is x for x in inputs) else _fresh(out)


class Variable(Tensor):
    """A trainable tensor with its own storage, changed with ``assign`` (TF's ``tf.Variable``).

    A float Variable requires grad, so every tape watches it.

    >>> import d2lad.tf as tf
    >>> v = tf.Variable([1.0, 2.0])
    >>> v.assign_add([1.0, 1.0]).numpy()
    array([2., 3.], dtype=float32)
    """

    __slots__ = ("_name", "_trainable")

    def __init__(self, initial_value: Any, trainable: builtins.bool = True,
                 name: str | None = None, dtype: Any = None):
        value = convert_to_tensor(initial_value, dtype)
        self._data = np.array(value._data, copy=True)
        self._grad = None
        self.grad_fn = None
        self._vc = None
        self._name = name or "Variable"
        self._trainable = builtins.bool(trainable)
        self._requires_grad = self._trainable and self._data.dtype.kind == "f"

    @property
    def name(self) -> str:
        """The variable's name (``"Variable:0"`` unless given).

        >>> import d2lad.tf as tf
        >>> tf.Variable(1.0, name="w").name
        'w:0'
        """
        return f"{self._name}:0"

    @property
    def trainable(self) -> builtins.bool:
        """Whether tapes watch this variable automatically.

        >>> import d2lad.tf as tf
        >>> tf.Variable(1.0, trainable=False).trainable
        False
        """
        return self._trainable

    def assign(self, value: Any) -> Variable:
        """Store new values (same shape) in place; not recorded by tapes.

        >>> import d2lad.tf as tf
        >>> tf.Variable([1.0, 2.0]).assign([5.0, 6.0]).numpy()
        array([5., 6.], dtype=float32)
        """
        new = np.asarray(convert_to_tensor(value)._data)
        if new.shape != self._data.shape:
            raise ValueError(f"Cannot assign value to variable ' {self.name}': Shape mismatch. "
                             f"The variable shape {self._data.shape}, and the assigned value "
                             f"shape {new.shape} are incompatible.")
        self._write(new)
        return self

    def assign_add(self, delta: Any) -> Variable:
        """``self.assign(self + delta)``.

        >>> import d2lad.tf as tf
        >>> print(tf.Variable(1.0).assign_add(2.0).numpy())
        3.0
        """
        return self.assign(self._data + np.asarray(convert_to_tensor(delta)._data))

    def assign_sub(self, delta: Any) -> Variable:
        """``self.assign(self - delta)``: the step of gradient descent.

        >>> import d2lad.tf as tf
        >>> print(tf.Variable(1.0).assign_sub(0.25).numpy())
        0.75
        """
        return self.assign(self._data - np.asarray(convert_to_tensor(delta)._data))

    def read_value(self) -> Tensor:
        """The current values as a new constant tensor.

        >>> import d2lad.tf as tf
        >>> tf.Variable(2.0).read_value()
        tensor(2.)
        """
        return _new(np.array(self._data, copy=True))

    value = read_value


class GradientTape(_tape.GradientTape):
    """``d2lad.GradientTape`` returning ``tf.Tensor`` gradients; see ``d2lad.tape``.

    >>> import d2lad.tf as tf
    >>> x = tf.constant(3.0)
    >>> with tf.GradientTape() as t:
    ...     t.watch(x)
    ...     y = x * x
    >>> t.gradient(y, x)
    tensor(6.)
    """

    result_type = Tensor


def stop_gradient(input: Any) -> Tensor:
    """The same values, treated as a constant by every tape.

    >>> import d2lad.tf as tf
    >>> x = tf.Variable(2.0)
    >>> with tf.GradientTape() as t:
    ...     y = tf.stop_gradient(x * x) * x
    >>> t.gradient(y, x)
    tensor(4.)
    """
    return convert_to_tensor(input).detach()


# ---- making tensors -----------------------------------------------------------------------------

def _new(array: Any) -> Tensor:
    t = wrap(np.asarray(array))
    t.__class__ = Tensor
    return t


def _np_dtype(dtype: Any) -> np.dtype:
    return dtypes.to_numpy_dtype(dtype)


def convert_to_tensor(value: Any, dtype: Any = None) -> Any:
    """``value`` as a tensor: tensors as they are, other data copied (float32/int32 default).

    >>> import d2lad.tf as tf
    >>> tf.convert_to_tensor([1, 2]).dtype
    torch.int32
    """
    if isinstance(value, _EngineTensor):
        return value if dtype is None else cast(value, dtype)
    from_numpy = isinstance(value, (np.ndarray, np.generic))
    array = np.array(value)
    if not from_numpy:
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        elif array.dtype == np.int64:
            array = array.astype(np.int32)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"can't convert {type(value).__name__} to a tensor: use numbers, "
                        "nested lists of numbers, numpy arrays or tensors")
    if dtype is not None:
        array = array.astype(_np_dtype(dtype))
    return _new(array)


def constant(value: Any, dtype: Any = None, shape: Sequence[int] | None = None,
             name: str | None = None) -> Tensor:
    """A constant tensor (a copy of ``value``); with ``shape``, a filled or reshaped one.

    >>> import d2lad.tf as tf
    >>> tf.constant(0.0, shape=(2,))
    tensor([0., 0.])
    """
    t = convert_to_tensor(np.array(value._data) if isinstance(value, _EngineTensor) else value,
                          dtype)
    if shape is not None:
        shape = tuple(int(s) for s in shape)
        a = t._data
        t = _new(np.full(shape, a.reshape(-1)[0], a.dtype) if a.size == 1 else a.reshape(shape))
    return t


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None) -> Tensor:  # noqa: A001
    """Numbers from ``start`` up to (not including) ``limit``: int32, or float32 if any is float.

    >>> import d2lad.tf as tf
    >>> tf.range(4, dtype=tf.float32)
    tensor([0., 1., 2., 3.])
    """
    if limit is None:
        start, limit = 0, start
    if dtype is None:
        is_float = builtins.any(isinstance(v, (float, np.floating)) for v in (start, limit, delta))
        dtype = np.float32 if is_float else np.int32
    return _new(np.arange(start, limit, delta).astype(_np_dtype(dtype)))


def _shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, _EngineTensor):
        shape = shape.tolist()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def ones(shape: Any, dtype: Any = float32) -> Tensor:
    """A tensor of ones.

    >>> import d2lad.tf as tf
    >>> tf.ones((2,))
    tensor([1., 1.])
    """
    return _new(np.ones(_shape(shape), _np_dtype(dtype)))


def zeros(shape: Any, dtype: Any = float32) -> Tensor:
    """A tensor of zeros.

    >>> import d2lad.tf as tf
    >>> tf.zeros(2)
    tensor([0., 0.])
    """
    return _new(np.zeros(_shape(shape), _np_dtype(dtype)))


def ones_like(input: Any, dtype: Any = None) -> Tensor:
    """Ones with the shape (and dtype) of ``input``.

    >>> import d2lad.tf as tf
    >>> tf.ones_like(tf.constant([5, 6]))
    tensor([1, 1], dtype=torch.int32)
    """
    x = convert_to_tensor(input)
    return _new(np.ones(x._data.shape, x._data.dtype if dtype is None else _np_dtype(dtype)))


def zeros_like(input: Any, dtype: Any = None) -> Tensor:
    """Zeros with the shape (and dtype) of ``input``.

    >>> import d2lad.tf as tf
    >>> tf.zeros_like(tf.constant([5.0]))
    tensor([0.])
    """
    x = convert_to_tensor(input)
    return _new(np.zeros(x._data.shape, x._data.dtype if dtype is None else _np_dtype(dtype)))


class random:  # noqa: N801 (TF's module name)
    """``tf.random``: random tensors from d2lad's generator.

    >>> import d2lad.tf as tf
    >>> tf.random.normal(shape=(2, 3)).shape
    torch.Size([2, 3])
    """

    @staticmethod
    def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = float32,
               seed: int | None = None) -> Tensor:
        """Normal random numbers; ``shape=()`` gives a single number.

        >>> import d2lad.tf as tf
        >>> tf.random.normal(shape=()).shape
        torch.Size([])
        """
        return _fresh(creation.normal(mean, stddev, size=_shape(shape), dtype=dtype))

    @staticmethod
    def uniform(shape: Any, minval: float = 0.0, maxval: float | None = None,
                dtype: Any = float32, seed: int | None = None) -> Tensor:
        """Uniform random numbers in [minval, maxval) (maxval 1 by default).

        >>> import d2lad.tf as tf
        >>> (tf.reduce_max(tf.random.uniform((5,), maxval=2.0)) < 2.0).item()
        True
        """
        high = 1.0 if maxval is None else maxval
        u = creation.rand(size=_shape(shape), dtype=float64)._data
        return _new((u * (high - minval) + minval).astype(_np_dtype(dtype)))

    @staticmethod
    def set_seed(seed: int) -> None:
        """Seed the random numbers (``d2lad.manual_seed``), for reproducible runs.

        >>> import d2lad.tf as tf
        >>> tf.random.set_seed(0); a = tf.random.normal((2,))
        >>> tf.random.set_seed(0); (a == tf.random.normal((2,))).numpy().all().item()
        True
        """
        creation.manual_seed(seed)


# ---- operations ---------------------------------------------------------------------------------

def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (to an integer type: no gradient).

    >>> import d2lad.tf as tf
    >>> tf.cast(tf.constant([1.7, -1.7]), tf.int32)
    tensor([ 1, -1], dtype=torch.int32)
    """
    x = convert_to_tensor(x)
    return _result(F.to(x, dtype=_np_dtype(dtype)), x)


def reshape(tensor: Any, shape: Any) -> Tensor:
    """The same elements in a new shape; one size may be -1.

    >>> import d2lad.tf as tf
    >>> tf.reshape(tf.range(6), (2, 3)).shape
    torch.Size([2, 3])
    """
    x = convert_to_tensor(tensor)
    return _result(F.reshape(x, _shape(shape)), x)


def transpose(a: Any, perm: Sequence[int] | None = None) -> Tensor:
    """Dimensions reordered by ``perm`` (reversed by default).

    >>> import d2lad.tf as tf
    >>> tf.transpose(tf.ones((2, 3))).shape
    torch.Size([3, 2])
    """
    x = convert_to_tensor(a)
    if perm is None:
        perm = tuple(builtins.range(x.ndim))[::-1]
    return _result(F.permute(x, tuple(perm)), x)


def concat(values: Sequence[Any], axis: int) -> Tensor:
    """Tensors joined along an existing axis.

    >>> import d2lad.tf as tf
    >>> tf.concat([tf.ones(2), tf.zeros(1)], axis=0)
    tensor([1., 1., 0.])
    """
    return _fresh(F.cat([convert_to_tensor(v) for v in values], dim=axis))


def stack(values: Sequence[Any], axis: int = 0) -> Tensor:
    """Tensors of one shape joined along a new axis.

    >>> import d2lad.tf as tf
    >>> tf.stack([tf.ones(2), tf.zeros(2)]).shape
    torch.Size([2, 2])
    """
    return _fresh(F.stack([convert_to_tensor(v) for v in values], dim=axis))


def _elementwise(name: str, op: Any, what: str, example: str, result: str) -> Any:
    """A TF-style elementwise function ``tf.<name>(x)`` or ``tf.<name>(x, y)`` running d2lad's
    ``op`` on its arguments made tensors; ``example`` and ``result`` make its doctest."""

    def fn(x: Any, *other: Any) -> Tensor:
        x = convert_to_tensor(x)
        return _result(op(x, *(convert_to_tensor(y) for y in other)), x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{what}, elementwise.\n\n    >>> import d2lad.tf as tf\n"
                  f"    >>> tf.{name}({example})\n    {result}\n    ")
    return fn


exp = _elementwise("exp", F.exp, "e to the power x", "0.0", "tensor(1.)")
log = _elementwise("log", F.log, "Natural logarithm", "1.0", "tensor(0.)")
sin = _elementwise("sin", F.sin, "Sine", "0.0", "tensor(0.)")
cos = _elementwise("cos", F.cos, "Cosine", "0.0", "tensor(1.)")
tanh = _elementwise("tanh", F.tanh, "Hyperbolic tangent", "0.0", "tensor(0.)")
sigmoid = _elementwise("sigmoid", F.sigmoid, "1 / (1 + exp(-x))", "0.0", "tensor(0.5000)")
sqrt = _elementwise("sqrt", F.sqrt, "Square root", "4.0", "tensor(2.)")
square = _elementwise("square", F.square, "x * x", "3.0", "tensor(9.)")
abs = _elementwise("abs", F.abs, "Absolute value", "-2.0", "tensor(2.)")  # noqa: A001
add = _elementwise("add", F.add, "x + y (broadcasting)", "1.0, 2.0", "tensor(3.)")
subtract = _elementwise("subtract", F.sub, "x - y (broadcasting)", "1.0, 2.0", "tensor(-1.)")
multiply = _elementwise("multiply", F.mul, "x * y (broadcasting)", "2.0, 3.0", "tensor(6.)")
divide = _elementwise("divide", F.div, "x / y (broadcasting)", "1.0, 4.0", "tensor(0.2500)")
maximum = _elementwise("maximum", F.maximum, "The larger of x and y",
                       "tf.constant([1.0, 5.0]), 2.0", "tensor([2., 5.])")
minimum = _elementwise("minimum", F.minimum, "The smaller of x and y",
                       "tf.constant([1.0, 5.0]), 2.0", "tensor([1., 2.])")


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: builtins.bool = False) -> Tensor:
    """Sum of all elements, or along ``axis``.

    >>> import d2lad.tf as tf
    >>> tf.reduce_sum(tf.ones((2, 3)), axis=1)
    tensor([3., 3.])
    """
    x = convert_to_tensor(input_tensor)
    return _result(F.sum(x, dim=axis, keepdim=keepdims), x)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: builtins.bool = False) -> Tensor:
    """Mean of all elements, or along ``axis`` (float tensors).

    >>> import d2lad.tf as tf
    >>> tf.reduce_mean(tf.range(4.0))
    tensor(1.5000)
    """
    x = convert_to_tensor(input_tensor)
    return _result(F.mean(x, dim=axis, keepdim=keepdims), x)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: builtins.bool = False) -> Tensor:
    """Largest element, or largest along ``axis``.

    >>> import d2lad.tf as tf
    >>> tf.reduce_max(tf.constant([1.0, 3.0, 2.0]))
    tensor(3.)
    """
    x = convert_to_tensor(input_tensor)
    return _result(F.amax(x, dim=() if axis is None else axis, keepdim=keepdims), x)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: builtins.bool = False) -> Tensor:
    """Smallest element, or smallest along ``axis``.

    >>> import d2lad.tf as tf
    >>> tf.reduce_min(tf.constant([1.0, 3.0, 2.0]))
    tensor(1.)
    """
    x = convert_to_tensor(input_tensor)
    return _result(F.amin(x, dim=() if axis is None else axis, keepdim=keepdims), x)


def norm(tensor: Any, ord: Any = "euclidean", axis: Any = None,
         keepdims: builtins.bool = False) -> Tensor:
    """Vector norm: Euclidean by default (``ord=1`` and ``ord=np.inf`` too).

    >>> import d2lad.tf as tf
    >>> tf.norm(tf.constant([3.0, 4.0]))
    tensor(5.)
    """
    x = convert_to_tensor(tensor)
    p = 2 if ord in ("euclidean", "fro", 2, None) else ord
    return _result(F.norm(x, p=p, dim=axis, keepdim=keepdims), x)


def matmul(a: Any, b: Any, transpose_a: builtins.bool = False,
           transpose_b: builtins.bool = False) -> Tensor:
    """Matrix product (batched over leading dimensions), optionally transposing either side.

    >>> import d2lad.tf as tf
    >>> tf.matmul(tf.ones((2, 3)), tf.ones((2, 3)), transpose_b=True)
    tensor([[3., 3.],
            [3., 3.]])
    """
    x, y = convert_to_tensor(a), convert_to_tensor(b)
    if transpose_a:
        x = F.transpose(x, -2, -1)
    if transpose_b:
        y = F.transpose(y, -2, -1)
    return _fresh(F.matmul(x, y))


def tensordot(a: Any, b: Any, axes: Any) -> Tensor:
    """Sum of products over axes: ``axes=n`` pairs the last n axes of ``a`` with the first n of
    ``b``; ``axes=([1, 0], [0, 1])`` names the pairs. ``axes=1`` on vectors is the dot product.

    >>> import d2lad.tf as tf
    >>> x = tf.range(4.0)
    >>> tf.tensordot(x, x, axes=1)
    tensor(14.)
    >>> tf.tensordot(tf.ones((2, 3)), tf.ones((3, 4)), axes=[[1], [0]]).shape
    torch.Size([2, 4])
    """
    x, y = convert_to_tensor(a), convert_to_tensor(b)
    sa, sb = tuple(x._data.shape), tuple(y._data.shape)
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if n < 0 or n > len(sa) or n > len(sb):
            raise ValueError(f"'axes' must be at most the rank of both tensors ({len(sa)} and "
                             f"{len(sb)}), got {n}")
        ax_a, ax_b = list(builtins.range(len(sa) - n, len(sa))), list(builtins.range(n))
    else:
        ax_a, ax_b = ([int(i)] if isinstance(i, (int, np.integer)) else [int(j) for j in i]
                      for i in axes)
        ax_a = [i % len(sa) for i in ax_a]
        ax_b = [i % len(sb) for i in ax_b]
    if len(ax_a) != len(ax_b) or builtins.any(sa[i] != sb[j] for i, j in zip(ax_a, ax_b)):
        raise ValueError(f"tensordot: the summed axes must pair up with equal sizes: shapes "
                         f"{list(sa)} and {list(sb)} with axes {ax_a} and {ax_b}")
    free_a = [i for i in builtins.range(len(sa)) if i not in ax_a]
    free_b = [i for i in builtins.range(len(sb)) if i not in ax_b]
    k = int(np.prod([sa[i] for i in ax_a], dtype=np.int64))
    left = F.reshape(F.permute(x, tuple(free_a + ax_a)), (-1, k)) if sa else F.reshape(x, (1, 1))
    right = F.reshape(F.permute(y, tuple(ax_b + free_b)), (k, -1)) if sb else F.reshape(y, (1, 1))
    out = F.mm(left, right)
    return _fresh(F.reshape(out, tuple(sa[i] for i in free_a) + tuple(sb[i] for i in free_b)))
