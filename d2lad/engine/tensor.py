"""The Tensor: a numpy array plus what reverse-mode autodiff needs to know about it.

``_data`` holds the values (a numpy array, or a numpy scalar for some 0-d results). Autograd
metadata: ``_requires_grad``; ``grad_fn``, the node that produced this tensor (``None`` for a
leaf); ``_grad``, where backward accumulates this leaf's gradient; ``_vc``, a version counter
bumped by every in-place change, so backward can tell when a value it saved was overwritten.
Operations (``+``, ``sin``, ``sum``, ...) are defined in ``functions.py`` and attached as methods.

>>> import d2lad
>>> x = d2lad.arange(4.0, requires_grad=True)
>>> y = 2 * d2lad.dot(x, x)
>>> y.backward()
>>> x.grad
tensor([ 0.,  4.,  8., 12.])
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any

import numpy as np

from d2lad.engine import dtypes
from d2lad.engine.grad_mode import STATE
from d2lad.engine.printing import format_tensor

ndarray = np.ndarray


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Create tensors with ``d2lad.tensor``, ``d2lad.arange``, ``d2lad.ones``, ...;
    ``d2lad.Tensor(data)`` makes a float32 tensor, as ``torch.Tensor(data)`` does.

    >>> Tensor([1, 2])
    tensor([1., 2.])
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_vc", "__weakref__")
    __array_priority__ = 1000  # numpy defers ``ndarray * tensor`` to Tensor.__rmul__

    def __init__(self, data: Any = (), requires_grad: bool = False):
        self._data = np.array(data, dtype=dtypes.DEFAULT_FLOAT)
        self._grad = None
        self.grad_fn = None
        self._vc = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    __hash__ = object.__hash__

    dispatch_priority = 0

    @classmethod
    def apply_primitive(cls, prim: Any, args: tuple, params: dict) -> Tensor:
        """How an operation runs when this class's tensors take part (see ``dispatch``)."""
        from d2lad.engine.primitive import apply_plain

        return apply_plain(prim, args, params)

    # ---- autograd metadata -------------------------------------------------------------------

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Start (or stop) recording operations on this leaf; returns the tensor itself.

        >>> import d2lad
        >>> d2lad.arange(3.0).requires_grad_()
        tensor([0., 1., 2.], requires_grad=True)
        """
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point dtype can require gradients: "
                f"this one is {self.dtype}. Make it float first, e.g. x = x.float() "
                "or d2lad.arange(4.0) instead of d2lad.arange(4).")
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors no recorded operation produced (user-created, or not requiring grad)."""
        return self.grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by backward (leaves, and tensors that called retain_grad)."""
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"assigned grad has data of a different size: "
                                   f"{value.shape} instead of {self.shape}")
        self._grad = value

    def retain_grad(self) -> None:
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward (leaves always do).

        >>> import d2lad
        >>> x = d2lad.tensor(3.0, requires_grad=True)
        >>> y = x * x; y.retain_grad(); (2 * y).backward()
        >>> y.grad
        tensor(2.)
        """
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn.retained = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor after ``retain_grad()``."""
        node = self.grad_fn
        return node is not None and node.retained is not None and node.retained() is self

    @property
    def _version(self) -> int:
        """How many in-place changes this tensor's values have seen (PyTorch's ``_version``)."""
        return 0 if self._vc is None else self._vc[0]

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, inputs: Any = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (reverse accumulation).

        ``gradient`` is the vector v of the vector-Jacobian product v^T J; it may be left out
        only when this tensor has a single element. See ``d2lad.autograd.backward``.
        """
        from d2lad.engine.backward import backward

        backward(self, gradient, retain_graph, create_graph, inputs)

    def detach(self) -> Tensor:
        """A tensor with the same values (shared memory) and no history: gradients stop here.

        >>> import d2lad
        >>> x = d2lad.tensor(2.0, requires_grad=True)
        >>> (x * x).detach()
        tensor(4.)
        """
        t = wrap(self._storage())
        if self._vc is None:
            self._vc = [0]
        t._vc = self._vc  # shared: in-place changes through either are seen by autograd
        return t

    def detach_(self) -> Tensor:
        """Detach in place: this tensor becomes a leaf that does not require grad."""
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """The values as a tensor that autograd does not track (shared memory, own version).

        Changing it (``x.data *= 2``) changes ``x`` without autograd noticing: handy for
        updates, dangerous when a recorded graph saved the old value.
        """
        return wrap(self._storage())

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._storage()

    def _constant(self) -> Any:
        """The values, as derivative rules read them for masks and indices (no history)."""
        return self._data

    def _storage(self) -> ndarray:
        """The values as an ndarray that can be shared (numpy scalars become 0-d arrays)."""
        a = self._data
        if type(a) is not ndarray:
            a = self._data = np.asarray(a)
        return a

    # ---- in-place changes --------------------------------------------------------------------

    def _check_inplace(self) -> None:
        """Refuse in-place changes to a leaf that requires grad while recording (PyTorch's rule)."""
        if self._requires_grad and self.grad_fn is None and STATE.enabled:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation. "
                "Change leaves under `with d2lad.no_grad():` (e.g. an SGD step), or work on a copy "
                "such as x.detach() or x.clone().")

    def _write(self, values: Any) -> None:
        """Store ``values`` into this tensor's memory (views see it) and bump the version."""
        a = self._storage()
        try:
            np.copyto(a, values, casting="same_kind")
        except TypeError:
            new = np.result_type(values)
            raise RuntimeError(
                f"result type {dtypes.from_numpy_dtype(new)} can't be cast to the desired output "
                f"type {self.dtype}. Convert first, e.g. x = x.float().") from None
        self._bump_version()

    def _bump_version(self) -> None:
        STATE.inplace_count += 1
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    _functional_inplace = False  # True where in-place changes must run as operations (duals)

    def _snapshot(self) -> Tensor:
        """A copy of the values that keeps this tensor's place in the graph: what an in-place
        operation recorded for backward consumes, so later changes cannot alter it."""
        old = wrap(np.array(self._data, copy=True), self.grad_fn)
        old._requires_grad = self._requires_grad
        return old

    def _adopt(self, result: Tensor) -> Tensor:
        """Hold ``result``'s values (in this tensor's own memory) and its place in the graph."""
        if result._functional_inplace:
            raise RuntimeError(
                "this in-place change would drop a forward-mode tangent: a plain tensor cannot "
                "hold a dual number. Build a new tensor instead (d2lad.where, d2lad.cat, or "
                "y = y + v rather than y += v).")
        retained = self.retains_grad
        self._write(result._data)
        self.grad_fn = result.grad_fn
        self._requires_grad = result._requires_grad
        if retained:
            self.retain_grad()
        return self

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (how ``x.grad.zero_()`` clears a gradient)."""
        self._check_inplace()
        self._write(0)
        return self

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value`` in place."""
        self._check_inplace()
        self._write(value.item() if isinstance(value, Tensor) else value)
        return self

    # ---- shape and type ----------------------------------------------------------------------

    @property
    def shape(self) -> dtypes.Size:
        """The size of each dimension, e.g. ``torch.Size([2, 3])``."""
        return dtypes.Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """``shape``, or the size of one dimension."""
        return self.shape if dim is None else self._data.shape[dim]

    @property
    def dtype(self) -> dtypes.dtype:
        """Element type, e.g. ``torch.float32``."""
        return dtypes.from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def dim(self) -> int:
        """Number of dimensions."""
        return self._data.ndim

    def numel(self) -> int:
        """Number of elements."""
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        """Bytes per element."""
        return self._data.dtype.itemsize

    def is_floating_point(self) -> bool:
        """True for float16/32/64 tensors."""
        return self._data.dtype.kind == "f"

    @property
    def device(self) -> str:
        """Always ``"cpu"``: d2lad computes with numpy."""
        return "cpu"

    def cpu(self) -> Tensor:
        """This tensor (d2lad has no other device)."""
        return self

    def contiguous(self) -> Tensor:
        """This tensor (numpy handles memory layout)."""
        return self

    # ---- conversion to Python and numpy ------------------------------------------------------

    def _no_grad_values(self, what: str) -> ndarray:
        if self._requires_grad:
            raise RuntimeError(
                f"Can't call {what} on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead.")
        return self._storage()

    def numpy(self) -> ndarray:
        """The values as a numpy array sharing memory (only for tensors without grad)."""
        return self._no_grad_values("numpy()")

    def __array__(self, dtype: Any = None, copy: Any = None) -> ndarray:
        a = self._no_grad_values("numpy()")
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number.

        >>> import d2lad
        >>> d2lad.tensor([2.5]).item()
        2.5
        """
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to "
                               "Scalar. Reduce it first (e.g. .sum()) or index one element.")
        return self._data.item()

    def tolist(self) -> Any:
        """The values as (nested) Python lists."""
        return self._data.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous. "
                               "Use .any() or .all(), or compare one element.")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __repr__(self) -> str:
        if self.grad_fn is not None:
            suffix = f"grad_fn=<{self.grad_fn.name()}>"
        elif self._requires_grad:
            suffix = "requires_grad=True"
        else:
            suffix = None
        return format_tensor(np.asarray(self._data), suffix)

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        return format(repr(self), spec)


_new = object.__new__


def wrap(data: Any, grad_fn: Any = None) -> Tensor:
    """A tensor around an array (no copy). With a ``grad_fn`` it is a recorded result.

    >>> wrap(np.ones(2))
    tensor([1., 1.], dtype=torch.float64)
    """
    t = _new(Tensor)
    t._data = data
    t._grad = None
    t.grad_fn = grad_fn
    t._vc = None
    t._requires_grad = grad_fn is not None
    return t
